#pragma once

// The per-Debugger reconcile (`debugger/<ns>/<name>`, DESIGN §3 step 3;
// docs/adr/0103): validate the spec and its references (Pinger, user-script
// ConfigMap), make the agents' RBAC exist, remove the workload of the other
// workloadType, compute the desired Pod or DaemonSet with the pure functions
// of k8s/api/kubecombo, compare it with the observed one (template hash +
// drift) and write only the difference (create, update, replace = delete
// then create), then write status through /status only when it changed, and
// record Events on transitions only. One instance per key; its memory
// (last Degraded reason, Ready) lives across passes.

#include "actors/controller/agent_rbac.hpp"
#include "actors/controller/object_cache.hpp"
#include "actors/controller/recorder_link.hpp"
#include "actors/runtime/reconciler.hpp"
#include "k8s/client/api_client.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace kc::controller {

/// What every Debugger reconciler shares.
struct debugger_deps {
  std::shared_ptr<k8s::api_client> api;
  std::shared_ptr<object_cache> cache;
  recorder_link_ptr recorder;
  /// The agent RBAC, once per namespace (ADR 0104).
  std::shared_ptr<agent_rbac> rbac;
  /// The informers' synced flags: passes wait until all are true (a
  /// Pinger not listed yet must not read as missing).
  std::vector<std::shared_ptr<std::atomic<bool>>> synced;
};

/// What a reconciler remembers between passes (Events on transitions).
struct debugger_memory {
  /// Initialised from the Debugger's status on the first pass.
  bool known = false;
  bool ready = false;
  /// "reason: message" of the Degraded condition while True, else "".
  std::string degraded;
  /// A replace deleted the Pod; the next create completes it.
  bool replacing = false;
  /// The .status last written and the resourceVersion of the Debugger it
  /// was written over: a pass whose snapshot still has that version (the
  /// watch event of the write has not arrived) compares with it instead.
  boost::json::object written;
  std::string written_over;
};

/// The reconciler of one Debugger.
class debugger_reconciler
  : public runtime::reconciler,
    public std::enable_shared_from_this<debugger_reconciler> {
public:
  debugger_reconciler(object_key key, debugger_deps deps);
  void reconcile(runtime::reconcile_request req) override;

  const object_key& key() const {
    return key_;
  }
  const debugger_deps& deps() const {
    return deps_;
  }
  debugger_memory& memory() {
    return memory_;
  }

private:
  object_key key_;
  debugger_deps deps_;
  debugger_memory memory_;
};

/// The factory for the RECONCILE SUPERVISOR.
runtime::reconciler_factory debugger_reconciler_factory(debugger_deps deps);

} // namespace kc::controller
