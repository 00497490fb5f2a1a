// The environment of a container in the process kubelet (ADR 0071).

#include "k8s/sim/kubelet/pod_files.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/jose.hpp"

namespace kc::sim {

namespace {

using k8s::arr_at;

/// A ConfigMap's or Secret's data (decoded); false if missing.
bool lookup(control_plane& cp, bool secret, const std::string& ns,
            const std::string& name, std::map<std::string, std::string>& out) {
  auto s = cp.objects.get(secret ? "secrets" : "configmaps", ns, name);
  if (!s)
    return false;
  if (auto d = obj_at(s->obj, "data"))
    for (auto& [k, v] : *d)
      if (v.is_string()) {
        std::string text(v.as_string());
        if (secret && !base64_std_decode(text, text))
          continue;
        out[std::string(k)] = text;
      }
  return true;
}

std::string kind(bool secret) {
  return secret ? "secret" : "configmap";
}

/// $(VAR) references to variables defined earlier; $$ escapes.
std::string expand(const std::string& v,
                   const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '$' && i + 1 < v.size() && v[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (v[i] == '$' && i + 1 < v.size() && v[i + 1] == '(') {
      auto close = v.find(')', i);
      auto name = close == std::string::npos
                    ? std::string()
                    : v.substr(i + 2, close - i - 2);
      auto it = vars.find(name);
      if (it == vars.end()) {
        out += v[i];
        continue;
      }
      out += it->second;
      i = close;
    } else {
      out += v[i];
    }
  }
  return out;
}

} // namespace

pod_problem container_env(control_plane& cp, const json::object& pod,
                          const json::object& container,
                          const pod_place& place,
                          std::vector<std::string>& out) {
  auto ns = meta_str(pod, "namespace");
  std::vector<std::string> order;
  std::map<std::string, std::string> vars;
  auto set = [&](const std::string& k, const std::string& v) {
    if (!vars.count(k))
      order.push_back(k);
    vars[k] = v;
  };
  set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  set("HOSTNAME", meta_str(pod, "name"));
  set("HOME", "/root");
  set("KUBERNETES_SERVICE_HOST", place.api_host);
  set("KUBERNETES_SERVICE_PORT", place.api_port);
  set("KUBERNETES_SERVICE_PORT_HTTPS", place.api_port);
  set("KUBERNETES_PORT", "tcp://" + place.api_host + ":" + place.api_port);
  if (auto from = arr_at(container, "envFrom"))
    for (auto& fv : *from) {
      if (!fv.is_object())
        continue;
      auto& f = fv.as_object();
      auto prefix = str_at(f, "prefix");
      for (bool secret : {false, true}) {
        auto ref = obj_at(f, secret ? "secretRef" : "configMapRef");
        if (!ref)
          continue;
        std::map<std::string, std::string> data;
        auto name = str_at(*ref, "name");
        if (!lookup(cp, secret, ns, name, data)) {
          if (k8s::bool_at(*ref, "optional"))
            continue;
          return {"CreateContainerConfigError",
                  kind(secret) + " \"" + name + "\" not found"};
        }
        for (auto& [k, v] : data)
          set(prefix + k, v);
      }
    }
  if (auto env = arr_at(container, "env"))
    for (auto& ev : *env) {
      if (!ev.is_object())
        continue;
      auto& e = ev.as_object();
      auto name = str_at(e, "name");
      auto from = obj_at(e, "valueFrom");
      if (!from) {
        set(name, expand(str_at(e, "value"), vars));
        continue;
      }
      if (auto f = obj_at(*from, "fieldRef")) {
        set(name, field_value(pod, str_at(*f, "fieldPath"), place.ip));
        continue;
      }
      for (bool secret : {false, true}) {
        auto ref = obj_at(*from, secret ? "secretKeyRef" : "configMapKeyRef");
        if (!ref)
          continue;
        std::map<std::string, std::string> data;
        auto obj = str_at(*ref, "name");
        auto key = str_at(*ref, "key");
        bool found = lookup(cp, secret, ns, obj, data);
        if (found && data.count(key)) {
          set(name, data[key]);
        } else if (!k8s::bool_at(*ref, "optional")) {
          return {"CreateContainerConfigError",
                  found ? "couldn't find key " + key + " in "
                            + (secret ? "Secret " : "ConfigMap ") + ns + "/"
                            + obj
                        : kind(secret) + " \"" + obj + "\" not found"};
        }
      }
      if (obj_at(*from, "resourceFieldRef"))
        set(name, "0");
    }
  for (auto& k : order)
    out.push_back(k + "=" + vars[k]);
  return {};
}

} // namespace kc::sim
