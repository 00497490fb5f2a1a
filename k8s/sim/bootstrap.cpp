#include "k8s/sim/bootstrap.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/rbac.hpp"

#include <sys/utsname.h>

namespace kc::sim {

namespace {

/// Kubelet and kube-proxy version reported by the simulated nodes.
constexpr const char* kubelet_version = "v1.32.4";

std::string kernel_release() {
  utsname u{};
  if (uname(&u) != 0)
    return "unknown";
  return u.release;
}

json::object condition(const char* type, const char* status,
                       const char* reason, const char* message,
                       const std::string& now) {
  return json::object{{"type", type},
                      {"status", status},
                      {"lastHeartbeatTime", now},
                      {"lastTransitionTime", now},
                      {"reason", reason},
                      {"message", message}};
}

json::object system_fields(json::object md) {
  md["uid"] = random_uuid();
  md["creationTimestamp"] = now_rfc3339();
  return md;
}

} // namespace

std::string node_name(int i) {
  return "kubecombo-worker-" + std::to_string(i);
}

json::object make_node(int i) {
  auto name = node_name(i);
  auto now = now_rfc3339();
  json::object labels{{"beta.kubernetes.io/arch", "amd64"},
                      {"beta.kubernetes.io/os", "linux"},
                      {"kubernetes.io/arch", "amd64"},
                      {"kubernetes.io/hostname", name},
                      {"kubernetes.io/os", "linux"}};
  json::object md = system_fields(json::object{
    {"name", name},
    {"labels", std::move(labels)},
    {"annotations",
     json::object{{"node.alpha.kubernetes.io/ttl", "0"},
                  {"volumes.kubernetes.io/controller-managed-attach-detach",
                   "true"}}}});
  auto cidr = "10.244." + std::to_string(i) + ".0/24";
  json::object resources{{"cpu", "8"},
                         {"ephemeral-storage", "100Gi"},
                         {"hugepages-1Gi", "0"},
                         {"hugepages-2Mi", "0"},
                         {"memory", "16Gi"},
                         {"pods", "110"}};
  auto id = random_hex(32);
  json::object info{{"architecture", "amd64"},
                    {"bootID", random_uuid()},
                    {"containerRuntimeVersion", "kubecombo://0.1.0"},
                    {"kernelVersion", kernel_release()},
                    {"kubeProxyVersion", kubelet_version},
                    {"kubeletVersion", kubelet_version},
                    {"machineID", id},
                    {"operatingSystem", "linux"},
                    {"osImage", "Debian GNU/Linux 12 (bookworm)"},
                    {"systemUUID", random_uuid()}};
  json::object status{
    {"capacity", resources},
    {"allocatable", resources},
    {"conditions",
     json::array{
       condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                 "kubelet has sufficient memory available", now),
       condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                 "kubelet has no disk pressure", now),
       condition("PIDPressure", "False", "KubeletHasSufficientPID",
                 "kubelet has sufficient PID available", now),
       condition("Ready", "True", "KubeletReady",
                 "kubelet is posting ready status", now)}},
    {"addresses",
     json::array{json::object{{"type", "InternalIP"},
                              {"address", "198.18.0." + std::to_string(10 + i)}},
                 json::object{{"type", "Hostname"}, {"address", name}}}},
    {"daemonEndpoints",
     json::object{{"kubeletEndpoint", json::object{{"Port", 10250}}}}},
    {"nodeInfo", std::move(info)},
    {"phase", "Running"}};
  return json::object{
    {"apiVersion", "v1"},
    {"kind", "Node"},
    {"metadata", std::move(md)},
    {"spec", json::object{{"podCIDR", cidr}, {"podCIDRs", json::array{
                                                 json::string(cidr)}}}},
    {"status", std::move(status)}};
}

json::object default_service_account(const std::string& ns) {
  return json::object{
    {"apiVersion", "v1"},
    {"kind", "ServiceAccount"},
    {"metadata",
     system_fields(json::object{{"name", "default"}, {"namespace", ns}})}};
}

json::object make_namespace(const std::string& name) {
  return json::object{
    {"apiVersion", "v1"},
    {"kind", "Namespace"},
    {"metadata",
     system_fields(json::object{
       {"name", name},
       {"labels", json::object{{"kubernetes.io/metadata.name", name}}}})},
    {"spec", json::object{{"finalizers", json::array{"kubernetes"}}}},
    {"status", json::object{{"phase", "Active"}}}};
}

json::object make_node_lease(int i) {
  auto name = node_name(i);
  auto now = now_micro();
  return json::object{
    {"apiVersion", "coordination.k8s.io/v1"},
    {"kind", "Lease"},
    {"metadata", system_fields(json::object{{"name", name},
                                            {"namespace",
                                             "kube-node-lease"}})},
    {"spec", json::object{{"holderIdentity", name},
                          {"leaseDurationSeconds", 40},
                          {"renewTime", now}}}};
}

void control_plane::bootstrap() {
  objects.transact([&](txn& tx) {
    for (auto ns : {"default", "kube-system", "kube-public",
                    "kube-node-lease"}) {
      tx.put("namespaces", make_namespace(ns));
      tx.put("serviceaccounts", default_service_account(ns));
    }
    bootstrap_rbac(tx); // ADR 0007
    for (int i = 1; i <= cfg.nodes; ++i) {
      auto node = tx.put("nodes", make_node(i));
      // The kubelet's Lease is owned by its Node (ADR 0009).
      auto lease = make_node_lease(i);
      metadata_of(lease)["ownerReferences"] = json::array{json::object{
        {"apiVersion", "v1"}, {"kind", "Node"}, {"name", node->name},
        {"uid", meta_str(node->obj, "uid")}}};
      tx.put("leases.coordination.k8s.io", std::move(lease));
    }
  });
}

void control_plane::note_event_write(const std::string& ns,
                                     const std::string& name) {
  std::lock_guard<std::mutex> g(events_mtx_);
  event_expiry_[ns + '/' + name]
    = std::chrono::steady_clock::now() + cfg.event_ttl;
}

void control_plane::expire_events() {
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> g(events_mtx_);
    auto now = std::chrono::steady_clock::now();
    for (auto it = event_expiry_.begin(); it != event_expiry_.end();) {
      if (it->second <= now) {
        due.push_back(it->first);
        it = event_expiry_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (due.empty())
    return;
  objects.transact([&](txn& tx) {
    for (auto& k : due) {
      auto slash = k.find('/');
      tx.erase("events", k.substr(0, slash), k.substr(slash + 1));
    }
  });
}

} // namespace kc::sim
