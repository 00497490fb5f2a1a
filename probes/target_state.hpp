#pragma once

// The up/down state machine of one probe target (issue 6; DESIGN §3): the
// TARGET actor owns one. Statistics (RTT quantiles, loss, jitter) come from
// target_stats; this class decides the state with hysteresis and produces
// one readable line per transition. Plain C++, no actor headers.

#include "probes/target_stats.hpp"

#include <cstdint>
#include <string>

namespace kc::probes {

/// When a target goes down and comes back up.
struct health_config {
  /// Sliding window of the reported statistics (probes).
  uint32_t window = 100;
  /// Down after this many consecutive failures.
  uint32_t fail_threshold = 3;
  /// Up (again) after this many consecutive successes.
  uint32_t recover_threshold = 2;
  /// Down when the loss since the last transition exceeds this ratio
  /// (over at least `min_samples` probes, at most `window`); > 1 = off.
  double loss_threshold = 0.5;
  uint32_t min_samples = 10;
};

/// One up/down change of a target.
struct transition {
  target_state from = target_state::unknown;
  target_state to = target_state::unknown;
  /// CLOCK_REALTIME (ns) of the probe that decided it.
  int64_t at = 0;
  /// CLOCK_REALTIME (ns) when `from` began (0 = at start).
  int64_t from_since = 0;
  /// Why: "3 consecutive failures", "loss 60% > 50%", "2 successes".
  std::string reason;
  /// The readable line: `<target> <proto> <from> → <to>: loss …, rtt p50 …
  /// p99 …, jitter …, <reason>, last <outcome>, <from> for … (since …)`.
  std::string line;
  /// True for the quiet unknown → up at start (not worth a log line).
  bool quiet() const {
    return from == target_state::unknown && to == target_state::up;
  }
};

/// Statistics plus the up/down state machine of one target.
class target_health {
public:
  target_health(std::string label, protocol proto, health_config cfg = {});

  /// Records one probe; true if the state changed (see last_transition()).
  bool record(const probe_result& r);

  target_state state() const {
    return state_;
  }
  /// CLOCK_REALTIME (ns) when the current state began (0 = never).
  int64_t since() const {
    return since_;
  }
  const transition& last_transition() const {
    return last_;
  }
  const target_stats& stats() const {
    return stats_;
  }
  const std::string& label() const {
    return label_;
  }
  protocol proto() const {
    return proto_;
  }
  /// New thresholds (live configuration); the window, statistics and
  /// state are kept. The next probe decides with the new thresholds.
  void set_thresholds(uint32_t fail, uint32_t recover, double loss);
  /// Loss since the last transition (0 if no probe yet).
  double recent_loss() const;
  /// A short status for /debug/actors and logs.
  std::string describe() const;

private:
  void reset_recent();

  std::string label_;
  protocol proto_;
  health_config cfg_;
  target_stats stats_;
  std::vector<uint8_t> recent_; // 1 = lost, ring since the last transition
  uint32_t recent_pos_ = 0, recent_n_ = 0, recent_lost_ = 0;
  uint32_t fails_ = 0, oks_ = 0;
  target_state state_ = target_state::unknown;
  int64_t since_ = 0;
  transition last_;
};

/// "2026-11-28T23:01:02Z" for a CLOCK_REALTIME in ns ("-" for 0).
std::string format_utc(int64_t real_ns);

} // namespace kc::probes
