#pragma once

// Which nodes a pod may run on: the filters of kube-scheduler that matter for
// the simulated cluster (NodeUnschedulable, NodeName, NodeAffinity incl.
// nodeSelector, TaintToleration for NoSchedule/NoExecute), with the reason
// strings the real scheduler reports (ADR 0009).

#include "k8s/sim/util.hpp"

#include <string>
#include <vector>

namespace kc::sim::cluster {

/// Why a node does not fit; empty = it fits. Texts as kube-scheduler 1.32
/// prints them after "N " in a FailedScheduling message.
struct fit_result {
  std::string reason;
  bool fits() const {
    return reason.empty();
  }
};

/// True if `pod_spec`'s nodeSelector and required node affinity match `node`.
bool matches_node_selector_and_affinity(const json::object& pod_spec,
                                        const json::object& node);

/// The first NoSchedule/NoExecute (only NoExecute with `no_execute_only`)
/// taint of `node` not tolerated by `tolerations`, formatted
/// "{key: value}", or "" if all are tolerated.
std::string untolerated_taint(const json::array* tolerations,
                              const json::object& node,
                              bool no_execute_only = false);

/// All scheduler filters for `pod_spec` on `node`.
fit_result fit(const json::object& pod_spec, const json::object& node);

/// "0/3 nodes are available: 1 node(s) had untolerated taint {a: b}, 2
/// node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes
/// are available: 3 Preemption is not helpful for scheduling."
std::string unschedulable_message(const std::vector<fit_result>& per_node);

/// The tolerations the DaemonSet controller adds to its pods
/// (util.AddOrUpdateDaemonPodTolerations).
void add_daemon_tolerations(json::object& pod_spec);

} // namespace kc::sim::cluster
