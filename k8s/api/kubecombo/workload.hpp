#pragma once

// Desired objects of a Debugger, as pure functions of the Debugger, its
// Pinger and its user-script ConfigMap: the Pod or DaemonSet named like the
// Debugger, the agents' ServiceAccount/Role/RoleBinding, and the comparison
// of an observed workload with the desired one (docs/adr/0101).

#include "k8s/api/kubecombo/spec.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace kc::k8s::kubecombo {

/// The pod label naming the Debugger (CONTRACT.md): `debug=<name>`.
inline constexpr const char* debug_label = "debug";
/// Annotation on the workload and its pods: hash of everything that rolls it.
inline constexpr const char* hash_annotation = "kubecombo.com/template-hash";
/// Name of the agents' ServiceAccount, Role and RoleBinding per namespace.
inline constexpr const char* agent_name = "kubecombo-agent";
/// ClusterRole (shipped in deploy/) that lets agents read Nodes.
inline constexpr const char* agent_nodes_role = "kubecombo-agent-nodes";
/// Port of the debug container's /metrics and /healthz.
inline constexpr int64_t debugger_port = 8090;

/// What the desired workload is computed from. `debugger` is required;
/// `pinger` is the Pinger named by spec.pinger when enablePinger is set and it
/// exists; `config_map` the user-script ConfigMap when enableConfigMap is set.
struct desired_inputs {
  const boost::json::object* debugger = nullptr;
  const boost::json::object* pinger = nullptr;
  const boost::json::object* config_map = nullptr;
};

/// The desired Pod or DaemonSet.
struct desired_workload {
  std::string kind;        // "Pod" | "DaemonSet"
  std::string api_version; // "v1" | "apps/v1"
  std::string hash;        // value of hash_annotation
  boost::json::object object;
};

/// The pod template {metadata, spec} of a Debugger, without the hash.
boost::json::object desired_pod_template(const object_meta& meta,
                                         const debugger_spec& s,
                                         const pinger_spec* pinger);

/// FNV-1a 64 over the template, the ConfigMap's content and the Pinger image,
/// as 16 hex digits.
std::string template_hash(const boost::json::object& pod_template,
                          const boost::json::object* config_map,
                          const std::string& pinger_image);

/// A content hash of a ConfigMap's data and binaryData (key order ignored).
std::string config_map_hash(const boost::json::object* config_map);

/// The Pod (workloadType pod) or DaemonSet, with labels, the hash
/// annotation, kube-ovn annotations when set and the controller owner
/// reference. Assumes a spec that passed validate_debugger.
desired_workload make_desired_workload(const desired_inputs& in);

/// A controller owner reference to `owner` (controller, blockOwnerDeletion).
boost::json::object controller_reference(const boost::json::object& owner);

/// The agents' ServiceAccount, Role and RoleBinding in `ns`, each owned
/// (non-controller references) by every Debugger in `debuggers`, and the
/// ClusterRoleBinding "kubecombo-agent-nodes-<ns>" to agent_nodes_role.
std::vector<boost::json::object>
desired_agent_rbac(const std::string& ns,
                   const std::vector<const boost::json::object*>& debuggers);

/// What to do with an observed workload.
struct workload_diff {
  enum class action { none, create, update, replace, wait, conflict };
  action what = action::none;
  /// Why, naming the first differing field ("spec.template.spec...image").
  std::string reason;
};

/// Compares an observed workload (null = absent) with the desired one:
/// absent → create; not controlled by the Debugger → conflict; terminating
/// → wait; hash annotation or any field we set differs → update
/// (DaemonSet) or replace (Pod, whose spec is immutable); else none.
/// Fields the server or other controllers add are ignored.
workload_diff diff_workload(const desired_workload& desired,
                            const boost::json::object* observed);

/// True when `obj` has a controller owner reference to `owner`'s uid.
bool controlled_by(const boost::json::object& obj,
                   const boost::json::object& owner);

/// After a workloadType switch (up:W5): the kind of the workload that must
/// go ("DaemonSet" for a pod Debugger, "Pod" for a daemonset one). Delete
/// it only if `controlled_by` the Debugger.
std::string stale_workload_kind(const debugger_spec& s);

/// The first path at which `observed` lacks or differs from a value set in
/// `desired` ("" when desired ⊆ observed). Zero values (false, "", 0, {},
/// []) match a missing key; quantities compare by value.
std::string first_difference(const boost::json::value& desired,
                             const boost::json::value* observed,
                             const std::string& path);

} // namespace kc::k8s::kubecombo
