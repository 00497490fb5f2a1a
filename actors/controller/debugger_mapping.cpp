#include "actors/controller/debugger_mapping.hpp"

#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/workload.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>

namespace kc::controller {

namespace json = boost::json;
using k8s::arr_at;
using k8s::obj_at;
using k8s::str_at;

namespace {

// The Debugger that owns (controller reference) or labels a workload object.
std::string debugger_of(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  if (!md)
    return "";
  if (auto refs = arr_at(*md, "ownerReferences"))
    for (auto& r : *refs)
      if (auto o = r.if_object(); o && k8s::bool_at(*o, "controller")) {
        if (str_at(*o, "kind") == "Debugger"
            && str_at(*o, "apiVersion").starts_with(
              std::string(k8s::kubecombo::api_group) + "/"))
          return str_at(*o, "name");
        return ""; // controlled by something else (e.g. a DaemonSet)
      }
  if (auto labels = obj_at(*md, "labels"))
    return str_at(*labels, k8s::kubecombo::debug_label);
  return "";
}

// A pod: its Debugger owner (pod workload), else its `debug` label (the
// pods of a Debugger's DaemonSet carry it; its DaemonSet may be gone).
std::string debugger_of_pod(const json::object& pod) {
  auto name = debugger_of(pod);
  if (!name.empty())
    return name;
  auto md = obj_at(pod, "metadata");
  auto labels = md ? obj_at(*md, "labels") : nullptr;
  return labels ? str_at(*labels, k8s::kubecombo::debug_label) : "";
}

// Debuggers of `ns` whose spec field `field` names `name`.
void referencing(const object_cache& cache, const std::string& ns,
                 const std::string& name, std::string_view field,
                 std::vector<object_key>& out) {
  for (auto& d : cache.list(debuggers_kind, ns)) {
    auto spec = obj_at(*d, "spec");
    if (spec && str_at(*spec, field) == name)
      if (auto md = obj_at(*d, "metadata"))
        out.push_back({ns, str_at(*md, "name")});
  }
}

} // namespace

std::vector<object_key> map_debugger_event(object_cache& cache,
                                           const resource_event& ev) {
  auto previous = cache.apply(ev);
  std::vector<object_key> out;
  const json::object* obj = ev.snapshot ? ev.snapshot.get() : previous.get();
  if (ev.kind == debuggers_kind) {
    out.push_back(ev.key);
  } else if (ev.kind == pingers_kind) {
    referencing(cache, ev.key.ns, ev.key.name, "pinger", out);
  } else if (ev.kind == configmaps_kind) {
    referencing(cache, ev.key.ns, ev.key.name, "configMap", out);
  } else if (obj && (ev.kind == pods_kind || ev.kind == daemonsets_kind)) {
    auto name = ev.kind == pods_kind ? debugger_of_pod(*obj) : debugger_of(*obj);
    if (!name.empty())
      out.push_back({ev.key.ns, name});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace kc::controller
