#include "cmd/up_deploy.hpp"

#include <boost/json.hpp>

namespace kc::cmd::up {

namespace json = boost::json;

namespace {

std::string str(const json::value* v) {
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

const json::object* obj_at(const json::object& o,
                           std::initializer_list<const char*> path) {
  const json::object* cur = &o;
  for (auto key : path) {
    auto* v = cur->if_contains(key);
    if (!v || !v->is_object())
      return nullptr;
    cur = &v->as_object();
  }
  return cur;
}

std::int64_t int_of(const json::object* o, const char* key) {
  auto* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string condition(const json::object& o, const char* type) {
  auto* status = obj_at(o, {"status"});
  auto* conds = status ? status->if_contains("conditions") : nullptr;
  if (!conds || !conds->is_array())
    return "";
  for (auto& c : conds->as_array())
    if (c.is_object() && str(c.as_object().if_contains("type")) == type)
      return str(c.as_object().if_contains("status"));
  return "";
}

k8s::resource_ref ref(std::string group, std::string version,
                      std::string resource, std::string ns, std::string name) {
  k8s::resource_ref r;
  r.group = std::move(group);
  r.version = std::move(version);
  r.resource = std::move(resource);
  r.ns = std::move(ns);
  r.name = std::move(name);
  return r;
}

std::string pod_phase_list(const json::array& pods) {
  std::string out;
  for (auto& p : pods) {
    if (!p.is_object())
      continue;
    auto& o = p.as_object();
    auto* md = obj_at(o, {"metadata"});
    auto* st = obj_at(o, {"status"});
    out += (out.empty() ? "" : ", ")
           + str(md ? md->if_contains("name") : nullptr) + " "
           + str(st ? st->if_contains("phase") : nullptr);
  }
  return out;
}

} // namespace

std::vector<json::object> deploy_objects(const manifest_source& src,
                                         bool webhooks) {
  auto objs
      = render_kustomization(src, "",
                             webhooks ? std::vector<std::string>{"webhook"}
                                      : std::vector<std::string>{});
  if (webhooks)
    add_webhook_certificate(objs);
  return objs;
}

sample_set sample_objects(const manifest_source& src, uint16_t api_port) {
  sample_set s;
  s.script_job = parse_yaml_documents(src.read("samples/script-job.yaml"),
                                      "samples/script-job.yaml");
  s.inspector
      = parse_yaml_documents(src.read("samples/inspector-daemonset.yaml"),
                             "samples/inspector-daemonset.yaml");
  for (auto& o : s.inspector) {
    if (str(o.if_contains("kind")) != "Pinger" || !o["spec"].is_object())
      continue;
    auto& spec = o["spec"].as_object();
    spec["ping"] = "198.18.0.1";
    spec["tcpPing"] = "198.18.0.1:" + std::to_string(api_port);
    spec.erase("udpPing");
    spec.erase("dns");
    spec["metricsPort"] = pinger_metrics_port;
  }
  return s;
}

std::string controller_missing(api_session& api) {
  auto dep = api.get(ref("apps", "v1", "deployments", "kubecombo-system",
                         "kubecombo-controller"));
  if (!dep)
    return "Deployment kubecombo-controller not created yet";
  if (int_of(obj_at(*dep, {"status"}), "availableReplicas") < 1) {
    auto pods = api.list(ref("", "v1", "pods", "kubecombo-system", ""),
                         "app.kubernetes.io/name=kubecombo-controller");
    return "controller pod: "
           + (pods.empty() ? std::string("not created yet")
                           : pod_phase_list(pods));
  }
  auto lease = api.get(ref("coordination.k8s.io", "v1", "leases",
                           "kubecombo-system", "kubecombo-controller"));
  auto* spec = lease ? obj_at(*lease, {"spec"}) : nullptr;
  auto holder = str(spec ? spec->if_contains("holderIdentity") : nullptr);
  if (holder.empty())
    return "controller pod Running; waiting for it to take the Lease "
           "kubecombo-controller (in-cluster config)";
  return "";
}

std::string script_job_missing(api_session& api) {
  auto pods
      = api.list(ref("", "v1", "pods", "default", ""), "debug=script-job");
  if (pods.empty())
    return "pod script-job not created yet";
  for (auto& p : pods) {
    auto* st = p.is_object() ? obj_at(p.as_object(), {"status"}) : nullptr;
    auto phase = str(st ? st->if_contains("phase") : nullptr);
    if (phase != "Succeeded" && phase != "Failed")
      return "script-job: " + pod_phase_list(pods);
  }
  return "";
}

std::string inspector_missing(api_session& api, int nodes) {
  auto ds
      = api.get(ref("apps", "v1", "daemonsets", "default", "node-inspector"));
  if (!ds)
    return "DaemonSet node-inspector not created yet";
  auto* st = obj_at(*ds, {"status"});
  auto ready = int_of(st, "numberReady");
  if (ready < nodes)
    return "node-inspector agents Ready: " + std::to_string(ready) + "/"
           + std::to_string(nodes);
  auto dbg = api.get(ref("vpn-gw.kubecombo.com", "v1", "debuggers", "default",
                         "node-inspector"));
  if (!dbg || condition(*dbg, "Ready") != "True")
    return "agents Ready; Debugger node-inspector not Ready yet";
  return "";
}

} // namespace kc::cmd::up
