#pragma once

// The Debugger controller as `root` starts it on leadership (DESIGN §3):
// the RECONCILE SUPERVISOR `debuggers` with one `debugger/<ns>/<name>` per
// Debugger (debugger_reconciler.hpp), and the INFORMERs that feed it:
// informer/debuggers, informer/pingers, informer/configmaps and, scoped
// to the `debug` label, informer/pods and informer/daemonsets. A restarted
// `debuggers` re-subscribes to the running informers (which replay their
// caches); a restarted informer subscribes the running `debuggers`.

#include "actors/controller/recorder_link.hpp"
#include "k8s/client/api_client.hpp"
#include "messages/runtime_types.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kc::controller {

/// What the Debugger controller needs from the process.
struct debugger_controller_config {
  std::shared_ptr<k8s::api_client> api;
  recorder_link_ptr recorder;
};

/// The children to start under `root`, in order, and the informers'
/// synced flags (kind → flag, for /readyz).
struct debugger_controller {
  std::vector<child_spec> children;
  std::vector<std::pair<std::string, std::shared_ptr<std::atomic<bool>>>>
    synced;
};

/// Builds the Debugger controller's child specs.
debugger_controller make_debugger_controller(debugger_controller_config cfg);

} // namespace kc::controller
