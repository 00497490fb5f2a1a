#pragma once

// The simulated cluster's kube-scheduler (ADR 0009): binds pods without
// spec.nodeName (schedulerName empty or default-scheduler) to the fitting
// node with the fewest pods; sets PodScheduled; unschedulable pods get
// PodScheduled=False/Unschedulable and a FailedScheduling Event, and are
// retried when nodes or pods change and on every resync. Also serves the
// pods/binding subresource.

#include "k8s/sim/request.hpp"
#include "k8s/sim/store.hpp"

#include <map>
#include <set>
#include <string>

namespace kc::sim {
class control_plane;
}

namespace kc::sim::cluster {

/// Assigns pod `ns/name` to `node` like the Binding registry: 201 Success,
/// 404, or 409 if the pod is already assigned or being deleted. `uid`, if
/// not empty, must match the pod's.
api_response bind_pod(control_plane& cp, const std::string& ns,
                      const std::string& name, const std::string& node,
                      const std::string& uid = "");

/// POST .../pods/{name}/binding with a v1 Binding body.
api_response serve_binding(control_plane& cp, const api_request& req,
                           const std::string& ns, const std::string& name);

/// Scheduling state fed from the pod and node watch events.
class scheduler {
public:
  explicit scheduler(control_plane& cp) : cp_(cp) {
  }

  /// A pod was added, modified or deleted (`obj` null on delete).
  void observe_pod(const std::string& key, const stored_object* obj);

  /// Nodes changed: unschedulable pods get another try.
  void retry_all();

  /// Forgets everything (before a relist).
  void reset();

  /// Binds every pending pod it can. Returns the number of bindings.
  int run();

  /// Number of pods waiting to be scheduled (pending + unschedulable).
  std::size_t waiting() const {
    return pending_.size() + unschedulable_.size();
  }

private:
  void mark_unschedulable(const stored_ptr& pod, const std::string& msg);

  control_plane& cp_;
  /// Assigned, non-terminal pod → node (for the least-pods spreading).
  std::map<std::string, std::string> assigned_;
  std::map<std::string, int> per_node_;
  std::set<std::string> pending_;
  std::set<std::string> unschedulable_;
  /// Last FailedScheduling message per pod (Events only on change).
  std::map<std::string, std::string> reported_;
};

} // namespace kc::sim::cluster
