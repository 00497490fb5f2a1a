#include "k8s/api/kubecombo/workload.hpp"

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

// JSON with object keys sorted at every level: equal values, equal text.
void canonical(const json::value& v, std::string& out) {
  if (auto o = v.if_object()) {
    std::vector<const json::key_value_pair*> kvs;
    for (auto& kv : *o)
      kvs.push_back(&kv);
    std::sort(kvs.begin(), kvs.end(),
              [](auto a, auto b) { return a->key() < b->key(); });
    out += '{';
    for (size_t i = 0; i < kvs.size(); ++i) {
      if (i)
        out += ',';
      out += json::serialize(json::string(kvs[i]->key()));
      out += ':';
      canonical(kvs[i]->value(), out);
    }
    out += '}';
  } else if (auto a = v.if_array()) {
    out += '[';
    for (size_t i = 0; i < a->size(); ++i) {
      if (i)
        out += ',';
      canonical((*a)[i], out);
    }
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

struct fnv1a {
  uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    // A separator so that ("ab","c") and ("a","bc") differ.
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(h));
    return buf;
  }
};

json::object owner_reference(const json::object& owner, bool controller) {
  auto m = meta_of(owner);
  auto api = str_at(owner, "apiVersion");
  auto kind = str_at(owner, "kind");
  return {{"apiVersion", api.empty() ? api_version : api},
          {"kind", kind.empty() ? "Debugger" : kind},
          {"name", m.name},
          {"uid", m.uid},
          {"controller", controller},
          {"blockOwnerDeletion", controller}};
}

json::object metadata(const std::string& name, const std::string& ns,
                      json::array owners) {
  json::object md{{"name", name},
                  {"labels", {{"app.kubernetes.io/managed-by", "kubecombo"}}}};
  if (!ns.empty())
    md["namespace"] = ns;
  if (!owners.empty())
    md["ownerReferences"] = std::move(owners);
  return md;
}

} // namespace

std::string config_map_hash(const json::object* cm) {
  if (!cm)
    return "";
  fnv1a h;
  for (auto key : {"data", "binaryData"}) {
    std::string text;
    if (auto d = obj_at(*cm, key))
      canonical(*d, text);
    h.add(text);
  }
  return h.hex();
}

std::string template_hash(const json::object& pod_template,
                          const json::object* config_map,
                          const std::string& pinger_image) {
  std::string text;
  canonical(pod_template, text);
  fnv1a h;
  h.add(text);
  h.add(config_map_hash(config_map));
  h.add(pinger_image);
  return h.hex();
}

json::object controller_reference(const json::object& owner) {
  return owner_reference(owner, true);
}

desired_workload make_desired_workload(const desired_inputs& in) {
  desired_workload out;
  static const json::object empty;
  const auto& debugger = in.debugger ? *in.debugger : empty;
  auto meta = meta_of(debugger);
  auto s = parse_debugger_spec(debugger);
  std::optional<pinger_spec> p;
  if (s.enable_pinger && in.pinger)
    p = parse_pinger_spec(*in.pinger);
  auto tmpl = desired_pod_template(meta, s, p ? &*p : nullptr);
  out.hash = template_hash(tmpl, s.uses_config_map() ? in.config_map : nullptr,
                           p ? p->image : "");
  auto& tmd = tmpl["metadata"].as_object();
  auto& annotations = tmd["annotations"];
  if (!annotations.is_object())
    annotations.emplace_object();
  annotations.as_object()[hash_annotation] = out.hash;
  json::object md{{"name", meta.name}, {"namespace", meta.namespace_}};
  md["labels"] = tmd["labels"];
  md["ownerReferences"] = json::array{controller_reference(debugger)};
  if (s.is_daemonset()) {
    out.kind = "DaemonSet";
    out.api_version = "apps/v1";
    md["annotations"] = json::object{{hash_annotation, out.hash}};
    out.object = {{"apiVersion", out.api_version},
                  {"kind", out.kind},
                  {"metadata", std::move(md)},
                  {"spec",
                   {{"selector", {{"matchLabels", {{debug_label, meta.name}}}}},
                    {"template", std::move(tmpl)},
                    {"updateStrategy",
                     {{"type", "RollingUpdate"},
                      {"rollingUpdate", {{"maxUnavailable", "100%"}}}}}}}};
  } else {
    out.kind = "Pod";
    out.api_version = "v1";
    md["annotations"] = tmd["annotations"];
    out.object = {{"apiVersion", out.api_version},
                  {"kind", out.kind},
                  {"metadata", std::move(md)},
                  {"spec", std::move(tmpl["spec"])}};
  }
  return out;
}

std::vector<json::object>
desired_agent_rbac(const std::string& ns,
                   const std::vector<const json::object*>& debuggers) {
  json::array owners;
  for (auto d : debuggers)
    if (d)
      owners.push_back(owner_reference(*d, false));
  auto verbs = [](std::initializer_list<const char*> v) {
    json::array a;
    for (auto s : v)
      a.push_back(json::string(s));
    return a;
  };
  json::array rules{
      // Read its own Debugger (status.currentRun) and Pinger (live config).
      json::object{{"apiGroups", json::array{api_group}},
                   {"resources", json::array{"debuggers", "pingers"}},
                   {"verbs", verbs({"get", "list", "watch"})}},
      // Find peer agents; write the node summary onto its own pod.
      json::object{{"apiGroups", json::array{""}},
                   {"resources", json::array{"pods"}},
                   {"verbs", verbs({"get", "list", "watch", "patch"})}},
      // Peer DaemonSet (pinger --ds-name).
      json::object{{"apiGroups", json::array{"apps"}},
                   {"resources", json::array{"daemonsets"}},
                   {"verbs", verbs({"get"})}},
      // TargetDown / TargetUp Events on its own pod.
      json::object{{"apiGroups", json::array{"", "events.k8s.io"}},
                   {"resources", json::array{"events"}},
                   {"verbs", verbs({"create", "patch"})}}};
  json::array subjects{json::object{
      {"kind", "ServiceAccount"}, {"name", agent_name}, {"namespace", ns}}};
  std::vector<json::object> out;
  out.push_back({{"apiVersion", "v1"},
                 {"kind", "ServiceAccount"},
                 {"metadata", metadata(agent_name, ns, owners)}});
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "Role"},
                 {"metadata", metadata(agent_name, ns, owners)},
                 {"rules", std::move(rules)}});
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "RoleBinding"},
                 {"metadata", metadata(agent_name, ns, owners)},
                 {"roleRef",
                  {{"apiGroup", "rbac.authorization.k8s.io"},
                   {"kind", "Role"},
                   {"name", agent_name}}},
                 {"subjects", subjects}});
  // Cluster-scoped: no namespaced owner possible; the controller deletes it
  // when the namespace hosts no Debugger any more.
  auto crb_md = metadata(std::string(agent_nodes_role) + "-" + ns, "", {});
  crb_md["labels"].as_object()["kubecombo.com/agent-namespace"] = ns;
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "ClusterRoleBinding"},
                 {"metadata", std::move(crb_md)},
                 {"roleRef",
                  {{"apiGroup", "rbac.authorization.k8s.io"},
                   {"kind", "ClusterRole"},
                   {"name", agent_nodes_role}}},
                 {"subjects", std::move(subjects)}});
  return out;
}

} // namespace kc::k8s::kubecombo
