#pragma once

// Per-check metrics of the debugger agent (series `kubecombo_check_*`,
// labelled with the node, the category and the check).

#include "probes/check_result.hpp"
#include "telemetry/metrics.hpp"

#include <string>

namespace kc::cmd::debugger {

/// Records each finished check into a registry.
class check_metrics {
public:
  check_metrics(telemetry::registry& reg, std::string node);

  /// Updates duration, exit status, status, last success and run counters.
  void record(const checks::check_result& r);

private:
  std::string node_;
  telemetry::family<telemetry::histogram>& duration_;
  telemetry::family<telemetry::gauge>& exit_status_;
  telemetry::family<telemetry::gauge>& status_;
  telemetry::family<telemetry::gauge>& last_success_;
  telemetry::family<telemetry::counter>& runs_;
};

} // namespace kc::cmd::debugger
