#pragma once

// The three metric kinds of the registry: counter, gauge, histogram. Every
// update is a relaxed atomic operation (no lock, no allocation); reads happen
// at scrape time. See docs/adr/0060-metrics-registry.md.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kc::telemetry {

/// A monotonically increasing value. `inc()` is one atomic add.
class counter {
public:
  /// Adds one.
  void inc() noexcept {
    whole_.fetch_add(1, std::memory_order_relaxed);
  }

  /// Adds `v`; negative, NaN and infinite values are ignored (counters only
  /// go up). Whole numbers take the integer path and stay exact.
  void inc(double v) noexcept;

  /// The current total.
  double value() const noexcept;

private:
  std::atomic<uint64_t> whole_{0};
  std::atomic<double> fraction_{0.0};
};

/// A value that goes up and down.
class gauge {
public:
  void set(double v) noexcept {
    value_.store(v, std::memory_order_relaxed);
  }
  void inc(double v = 1.0) noexcept {
    value_.fetch_add(v, std::memory_order_relaxed);
  }
  void dec(double v = 1.0) noexcept {
    value_.fetch_sub(v, std::memory_order_relaxed);
  }
  /// Sets the gauge to the current Unix time in seconds.
  void set_to_current_time() noexcept;
  double value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

private:
  std::atomic<double> value_{0.0};
};

/// A distribution over explicit bucket upper bounds (inclusive, base units).
/// The `+Inf` bucket is implicit.
class histogram {
public:
  /// `bounds` must be finite and strictly increasing (else invalid_argument).
  explicit histogram(std::vector<double> bounds);

  /// Records one observation: one or two atomic adds, no lock.
  void observe(double v) noexcept;

  /// Records a duration in seconds.
  template <class Rep, class Period>
  void observe(std::chrono::duration<Rep, Period> d) noexcept {
    observe(std::chrono::duration<double>(d).count());
  }

  /// A consistent-enough copy for exposition: `cumulative[i]` counts the
  /// observations <= bounds()[i]; the last entry is the +Inf bucket, which
  /// is also the count.
  struct snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  snapshot collect() const;

  const std::vector<double>& bounds() const noexcept {
    return bounds_;
  }

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_; // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

/// `count` bounds start, start*factor, ... (start > 0, factor > 1).
std::vector<double> exponential_buckets(double start, double factor,
                                        std::size_t count);

/// `count` bounds start, start+width, ... (width > 0).
std::vector<double> linear_buckets(double start, double width,
                                   std::size_t count);

/// Prometheus' default buckets: 5 ms .. 10 s.
std::vector<double> default_buckets();

/// Round-trip-time buckets, 1-2.5-5 steps from 50 µs to 10 s (17 bounds).
std::vector<double> rtt_buckets();

} // namespace kc::telemetry
