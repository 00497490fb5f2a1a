#pragma once

// The agents' ServiceAccount, Role, RoleBinding and nodes
// ClusterRoleBinding of a namespace (k8s::kubecombo::desired_agent_rbac),
// handled ONCE per namespace, not per Debugger pass (docs/adr/0104): the
// objects are owned by nothing; the first pass of a namespace makes them
// exist (GET each, create when absent, PUT when a field we set differs or
// an owner reference is left from an older controller), later passes find
// the namespace ensured at once, and the pass of the namespace's last
// Debugger deletes them. Jobs of one namespace run one at a time, in order,
// so a delete never overtakes an ensure or the other way round. A failed
// ClusterRoleBinding write (e.g. a controller without that permission) is
// logged and does not fail; the agents then lack only node reads.
// Thread-safe; callbacks run on the api_client's thread (or at once).

#include "k8s/client/api_client.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kc::controller {

/// Called once at the end: "" on success, else what failed.
using on_done = std::function<void(std::string error)>;

/// The per-namespace agent RBAC of one controller.
class agent_rbac : public std::enable_shared_from_this<agent_rbac> {
public:
  explicit agent_rbac(std::shared_ptr<k8s::api_client> api);

  /// Calls `done` once the agent RBAC of `ns` exists as desired (at once
  /// when this controller already ensured it).
  void ensure(const std::string& ns, on_done done);

  /// `ns` hosts no Debugger any more: delete its agent RBAC (404 is fine),
  /// after any job in flight; `done` gets the outcome.
  void release(const std::string& ns, on_done done);

  /// Forget that `ns` was ensured (one of its objects changed or went):
  /// the next ensure() looks at the objects again.
  void invalidate(const std::string& ns);

  /// True when `ns` is ensured and no job of it is queued (tests).
  bool ensured(const std::string& ns) const;

private:
  struct ns_state {
    bool ensured = false;
    bool busy = false;
    bool remove = false;
    std::vector<on_done> waiters;
    std::vector<on_done> removers;
  };
  void pump(const std::string& ns);
  void finished(const std::string& ns, bool removal, std::string error);

  std::shared_ptr<k8s::api_client> api_;
  mutable std::mutex mutex_;
  std::map<std::string, ns_state> state_;
};

} // namespace kc::controller
