#pragma once

// The Pinger controller as `root` starts it on leadership (DESIGN §3; ADR
// 0043): the RECONCILE SUPERVISOR `pingers` with one `pinger/<ns>/<name>`
// per Pinger (pinger_reconciler.hpp) and its INFORMERs
// informer/pinger-specs (Pingers) and informer/pinger-agents (Pods with
// the `debug` label). A restarted `pingers` re-subscribes to the running
// informers (which replay their caches); a restarted informer subscribes
// the running `pingers`.

#include "actors/controller/recorder_link.hpp"
#include "k8s/client/api_client.hpp"
#include "messages/runtime_types.hpp"

#include <memory>
#include <vector>

namespace kc::controller {

/// What the Pinger controller needs from the process.
struct pinger_controller_config {
  std::shared_ptr<k8s::api_client> api;
  recorder_link_ptr recorder;
};

/// The children to start under `root`, in order: `pingers`, then its
/// informers.
std::vector<child_spec> make_pinger_controller(pinger_controller_config cfg);

} // namespace kc::controller
