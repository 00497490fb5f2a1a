#include "probes/target_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kc::probes {

std::string_view to_string(target_state s) {
  switch (s) {
    case target_state::unknown:
      return "unknown";
    case target_state::up:
      return "up";
    case target_state::down:
      return "down";
  }
  return "?";
}

std::string format_seconds(double s) {
  char buf[32];
  if (s < 0)
    return "-";
  if (s < 1e-3)
    std::snprintf(buf, sizeof buf, "%.0fµs", s * 1e6);
  else if (s < 1.0)
    std::snprintf(buf, sizeof buf, "%.2fms", s * 1e3);
  else if (s < 120)
    std::snprintf(buf, sizeof buf, "%.2fs", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.0fm%02.0fs", std::floor(s / 60),
                  std::fmod(s, 60));
  else
    std::snprintf(buf, sizeof buf, "%.1fh", s / 3600);
  return buf;
}

target_stats::target_stats(stats_config cfg) : cfg_(cfg) {
  cfg_.window = std::max<uint32_t>(cfg_.window, 1);
  cfg_.fail_threshold = std::max<uint32_t>(cfg_.fail_threshold, 1);
  cfg_.recover_threshold = std::max<uint32_t>(cfg_.recover_threshold, 1);
  window_.assign(cfg_.window, lost);
}

bool target_stats::record(const probe_result& r) {
  ++sent_;
  last_ = r.result;
  bool ok = r.result == outcome::ok;
  uint32_t entry = lost;
  if (ok) {
    ++received_;
    double s = static_cast<double>(std::max<int64_t>(r.rtt_ns, 0)) * 1e-9;
    auto b = std::lower_bound(bounds.begin(), bounds.end(), s) - bounds.begin();
    ++buckets_[static_cast<size_t>(b)];
    rtt_sum_ += s;
    if (last_rtt_s_ >= 0)
      jitter_s_ += (std::abs(s - last_rtt_s_) - jitter_s_) / 16.0;
    last_rtt_s_ = s;
    if (r.ttl)
      last_ttl_ = r.ttl;
    entry = static_cast<uint32_t>(std::min<int64_t>(r.rtt_ns / 1000, lost - 1));
    fails_ = 0;
    ++oks_;
  } else {
    oks_ = 0;
    ++fails_;
  }
  window_[pos_] = entry;
  pos_ = (pos_ + 1) % cfg_.window;
  filled_ = std::min(filled_ + 1, cfg_.window);

  auto next = state_;
  if (ok
      && (state_ == target_state::unknown
          || (state_ == target_state::down && oks_ >= cfg_.recover_threshold)))
    next = target_state::up;
  else if (!ok && state_ != target_state::down && fails_ >= cfg_.fail_threshold)
    next = target_state::down;
  if (next == state_)
    return false;
  previous_ = state_;
  previous_since_ = since_;
  state_ = next;
  since_ = r.sent_at;
  return true;
}

double target_stats::loss() const {
  if (filled_ == 0)
    return 0;
  uint32_t n = 0;
  for (uint32_t i = 0; i < filled_; ++i)
    n += window_[i] == lost;
  return static_cast<double>(n) / filled_;
}

double target_stats::quantile(double q) const {
  std::vector<uint32_t> v;
  v.reserve(filled_);
  for (uint32_t i = 0; i < filled_; ++i)
    if (window_[i] != lost)
      v.push_back(window_[i]);
  if (v.empty())
    return -1;
  auto k = static_cast<size_t>(
      std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
  return v[k] * 1e-6;
}

std::string target_stats::transition_line(std::string_view target,
                                          protocol p) const {
  char loss_text[16];
  std::snprintf(loss_text, sizeof loss_text, "%.1f%%", loss() * 100);
  std::string line = std::string(target) + " " + std::string(to_string(p)) + " "
                     + std::string(to_string(previous_)) + " → "
                     + std::string(to_string(state_)) + ": loss " + loss_text
                     + ", rtt p50 " + format_seconds(quantile(0.5)) + " p99 "
                     + format_seconds(quantile(0.99));
  if (state_ == target_state::down)
    line += ", last " + std::string(to_string(last_));
  if (previous_since_ != 0 && since_ >= previous_since_)
    line += ", " + std::string(to_string(previous_)) + " for "
            + format_seconds(static_cast<double>(since_ - previous_since_)
                             * 1e-9);
  return line;
}

} // namespace kc::probes
