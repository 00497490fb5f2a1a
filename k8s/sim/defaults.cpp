// API-server defaulting of built-in kinds (ADR 0013), after
// pkg/apis/core/v1/defaults.go and pkg/apis/apps/v1/defaults.go.

#include "k8s/sim/defaults.hpp"

#include <boost/json/array.hpp>

namespace kc::sim {

namespace {

/// obj[key] as an object, created (or replaced if not an object).
json::object& object_field(json::object& obj, std::string_view key) {
  auto& v = obj[key];
  if (!v.is_object())
    v = json::object{};
  return v.as_object();
}

/// Sets obj[key] = v if the key is absent or null.
void set_absent(json::object& obj, std::string_view key, json::value v) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null())
    obj[key] = std::move(v);
}

/// Sets a string field that is absent, null or "" (Go's zero value).
void set_empty(json::object& obj, std::string_view key, const char* v) {
  auto it = obj.find(key);
  if (it == obj.end() || it->value().is_null()
      || (it->value().is_string() && it->value().as_string().empty()))
    obj[key] = v;
}

/// Calls f(object) for every object element of the array obj[key].
template <class F>
void each_object(json::object& obj, std::string_view key, F&& f) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->value().is_array())
    return;
  for (auto& e : it->value().as_array())
    if (auto o = e.if_object())
      f(*o);
}

/// SetDefaults_Probe and SetDefaults_HTTPGetAction.
void default_probe(json::object& c, std::string_view key) {
  auto it = c.find(key);
  if (it == c.end() || !it->value().is_object())
    return;
  auto& p = it->value().as_object();
  set_absent(p, "timeoutSeconds", 1);
  set_absent(p, "periodSeconds", 10);
  set_absent(p, "successThreshold", 1);
  set_absent(p, "failureThreshold", 3);
  if (auto h = p.if_contains("httpGet"); h && h->is_object()) {
    set_empty(h->as_object(), "path", "/");
    set_empty(h->as_object(), "scheme", "HTTP");
  }
}

/// SetDefaults_Container (+ ports, env fieldRef, probes); `pod` copies
/// limits into absent requests (SetDefaults_Pod).
void default_container(json::object& c, bool pod, bool host_network) {
  if (str_at(c, "imagePullPolicy").empty())
    c["imagePullPolicy"] = default_pull_policy(str_at(c, "image"));
  set_empty(c, "terminationMessagePath", "/dev/termination-log");
  set_empty(c, "terminationMessagePolicy", "File");
  auto& res = object_field(c, "resources");
  if (pod)
    if (auto lim = res.if_contains("limits"); lim && lim->is_object()
                                             && !lim->as_object().empty()) {
      auto& req = object_field(res, "requests");
      for (auto& [k, v] : lim->as_object())
        if (!req.contains(k))
          req[k] = v;
    }
  each_object(c, "ports", [&](json::object& p) {
    set_empty(p, "protocol", "TCP");
    if (host_network && !p.contains("hostPort") && p.contains("containerPort"))
      p["hostPort"] = p["containerPort"];
  });
  each_object(c, "env", [](json::object& e) {
    if (auto vf = e.if_contains("valueFrom"); vf && vf->is_object())
      if (auto fr = vf->as_object().if_contains("fieldRef");
          fr && fr->is_object())
        set_empty(fr->as_object(), "apiVersion", "v1");
  });
  for (auto k : {"livenessProbe", "readinessProbe", "startupProbe"})
    default_probe(c, k);
}

/// SetDefaults_Volume and the defaultMode of the file-projecting sources.
void default_volume(json::object& v) {
  static const char* sources[] = {
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore",
    "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
    "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs",
    "flocker", "downwardAPI", "fc", "azureFile", "configMap",
    "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "projected", "portworxVolume", "scaleIO", "storageos", "csi",
    "ephemeral", "image"};
  bool any = false;
  for (auto s : sources)
    if (auto p = v.if_contains(s); p && !p->is_null())
      any = true;
  if (!any)
    v["emptyDir"] = json::object{};
  for (auto s : {"secret", "configMap", "downwardAPI", "projected"})
    if (auto p = v.if_contains(s); p && p->is_object())
      set_absent(p->as_object(), "defaultMode", 420);
  if (auto p = v.if_contains("hostPath"); p && p->is_object())
    set_absent(p->as_object(), "type", "");
}

/// The pod template of a workload's spec, if present.
void default_template(json::object& spec) {
  auto t = spec.if_contains("template");
  if (!t || !t->is_object())
    return;
  auto& ps = object_field(t->as_object(), "spec");
  default_pod_spec(ps, false);
}

void default_rolling(json::object& strategy, const char* type_key_value,
                     json::value max_unavailable, json::value max_surge) {
  set_empty(strategy, "type", type_key_value);
  if (str_at(strategy, "type") != "RollingUpdate")
    return;
  auto& ru = object_field(strategy, "rollingUpdate");
  set_absent(ru, "maxUnavailable", std::move(max_unavailable));
  set_absent(ru, "maxSurge", std::move(max_surge));
}

} // namespace

std::string default_pull_policy(std::string_view image) {
  if (image.empty())
    return "IfNotPresent"; // ParseImageName fails: no tag
  auto at = image.find('@');
  auto name = image.substr(0, at);
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  bool has_tag = colon != std::string_view::npos
                 && (slash == std::string_view::npos || colon > slash);
  if (!has_tag)
    return at == std::string_view::npos ? "Always" : "IfNotPresent";
  return name.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void default_pod_spec(json::object& spec, bool pod) {
  set_empty(spec, "dnsPolicy", "ClusterFirst");
  set_empty(spec, "restartPolicy", "Always");
  set_absent(spec, "securityContext", json::object{});
  set_absent(spec, "terminationGracePeriodSeconds", 30);
  set_empty(spec, "schedulerName", "default-scheduler");
  if (pod)
    set_absent(spec, "enableServiceLinks", true);
  bool host_network = false;
  if (auto h = spec.if_contains("hostNetwork"); h && h->is_bool())
    host_network = h->as_bool();
  for (auto key : {"initContainers", "containers"})
    each_object(spec, key, [&](json::object& c) {
      default_container(c, pod, host_network);
    });
  each_object(spec, "volumes", default_volume);
}

void apply_defaults(const k8s::resource_type& t, json::object& obj) {
  if (t.custom)
    return;
  if (t.group.empty() && t.resource == "pods") {
    default_pod_spec(object_field(obj, "spec"), true);
    return;
  }
  if (t.group != "apps")
    return;
  auto& spec = object_field(obj, "spec");
  if (t.resource == "deployments") {
    set_absent(spec, "replicas", 1);
    default_rolling(object_field(spec, "strategy"), "RollingUpdate", "25%",
                    "25%");
    set_absent(spec, "revisionHistoryLimit", 10);
    set_absent(spec, "progressDeadlineSeconds", 600);
  } else if (t.resource == "daemonsets") {
    default_rolling(object_field(spec, "updateStrategy"), "RollingUpdate", 1,
                    0);
    set_absent(spec, "revisionHistoryLimit", 10);
  } else if (t.resource == "replicasets") {
    set_absent(spec, "replicas", 1);
  } else {
    return;
  }
  default_template(spec);
}

} // namespace kc::sim
