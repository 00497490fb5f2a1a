#pragma once

#include "probes/result.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kc::probes {

/// Thresholds and window of one target's statistics.
struct stats_config {
  uint32_t window = 100;          // probes in the sliding loss window
  uint32_t fail_threshold = 3;    // consecutive failures: up → down
  uint32_t recover_threshold = 2; // consecutive successes: down → up
};

/// Up/down state of a target; `unknown` until the thresholds decide.
enum class target_state : uint8_t { unknown, up, down };
std::string_view to_string(target_state s);

/// Per-target statistics (plain C++; the target actor owns one): an RTT
/// histogram in seconds with fine low buckets, loss over a sliding window,
/// RFC 3550 jitter, last reply TTL, consecutive failures, and an up/down
/// state machine with thresholds.
class target_stats {
public:
  /// Upper bounds (seconds) of the RTT histogram buckets; +Inf is implied.
  static constexpr std::array<double, 18> bounds
      = {25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3,
         25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1.0,  2.5,    5.0,  10.0};

  explicit target_stats(stats_config cfg = {});

  /// Records one probe; returns true if the up/down state changed.
  bool record(const probe_result& r);

  target_state state() const {
    return state_;
  }
  target_state previous_state() const {
    return previous_;
  }
  /// CLOCK_REALTIME (ns) when the current state began (0 = never).
  int64_t since() const {
    return since_;
  }
  /// CLOCK_REALTIME (ns) when the previous state began.
  int64_t previous_since() const {
    return previous_since_;
  }
  /// Failed fraction of the probes in the window (0 if none yet).
  double loss() const;
  /// RTT quantile in seconds over the successes in the window; -1 if none.
  double quantile(double q) const;
  /// Interarrival jitter (RFC 3550 style smoothing of |ΔRTT|), seconds.
  double jitter() const {
    return jitter_s_;
  }
  uint8_t last_ttl() const {
    return last_ttl_;
  }
  uint32_t consecutive_failures() const {
    return fails_;
  }
  outcome last_outcome() const {
    return last_;
  }
  uint64_t sent() const {
    return sent_;
  }
  uint64_t received() const {
    return received_;
  }
  /// Cumulative histogram counts per bucket (last = +Inf) and the RTT sum.
  const std::array<uint64_t, bounds.size() + 1>& buckets() const {
    return buckets_;
  }
  double rtt_sum() const {
    return rtt_sum_;
  }

  /// One line for a person: target, protocol, old → new, loss, p50/p99,
  /// and how long the old state lasted.
  std::string transition_line(std::string_view target, protocol p) const;

private:
  static constexpr uint32_t lost = UINT32_MAX;
  stats_config cfg_;
  std::vector<uint32_t> window_; // RTT in µs per probe, `lost` on failure
  uint32_t pos_ = 0, filled_ = 0;
  std::array<uint64_t, bounds.size() + 1> buckets_{};
  double rtt_sum_ = 0, jitter_s_ = 0, last_rtt_s_ = -1;
  uint64_t sent_ = 0, received_ = 0;
  uint32_t fails_ = 0, oks_ = 0;
  uint8_t last_ttl_ = 0;
  outcome last_ = outcome::ok;
  target_state state_ = target_state::unknown;
  target_state previous_ = target_state::unknown;
  int64_t since_ = 0, previous_since_ = 0;
};

/// Formats a duration in seconds as "412µs", "3.2ms", "1.50s".
std::string format_seconds(double s);

} // namespace kc::probes
