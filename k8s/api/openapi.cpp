#include "k8s/api/openapi.hpp"

#include "k8s/api/builtin_schemas.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace kc::k8s {

namespace json = boost::json;

namespace {

constexpr std::string_view ref_prefix = "#/components/schemas/";
constexpr const char* object_meta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// "/api/v1" or "/apis/{group}/{version}".
std::string gv_root(const std::string& group, const std::string& version) {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

/// The ETag-like `hash` of one group-version document: changes with the
/// registry generation.
std::string gv_hash(uint64_t generation, const std::string& gv) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (int i = 0; i < 8; ++i)
    mix(static_cast<unsigned char>(generation >> (8 * i)));
  for (char c : gv)
    mix(static_cast<unsigned char>(c));
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llX", static_cast<unsigned long long>(h));
  return buf;
}

/// "vpn-gw.kubecombo.com" → "VpnGwKubecomboCom"; "" → "Core".
std::string camel(const std::string& s, const char* empty) {
  if (s.empty())
    return empty;
  std::string out;
  bool up = true;
  for (char c : s) {
    if (c == '.' || c == '-') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : c;
    up = false;
  }
  return out;
}

/// "vpn-gw.kubecombo.com", "v1", "Debugger" → "com.kubecombo.vpn-gw.v1.Debugger".
std::string custom_schema_name(const resource_type& t) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = t.group.find('.', start);
    parts.push_back(t.group.substr(start, dot - start));
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it)
    out += *it + ".";
  return out + t.version + "." + t.kind;
}

json::object param(const char* name, const char* in, const char* description) {
  return {{"name", name},
          {"in", in},
          {"description", description},
          {"schema", json::object{{"type", "string"}, {"uniqueItems", true}}}};
}

json::object patch_op(const resource_type& t, const std::string& schema_name) {
  std::string scope = t.namespaced ? "Namespaced" : "";
  json::array params{
    param("dryRun", "query",
          "When present, indicates that modifications should not be "
          "persisted."),
    param("fieldManager", "query",
          "fieldManager is a name associated with the actor or entity that "
          "is making these changes."),
    param("fieldValidation", "query",
          "fieldValidation instructs the server on how to handle objects in "
          "the request (POST/PUT/PATCH) containing unknown or duplicate "
          "fields. Valid values are: - Ignore - Warn - Strict"),
    json::object{{"name", "force"},
                 {"in", "query"},
                 {"description", "Force is going to \"force\" Apply requests."},
                 {"schema", json::object{{"type", "boolean"},
                                         {"uniqueItems", true}}}}};
  return {
    {"tags", json::array{camel(t.group, "core") + "_" + t.version}},
    {"description", "partially update the specified " + t.kind},
    {"operationId", "patch" + camel(t.group, "Core") + camel(t.version, "")
                      + scope + t.kind},
    {"parameters", std::move(params)},
    {"responses",
     json::object{
       {"200",
        json::object{
          {"description", "OK"},
          {"content",
           json::object{{"application/json",
                         json::object{{"schema",
                                       json::object{{"$ref",
                                                     std::string(ref_prefix)
                                                       + schema_name}}}}}}}}}}},
    {"x-kubernetes-action", "patch"},
    {"x-kubernetes-group-version-kind",
     json::object{{"group", t.group}, {"version", t.version}, {"kind", t.kind}}}};
}

json::object path_item(const resource_type& t, const std::string& schema_name) {
  json::array params{json::object{
    {"name", "name"},
    {"in", "path"},
    {"description", "name of the " + t.kind},
    {"required", true},
    {"schema", json::object{{"type", "string"}, {"uniqueItems", true}}}}};
  if (t.namespaced)
    params.push_back(json::object{
      {"name", "namespace"},
      {"in", "path"},
      {"description", "object name and auth scope, such as for teams and "
                      "projects"},
      {"required", true},
      {"schema", json::object{{"type", "string"}, {"uniqueItems", true}}}});
  return {{"patch", patch_op(t, schema_name)}, {"parameters", std::move(params)}};
}

/// Adds `name` and every built-in component it references to `out`.
void add_with_refs(const std::string& name, json::object& out, int depth = 0) {
  if (depth > 32 || out.contains(name))
    return;
  auto& all = builtin_schemas();
  auto it = all.find(name);
  if (it == all.end())
    return;
  out[name] = it->value();
  std::vector<const json::value*> stack{&it->value()};
  while (!stack.empty()) {
    auto v = stack.back();
    stack.pop_back();
    if (auto o = v->if_object()) {
      for (auto& [k, child] : *o) {
        if (k == "$ref" && child.is_string()) {
          std::string_view r = child.as_string();
          if (r.substr(0, ref_prefix.size()) == ref_prefix)
            add_with_refs(std::string(r.substr(ref_prefix.size())), out,
                          depth + 1);
        } else {
          stack.push_back(&child);
        }
      }
    } else if (auto a = v->if_array()) {
      for (auto& child : *a)
        stack.push_back(&child);
    }
  }
}

/// The component schema of a custom resource (api:O3).
json::object custom_schema(const resource_type& t) {
  json::object s;
  if (t.schema && t.schema->is_object())
    s = t.schema->as_object();
  if (!s.contains("type"))
    s["type"] = "object";
  auto& props = s["properties"];
  if (!props.is_object())
    props = json::object{};
  auto& p = props.as_object();
  p["apiVersion"] = json::object{
    {"description", "APIVersion defines the versioned schema of this "
                    "representation of an object."},
    {"type", "string"}};
  p["kind"] = json::object{
    {"description", "Kind is a string value representing the REST resource "
                    "this object represents."},
    {"type", "string"}};
  p["metadata"] = json::object{
    {"description", "Standard object's metadata."},
    {"allOf", json::array{json::object{
                {"$ref", std::string(ref_prefix) + object_meta}}}}};
  s["x-kubernetes-group-version-kind"] = json::array{json::object{
    {"group", t.group}, {"version", t.version}, {"kind", t.kind}}};
  return s;
}

} // namespace

json::value openapi_index(const resource_registry& reg) {
  std::set<std::pair<std::string, std::string>> gvs;
  for (auto& t : reg.all())
    gvs.emplace(t->group, t->version);
  json::object paths;
  auto gen = reg.generation();
  for (auto& [g, v] : gvs) {
    auto key = gv_root(g, v).substr(1);
    paths[key] = json::object{
      {"serverRelativeURL",
       "/openapi/v3/" + key + "?hash=" + gv_hash(gen, key)}};
  }
  return json::object{{"paths", std::move(paths)}};
}

json::value openapi_group_version(const resource_registry& reg,
                                  const std::string& group,
                                  const std::string& version) {
  json::object paths;
  json::object schemas;
  bool served = false;
  for (auto& t : reg.all()) {
    if (t->group != group || t->version != version)
      continue;
    served = true;
    std::string name;
    if (t->custom) {
      name = custom_schema_name(*t);
      schemas[name] = custom_schema(*t);
      add_with_refs(object_meta, schemas);
    } else {
      name = builtin_schema_name(t->group, t->kind);
      add_with_refs(name, schemas);
    }
    auto root = gv_root(group, version);
    auto path = t->namespaced
                  ? root + "/namespaces/{namespace}/" + t->resource + "/{name}"
                  : root + "/" + t->resource + "/{name}";
    paths[path] = path_item(*t, name);
  }
  if (!served)
    return nullptr;
  return json::object{
    {"openapi", "3.0.0"},
    {"info", json::object{{"title", "Kubernetes"},
                          {"version", "v1.32.0-kubecombo"}}},
    {"paths", std::move(paths)},
    {"components", json::object{{"schemas", std::move(schemas)}}}};
}

} // namespace kc::k8s
