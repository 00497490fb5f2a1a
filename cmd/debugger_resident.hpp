#pragma once

// The resident mode of `kubecombo debugger` (ADR 0045): in a DaemonSet with
// API access it watches its own Debugger (`runs`), runs every check once per
// `status.currentRun` its node has not reported yet (`runner`: built-in
// categories plus custom user scripts, the Debugger's checkTimeout and
// runDeadline), writes the errlogs and one pod-log line per check, and
// reports with a merge patch of the `kubecombo.com/run-report` annotation on
// its own Pod (`reporter`). Restart-safe: a run the Pod's annotation already
// names is not run again.

#include "cmd/debugger_run.hpp"
#include "k8s/client/api_client.hpp"

#include <atomic>
#include <memory>
#include <ostream>
#include <string>

namespace kc::cmd::debugger {

/// Everything the resident agent needs.
struct resident_config {
  /// Host root, scripts, node name, runner defaults, summary bounds; the run
  /// id and categories are set per run.
  run_config base;
  std::string debugger;      ///< DEBUGGER_NAME
  std::string pod;           ///< POD_NAME
  std::string ns;            ///< POD_NAMESPACE
  std::shared_ptr<k8s::api_client> api;
  const std::atomic<bool>* stop = nullptr;
  check_metrics* metrics = nullptr;
};

/// True when the environment names a resident agent: DEBUGGER_NAME,
/// POD_NAME and POD_NAMESPACE set, and DS_NAME (set by the controller: the
/// DaemonSet's name, empty for a single Pod) not empty when present.
bool resident_env();

/// Runs until `*cfg.stop`; returns the exit status (0).
int run_resident(const resident_config& cfg, std::ostream& log);

} // namespace kc::cmd::debugger
