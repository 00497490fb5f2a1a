#include "k8s/api/discovery.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace kc::k8s {

namespace json = boost::json;

namespace {

/// Kubernetes version priority (v1 > v1beta2 > v1beta1 > v1alpha1 > foo),
/// as used for preferredVersion and version order.
struct kube_version {
  int major = 0;
  int stage = 0; // 3 = GA, 2 = beta, 1 = alpha, 0 = not kube-like
  int minor = 0;
  std::string text;

  explicit kube_version(const std::string& v) : text(v) {
    if (v.size() < 2 || v[0] != 'v' || !std::isdigit(static_cast<unsigned char>(v[1])))
      return;
    std::size_t i = 1;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && i < 10)
      major = major * 10 + (v[i++] - '0');
    auto rest = v.substr(i);
    auto num = [&](std::size_t at) {
      int n = 0;
      if (at >= rest.size())
        return -1;
      for (std::size_t k = at; k < rest.size() && k < at + 9; ++k) {
        if (!std::isdigit(static_cast<unsigned char>(rest[k])))
          return -1;
        n = n * 10 + (rest[k] - '0');
      }
      return n;
    };
    if (rest.empty()) {
      stage = 3;
    } else if (rest.rfind("beta", 0) == 0 && num(4) >= 0) {
      stage = 2, minor = num(4);
    } else if (rest.rfind("alpha", 0) == 0 && num(5) >= 0) {
      stage = 1, minor = num(5);
    } else {
      major = 0;
    }
  }

  /// True if this version sorts before (is preferred over) `o`.
  bool before(const kube_version& o) const {
    if ((stage > 0) != (o.stage > 0))
      return stage > 0;
    if (stage == 0)
      return text < o.text;
    if (stage != o.stage)
      return stage > o.stage;
    if (major != o.major)
      return major > o.major;
    if (minor != o.minor)
      return minor > o.minor;
    return false;
  }
};

/// Order of the built-in groups in a real apiserver's /apis.
int builtin_group_rank(const std::string& g) {
  static const char* order[]
    = {"apps", "events.k8s.io", "rbac.authorization.k8s.io",
       "admissionregistration.k8s.io", "apiextensions.k8s.io",
       "coordination.k8s.io"};
  for (int i = 0; i < 6; ++i)
    if (g == order[i])
      return i;
  return 100;
}

/// group → versions (preferred first) → resources (alphabetical).
using catalogue
  = std::map<std::string,
             std::vector<std::pair<std::string, std::vector<resource_type_ptr>>>>;

catalogue by_group(const resource_registry& reg) {
  catalogue out;
  for (auto& t : reg.all()) {
    auto& versions = out[t->group];
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](auto& p) { return p.first == t->version; });
    if (it == versions.end()) {
      versions.emplace_back(t->version, std::vector<resource_type_ptr>{});
      it = versions.end() - 1;
    }
    it->second.push_back(t);
  }
  for (auto& [g, versions] : out) {
    std::stable_sort(versions.begin(), versions.end(), [](auto& a, auto& b) {
      return kube_version(a.first).before(kube_version(b.first));
    });
    for (auto& [v, types] : versions)
      std::stable_sort(types.begin(), types.end(), [](auto& a, auto& b) {
        return a->resource < b->resource;
      });
  }
  return out;
}

std::vector<std::string> ordered_groups(const catalogue& cat) {
  std::vector<std::string> groups;
  for (auto& [g, v] : cat)
    if (!g.empty())
      groups.push_back(g);
  std::stable_sort(groups.begin(), groups.end(), [](auto& a, auto& b) {
    auto ra = builtin_group_rank(a);
    auto rb = builtin_group_rank(b);
    return ra != rb ? ra < rb : a < b;
  });
  return groups;
}

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v)
    a.emplace_back(s);
  return a;
}

/// Subresource metadata: (kind group, kind version, kind, verbs).
struct sub_info {
  std::string group, version, kind;
  std::vector<std::string> verbs;
};

sub_info subresource_info(const resource_type& t, const std::string& sub) {
  if (sub == "scale")
    return {"autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  if (sub == "log")
    return {t.group, t.version, "Pod", {"get"}};
  if (sub == "token")
    return {"authentication.k8s.io", "v1", "TokenRequest", {"create"}};
  if (sub == "exec")
    return {t.group, t.version, "PodExecOptions", {"create", "get"}};
  return {t.group, t.version, t.kind, {"get", "patch", "update"}};
}

json::object gvk(const std::string& g, const std::string& v,
                 const std::string& k) {
  return {{"group", g}, {"version", v}, {"kind", k}};
}

json::object aggregated_resource(const resource_type& t) {
  json::object r{{"resource", t.resource},
                 {"responseKind", gvk(t.group, t.version, t.kind)},
                 {"scope", t.namespaced ? "Namespaced" : "Cluster"},
                 {"singularResource", t.singular},
                 {"verbs", strings(t.verbs)}};
  if (!t.short_names.empty())
    r["shortNames"] = strings(t.short_names);
  if (!t.categories.empty())
    r["categories"] = strings(t.categories);
  if (!t.subresources.empty()) {
    json::array subs;
    for (auto& s : t.subresources) {
      auto info = subresource_info(t, s);
      subs.push_back(json::object{
        {"subresource", s},
        {"responseKind", gvk(info.group, info.version, info.kind)},
        {"verbs", strings(info.verbs)}});
    }
    r["subresources"] = std::move(subs);
  }
  return r;
}

json::object aggregated_group(
  const std::string& group,
  const std::vector<std::pair<std::string, std::vector<resource_type_ptr>>>&
    versions) {
  json::array vs;
  for (auto& [v, types] : versions) {
    json::array rs;
    for (auto& t : types)
      rs.push_back(aggregated_resource(*t));
    vs.push_back(json::object{
      {"version", v}, {"resources", std::move(rs)}, {"freshness", "Current"}});
  }
  return {{"metadata", json::object{{"name", group},
                                    {"creationTimestamp", nullptr}}},
          {"versions", std::move(vs)}};
}

std::string trim_lower(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  s = b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return s;
}

} // namespace

json::value version_info() {
#if defined(__aarch64__)
  const char* platform = "linux/arm64";
#else
  const char* platform = "linux/amd64";
#endif
  return json::object{{"major", "1"},
                      {"minor", "32"},
                      {"gitVersion", "v1.32.0-kubecombo"},
                      {"gitCommit", "0000000000000000000000000000000000000000"},
                      {"gitTreeState", "clean"},
                      {"buildDate", "2026-11-28T00:00:00Z"},
                      {"goVersion", "go1.23.4"},
                      {"compiler", "gc"},
                      {"platform", platform}};
}

json::value discovery_core_versions(const std::string& server_address) {
  return json::object{
    {"kind", "APIVersions"},
    {"versions", json::array{"v1"}},
    {"serverAddressByClientCIDRs",
     json::array{json::object{{"clientCIDR", "0.0.0.0/0"},
                              {"serverAddress", server_address}}}}};
}

json::value discovery_groups(const resource_registry& reg) {
  auto cat = by_group(reg);
  json::array groups;
  for (auto& g : ordered_groups(cat)) {
    auto& versions = cat[g];
    json::array vs;
    for (auto& [v, types] : versions)
      vs.push_back(json::object{{"groupVersion", g + "/" + v}, {"version", v}});
    auto& pref = versions.front().first;
    groups.push_back(json::object{
      {"name", g},
      {"versions", std::move(vs)},
      {"preferredVersion",
       json::object{{"groupVersion", g + "/" + pref}, {"version", pref}}}});
  }
  return json::object{{"kind", "APIGroupList"},
                      {"apiVersion", "v1"},
                      {"groups", std::move(groups)}};
}

json::value discovery_resources(const resource_registry& reg,
                                const std::string& group,
                                const std::string& version) {
  auto cat = by_group(reg);
  auto git = cat.find(group);
  if (git == cat.end())
    return nullptr;
  auto vit = std::find_if(git->second.begin(), git->second.end(),
                          [&](auto& p) { return p.first == version; });
  if (vit == git->second.end())
    return nullptr;
  json::array rs;
  for (auto& t : vit->second) {
    json::object r{{"name", t->resource},
                   {"singularName", t->singular},
                   {"namespaced", t->namespaced},
                   {"kind", t->kind},
                   {"verbs", strings(t->verbs)}};
    if (!t->short_names.empty())
      r["shortNames"] = strings(t->short_names);
    if (!t->categories.empty())
      r["categories"] = strings(t->categories);
    rs.push_back(std::move(r));
    auto subs = t->subresources;
    std::sort(subs.begin(), subs.end());
    for (auto& s : subs) {
      auto info = subresource_info(*t, s);
      json::object sr{{"name", t->resource + "/" + s},
                      {"singularName", ""},
                      {"namespaced", t->namespaced}};
      if (info.group != t->group || info.version != t->version) {
        sr["group"] = info.group;
        sr["version"] = info.version;
      }
      sr["kind"] = info.kind;
      sr["verbs"] = strings(info.verbs);
      rs.push_back(std::move(sr));
    }
  }
  return json::object{
    {"kind", "APIResourceList"},
    {"apiVersion", "v1"},
    {"groupVersion", group.empty() ? version : group + "/" + version},
    {"resources", std::move(rs)}};
}

json::value discovery_aggregated(const resource_registry& reg, bool core) {
  auto cat = by_group(reg);
  json::array items;
  if (core) {
    if (auto it = cat.find(""); it != cat.end())
      items.push_back(aggregated_group("", it->second));
  } else {
    for (auto& g : ordered_groups(cat))
      items.push_back(aggregated_group(g, cat[g]));
  }
  return json::object{{"kind", "APIGroupDiscoveryList"},
                      {"apiVersion", "apidiscovery.k8s.io/v2"},
                      {"metadata", json::object{}},
                      {"items", std::move(items)}};
}

bool wants_aggregated_discovery(const std::string& accept) {
  std::size_t start = 0;
  while (start <= accept.size()) {
    auto comma = accept.find(',', start);
    auto range = accept.substr(
      start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? accept.size() + 1 : comma + 1;
    auto semi = range.find(';');
    auto type = trim_lower(range.substr(0, semi));
    std::map<std::string, std::string> params;
    while (semi != std::string::npos) {
      auto next = range.find(';', semi + 1);
      auto p = range.substr(semi + 1, next == std::string::npos
                                        ? std::string::npos
                                        : next - semi - 1);
      auto eq = p.find('=');
      if (eq != std::string::npos) {
        auto val = p.substr(eq + 1);
        auto b = val.find_first_not_of(" \t");
        auto e = val.find_last_not_of(" \t");
        val = b == std::string::npos ? "" : val.substr(b, e - b + 1);
        if (val.size() >= 2 && val.front() == '"' && val.back() == '"')
          val = val.substr(1, val.size() - 2);
        params[trim_lower(p.substr(0, eq))] = val;
      }
      semi = next;
    }
    if (params.count("q") && (params["q"] == "0" || params["q"] == "0.0"
                              || params["q"] == "0.000"))
      continue;
    if (type != "application/json" && type != "application/*"
        && type != "*/*")
      continue;
    if (params.count("as") || params.count("g") || params.count("v")) {
      if (type == "application/json" && params["g"] == "apidiscovery.k8s.io"
          && params["v"] == "v2" && params["as"] == "APIGroupDiscoveryList")
        return true;
      continue; // another typed form (v2beta1, Table, ...): not served here
    }
    return false; // plain JSON comes first: legacy discovery
  }
  return false;
}

} // namespace kc::k8s
