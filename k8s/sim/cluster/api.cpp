#include "k8s/sim/cluster/api.hpp"

#include "k8s/sim/control_plane.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>

namespace kc::sim::cluster {

api_response call(control_plane& cp, const std::string& method,
                  const std::string& path, const std::string& body,
                  const std::string& content_type) {
  api_request req;
  req.method = method;
  req.path = path;
  req.accept = "application/json";
  req.content_type = content_type;
  req.body = body;
  req.authenticated = true;
  return cp.handle(req);
}

std::string path_of(const std::string& kind, const std::string& ns,
                    const std::string& name) {
  std::string base;
  if (kind == "Pod")
    base = "/api/v1/namespaces/" + ns + "/pods";
  else if (kind == "Event")
    base = "/api/v1/namespaces/" + ns + "/events";
  else if (kind == "Lease")
    base = "/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases";
  else if (kind == "ReplicaSet")
    base = "/apis/apps/v1/namespaces/" + ns + "/replicasets";
  else if (kind == "Deployment")
    base = "/apis/apps/v1/namespaces/" + ns + "/deployments";
  else if (kind == "DaemonSet")
    base = "/apis/apps/v1/namespaces/" + ns + "/daemonsets";
  else if (kind == "Node")
    base = "/api/v1/nodes";
  return name.empty() ? base : base + "/" + name;
}

api_response create(control_plane& cp, const std::string& kind,
                    const std::string& ns, const json::object& obj) {
  return call(cp, "POST", path_of(kind, ns), json::serialize(obj));
}

api_response put_status(control_plane& cp, const std::string& kind,
                        const json::object& obj) {
  return call(cp, "PUT",
              path_of(kind, meta_str(obj, "namespace"), meta_str(obj, "name"))
                + "/status",
              json::serialize(obj));
}

api_response put(control_plane& cp, const std::string& kind,
                 const json::object& obj) {
  return call(cp, "PUT",
              path_of(kind, meta_str(obj, "namespace"), meta_str(obj, "name")),
              json::serialize(obj));
}

api_response remove(control_plane& cp, const std::string& kind,
                    const std::string& ns, const std::string& name,
                    const std::string& uid) {
  json::object opts{{"apiVersion", "v1"},
                    {"kind", "DeleteOptions"},
                    {"preconditions", json::object{{"uid", uid}}}};
  return call(cp, "DELETE", path_of(kind, ns, name), json::serialize(opts));
}

void record_event(control_plane& cp, const json::object& about,
                  const std::string& type, const std::string& reason,
                  const std::string& message, const std::string& component) {
  auto ns = meta_str(about, "namespace");
  if (ns.empty())
    ns = "default";
  auto now = now_rfc3339();
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(nanos));
  json::object ev{
    {"apiVersion", "v1"},
    {"kind", "Event"},
    {"metadata", json::object{{"name", meta_str(about, "name") + "." + hex},
                              {"namespace", ns}}},
    {"involvedObject",
     json::object{{"apiVersion", str_at(about, "apiVersion")},
                  {"kind", str_at(about, "kind")},
                  {"name", meta_str(about, "name")},
                  {"namespace", meta_str(about, "namespace")},
                  {"uid", meta_str(about, "uid")},
                  {"resourceVersion", meta_str(about, "resourceVersion")}}},
    {"reason", reason},
    {"message", message},
    {"source", json::object{{"component", component}}},
    {"firstTimestamp", now},
    {"lastTimestamp", now},
    {"count", 1},
    {"type", type},
    {"eventTime", nullptr},
    {"reportingComponent", component},
    {"reportingInstance", ""}};
  create(cp, "Event", ns, ev);
}

} // namespace kc::sim::cluster
