#pragma once

// The workload controllers of the simulated cluster (ADR 0009): DaemonSet,
// ReplicaSet and Deployment. Each reconcile reads the current objects from
// the store, writes only differences through the API (in-process), and is
// called again on the next related watch event or resync.

#include "k8s/sim/cluster/objects.hpp"
#include "k8s/sim/store.hpp"

#include <functional>
#include <vector>

namespace kc::sim {
class control_plane;
}

namespace kc::sim::cluster {

/// What a reconcile may look at besides the object itself.
struct context {
  control_plane& cp;
  /// The current nodes.
  std::vector<stored_ptr> nodes;
  /// The current pods whose controller owner has this uid.
  std::function<std::vector<stored_ptr>(const std::string& uid)> owned_pods;
  sys_clock::time_point now = sys_clock::now();
};

/// One pod per eligible node, rolling updates, status (apps/v1 DaemonSet).
void reconcile_daemonset(context& ctx, const stored_ptr& ds);

/// `replicas` active pods from the template, status (apps/v1 ReplicaSet).
void reconcile_replicaset(context& ctx, const stored_ptr& rs);

/// ReplicaSets per template, RollingUpdate / Recreate, status.
void reconcile_deployment(context& ctx, const stored_ptr& d);

/// A pod object for `owner` from `tmpl` (metadata + spec of a
/// PodTemplateSpec): generateName "<owner>-", labels, ownerReference.
json::object pod_from_template(const json::object& owner_obj,
                               const json::object& tmpl);

/// The node a DaemonSet pod is for: spec.nodeName, else the single
/// metadata.name value of its required node affinity.
std::string daemon_pod_node(const json::object& pod);

} // namespace kc::sim::cluster
