// Counter, gauge and histogram updates, and the bucket helpers.

#include "telemetry/metric_types.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace kc::telemetry {

namespace {

// 2^53: the largest range in which every whole double is exact.
constexpr double exact_limit = 9007199254740992.0;

} // namespace

void counter::inc(double v) noexcept {
  if (!(v > 0) || std::isinf(v)) // also rejects NaN
    return;
  if (v < exact_limit && v == std::floor(v))
    whole_.fetch_add(static_cast<uint64_t>(v), std::memory_order_relaxed);
  else
    fraction_.fetch_add(v, std::memory_order_relaxed);
}

double counter::value() const noexcept {
  return static_cast<double>(whole_.load(std::memory_order_relaxed))
         + fraction_.load(std::memory_order_relaxed);
}

void gauge::set_to_current_time() noexcept {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  set(std::chrono::duration<double>(now).count());
}

histogram::histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]))
      throw std::invalid_argument("histogram bucket bounds must be finite "
                                  "(+Inf is implicit)");
    if (i > 0 && !(bounds_[i - 1] < bounds_[i]))
      throw std::invalid_argument("histogram bucket bounds must be strictly "
                                  "increasing");
  }
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    counts_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(double v) noexcept {
  std::size_t i = bounds_.size(); // +Inf, also for NaN
  if (!std::isnan(v)) {
    // Few buckets: a linear scan beats binary search; many: binary search.
    if (bounds_.size() <= 24) {
      i = 0;
      while (i < bounds_.size() && v > bounds_[i])
        ++i;
    } else {
      i = static_cast<std::size_t>(
          std::lower_bound(bounds_.begin(), bounds_.end(), v)
          - bounds_.begin());
    }
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

histogram::snapshot histogram::collect() const {
  snapshot result;
  result.cumulative.resize(bounds_.size() + 1);
  uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    result.cumulative[i] = total;
  }
  result.count = total;
  result.sum = sum_.load(std::memory_order_relaxed);
  return result;
}

std::vector<double> exponential_buckets(double start, double factor,
                                        std::size_t count) {
  if (!(start > 0) || !(factor > 1) || count == 0)
    throw std::invalid_argument("exponential_buckets needs start > 0, "
                                "factor > 1 and count >= 1");
  std::vector<double> result;
  result.reserve(count);
  for (double b = start; result.size() < count; b *= factor)
    result.push_back(b);
  return result;
}

std::vector<double> linear_buckets(double start, double width,
                                   std::size_t count) {
  if (!(width > 0) || count == 0)
    throw std::invalid_argument("linear_buckets needs width > 0 and "
                                "count >= 1");
  std::vector<double> result;
  result.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    result.push_back(start + width * static_cast<double>(i));
  return result;
}

std::vector<double> default_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> rtt_buckets() {
  return {50e-6, 100e-6, 250e-6, 500e-6, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,  0.1,    0.25,   0.5,    1,     2.5,    5,     10};
}

} // namespace kc::telemetry
