#include "k8s/sim/kubelet/pod_events.hpp"

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/control_plane.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>

namespace kc::sim::kubelet_process {

void pod_event(control_plane& cp, const stored_ptr& pod,
               const std::string& node, const std::string& container, bool init,
               const std::string& type, const std::string& reason,
               const std::string& message) {
  if (!pod)
    return;
  static std::atomic<unsigned> seq{0};
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  char hex[40];
  std::snprintf(hex, sizeof hex, "%llx%02x",
                static_cast<unsigned long long>(nanos), seq++ & 0xffu);
  auto now = now_rfc3339();
  json::object involved{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"name", pod->name},
      {"namespace", pod->ns},
      {"uid", meta_str(pod->obj, "uid")},
      {"resourceVersion", meta_str(pod->obj, "resourceVersion")}};
  if (!container.empty())
    involved["fieldPath"]
        = std::string(init ? "spec.initContainers{" : "spec.containers{")
          + container + "}";
  json::object ev{
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata",
       json::object{{"name", pod->name + "." + hex}, {"namespace", pod->ns}}},
      {"involvedObject", std::move(involved)},
      {"reason", reason},
      {"message", message},
      {"source", json::object{{"component", "kubelet"}, {"host", node}}},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
      {"type", type},
      {"eventTime", nullptr},
      {"reportingComponent", "kubelet"},
      {"reportingInstance", node}};
  cluster::create(cp, "Event", pod->ns, ev);
}

} // namespace kc::sim::kubelet_process
