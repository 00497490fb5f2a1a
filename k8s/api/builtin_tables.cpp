#include "k8s/api/table_support.hpp"

#include "k8s/api/builtin_cells.hpp"

#include "k8s/api/table.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace kc::k8s {

namespace json = boost::json;
using namespace cells;

namespace {

printer_column col(const char* name, const char* type, const char* desc,
                   int priority = 0) {
  return {name, type, "", desc, priority, ""};
}

const char* age_desc = "CreationTimestamp is a timestamp representing the "
                       "server time when this object was created.";

printer_column age() {
  return col("Age", "string", age_desc);
}

std::vector<printer_column> with_name(std::vector<printer_column> rest) {
  rest.insert(rest.begin(), name_column());
  return rest;
}

/// ReplicaSet rows (printReplicaSet), reusing the Deployment cells for name,
/// age, containers, images and selector.
json::array replicaset_cells(const json::object& o, clock_point now) {
  auto d = deployment_cells(o, now);
  auto num = [&](const char* part, const char* key, int64_t fallback) {
    auto p = o.if_contains(part);
    auto v = p && p->is_object() ? p->as_object().if_contains(key) : nullptr;
    return v && v->is_int64() ? v->as_int64() : fallback;
  };
  return {d[0], num("spec", "replicas", 1), num("status", "replicas", 0),
          num("status", "readyReplicas", 0), d[4], d[5], d[6], d[7]};
}

} // namespace

const builtin_table* find_builtin_table(const resource_type& t) {
  using c = printer_column;
  static const builtin_table pods{
    with_name({col("Ready", "string", "The aggregate readiness state of this "
                                       "pod for accepting traffic."),
               col("Status", "string", "The aggregate status of the "
                                        "containers in this pod."),
               col("Restarts", "string", "The number of times the containers "
                                          "in this pod have been restarted "
                                          "and when the last container in "
                                          "this pod has restarted."),
               age(), col("IP", "string", "IP address allocated to the pod.", 1),
               col("Node", "string", "Name of the node the pod is on.", 1),
               col("Nominated Node", "string", "Nominated node name.", 1),
               col("Readiness Gates", "string", "Pod readiness gates.", 1)}),
    pod_cells};
  static const builtin_table nodes{
    with_name({col("Status", "string", "The status of the node"),
               col("Roles", "string", "The roles of the node"), age(),
               col("Version", "string", "Kubelet Version reported by the node."),
               col("Internal-IP", "string", "The internal IP of the node.", 1),
               col("External-IP", "string", "The external IP of the node.", 1),
               col("OS-Image", "string", "OS Image reported by the node.", 1),
               col("Kernel-Version", "string", "Kernel Version.", 1),
               col("Container-Runtime", "string", "Container Runtime.", 1)}),
    node_cells};
  static const std::vector<c> workload_wide
    = {col("Containers", "string", "Names of each container in the template.", 1),
       col("Images", "string", "Images referenced by each container.", 1),
       col("Selector", "string", "Label selector for pods.", 1)};
  static const builtin_table deployments{
    [] {
      auto v = with_name({col("Ready", "string", "Number of the pod with ready "
                                                 "state"),
                          col("Up-to-date", "integer", "Total number of "
                                                       "updated pods."),
                          col("Available", "integer", "Total number of "
                                                      "available pods."),
                          age()});
      v.insert(v.end(), workload_wide.begin(), workload_wide.end());
      return v;
    }(),
    deployment_cells};
  static const builtin_table daemonsets{
    [] {
      auto v = with_name(
        {col("Desired", "integer", "Desired number of pods."),
         col("Current", "integer", "Number of scheduled pods."),
         col("Ready", "integer", "Number of ready pods."),
         col("Up-to-date", "integer", "Number of updated pods."),
         col("Available", "integer", "Number of available pods."),
         col("Node Selector", "string", "The node selector of the pods."),
         age()});
      v.insert(v.end(), workload_wide.begin(), workload_wide.end());
      return v;
    }(),
    daemonset_cells};
  static const builtin_table replicasets{
    [] {
      auto v = with_name({col("Desired", "integer", "Number of desired pods."),
                          col("Current", "integer", "Number of actively "
                                                    "running pods."),
                          col("Ready", "integer", "Number of pods marked "
                                                  "ready."),
                          age()});
      v.insert(v.end(), workload_wide.begin(), workload_wide.end());
      return v;
    }(),
    replicaset_cells};
  static const builtin_table namespaces{
    with_name({col("Status", "string", "The status of the namespace"), age()}),
    namespace_cells};
  static const builtin_table configmaps{
    with_name({col("Data", "string", "Number of data items."), age()}),
    configmap_cells};
  static const builtin_table secrets{
    with_name({col("Type", "string", "The type of the secret"),
               col("Data", "string", "Number of data items."), age()}),
    secret_cells};
  static const builtin_table services{
    with_name({col("Type", "string", "The type of the service."),
               col("Cluster-IP", "string", "The cluster IP of the service."),
               col("External-IP", "string", "The external IPs of the service."),
               col("Port(s)", "string", "The ports of the service."), age(),
               col("Selector", "string", "The label selector.", 1)}),
    service_cells};
  static const std::vector<c> event_columns{
    col("Last Seen", "string", "The time at which the most recent occurrence "
                               "of this event was recorded."),
    col("Type", "string", "Type of this event (Normal, Warning)."),
    col("Reason", "string", "Short, machine understandable reason."),
    col("Object", "string", "The object that this event is about."),
    col("Subobject", "string", "The field of the object.", 1),
    col("Source", "string", "The component reporting this event.", 1),
    col("Message", "string", "A human-readable description of the status."),
    col("First Seen", "string", "The time at which the event was first "
                                "recorded.", 1),
    col("Count", "string", "The number of times this event has occurred.", 1),
    printer_column{"Name", "string", "name", "Name of the event.", 1, ""}};
  static const builtin_table core_events{event_columns, core_event_cells};
  static const builtin_table v1_events{event_columns, events_v1_cells};
  static const builtin_table leases{
    with_name({col("Holder", "string", "The holder of the lease."), age()}),
    lease_cells};
  static const builtin_table serviceaccounts{
    with_name({col("Secrets", "string", "Number of secrets."), age()}),
    serviceaccount_cells};
  static const builtin_table created_at{
    with_name({col("Created At", "date", "Creation timestamp.")}),
    created_at_cells};
  static const builtin_table bindings{
    with_name({col("Role", "string", "The role referenced."), age(),
               col("Users", "string", "Users in the binding", 1),
               col("Groups", "string", "Groups in the binding", 1),
               col("ServiceAccounts", "string", "ServiceAccounts in the "
                                                "binding", 1)}),
    binding_cells};
  static const builtin_table webhooks{
    with_name({col("Webhooks", "integer", "Number of webhooks."), age()}),
    webhook_cells};
  static const builtin_table endpoints{
    with_name({col("Endpoints", "string", "Endpoints of the service."), age()}),
    endpoints_cells};
  if (t.custom)
    return nullptr;
  const std::pair<const char*, const builtin_table*> by_kind[] = {
    {"Pod", &pods}, {"Node", &nodes}, {"Namespace", &namespaces},
    {"ConfigMap", &configmaps}, {"Secret", &secrets}, {"Service", &services},
    {"ServiceAccount", &serviceaccounts}, {"Endpoints", &endpoints},
    {"Deployment", &deployments}, {"DaemonSet", &daemonsets}, {"ReplicaSet", &replicasets},
    {"Lease", &leases}, {"Role", &created_at}, {"ClusterRole", &created_at},
    {"RoleBinding", &bindings}, {"ClusterRoleBinding", &bindings},
    {"CustomResourceDefinition", &created_at},
    {"ValidatingWebhookConfiguration", &webhooks},
    {"MutatingWebhookConfiguration", &webhooks}};
  if (t.kind == "Event")
    return t.group.empty() ? &core_events : &v1_events;
  for (auto& [k, table] : by_kind)
    if (t.kind == k)
      return table;
  return nullptr;
}

} // namespace kc::k8s
