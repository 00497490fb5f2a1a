#include "k8s/api/resource_registry.hpp"

#include "k8s/api/json_access.hpp"

#include "k8s/api/builtin_catalogue.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace kc::k8s {

namespace json = boost::json;

namespace {

/// The description kubectl shows for the Name column.
constexpr const char* name_description
  = "Name must be unique within a namespace. Is required when creating "
    "resources, although some resources may allow a client to request the "
    "generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot "
    "be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/"
    "names#names";

/// The description of the default Age column of custom resources.
constexpr const char* age_description
  = "CreationTimestamp is a timestamp representing the server time when this "
    "object was created. It is not guaranteed to be set in happens-before "
    "order across separate operations. Clients may not set this value. It is "
    "represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
    "Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";

std::vector<std::string> strings_at(const json::object& o,
                                    std::string_view key) {
  std::vector<std::string> out;
  if (auto a = arr_at(o, key))
    for (auto& v : *a)
      if (auto s = v.if_string())
        out.emplace_back(*s);
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return s;
}

std::string invalid(const std::string& field, const std::string& value,
                    const std::string& why) {
  return field + ": Invalid value: \"" + value + "\": " + why;
}

std::string required(const std::string& field) {
  return field + ": Required value";
}

/// Columns of one CRD version (api:T3).
std::vector<printer_column> crd_columns(const json::object& version) {
  std::vector<printer_column> cols;
  cols.push_back({"Name", "string", "name", name_description, 0, ""});
  auto apc = arr_at(version, "additionalPrinterColumns");
  if (!apc || apc->empty()) {
    cols.push_back(
      {"Age", "date", "", age_description, 0, ".metadata.creationTimestamp"});
    return cols;
  }
  for (auto& v : *apc) {
    auto c = v.if_object();
    if (!c)
      continue;
    printer_column pc;
    pc.name = str_at(*c, "name");
    pc.type = str_at(*c, "type");
    pc.format = str_at(*c, "format");
    pc.description = str_at(*c, "description");
    pc.json_path = str_at(*c, "jsonPath");
    if (auto it = c->find("priority"); it != c->end())
      if (auto p = it->value().if_int64())
        pc.priority = static_cast<int>(*p);
    cols.push_back(std::move(pc));
  }
  return cols;
}

} // namespace

std::vector<std::string> validate_crd(const json::object& crd) {
  std::vector<std::string> errs;
  auto meta = obj_at(crd, "metadata");
  auto spec = obj_at(crd, "spec");
  std::string name = meta ? str_at(*meta, "name") : "";
  if (!spec) {
    errs.push_back(required("spec"));
    return errs;
  }
  auto group = str_at(*spec, "group");
  if (group.empty())
    errs.push_back(required("spec.group"));
  else if (group.find('.') == std::string::npos)
    errs.push_back(invalid("spec.group", group,
                           "should be a domain with at least one dot"));
  auto names = obj_at(*spec, "names");
  std::string plural = names ? str_at(*names, "plural") : "";
  if (plural.empty())
    errs.push_back(required("spec.names.plural"));
  if (!names || str_at(*names, "kind").empty())
    errs.push_back(required("spec.names.kind"));
  if (!plural.empty() && !group.empty() && name != plural + "." + group)
    errs.push_back(invalid("metadata.name", name,
                           "must be spec.names.plural+\".\"+spec.group"));
  auto scope = str_at(*spec, "scope");
  if (scope != "Namespaced" && scope != "Cluster")
    errs.push_back(scope.empty()
                     ? required("spec.scope")
                     : "spec.scope: Unsupported value: \"" + scope
                         + "\": supported values: \"Cluster\", "
                           "\"Namespaced\"");
  auto versions = arr_at(*spec, "versions");
  if (!versions || versions->empty()) {
    errs.push_back(
      "spec.versions: Invalid value: null: must have exactly one version "
      "marked as storage version");
    return errs;
  }
  int storage = 0;
  int served = 0;
  for (std::size_t i = 0; i < versions->size(); ++i) {
    auto v = (*versions)[i].if_object();
    auto path = "spec.versions[" + std::to_string(i) + "]";
    if (!v) {
      errs.push_back(path + ": Invalid value: must be an object");
      continue;
    }
    if (str_at(*v, "name").empty())
      errs.push_back(required(path + ".name"));
    storage += bool_at(*v, "storage") ? 1 : 0;
    served += bool_at(*v, "served") ? 1 : 0;
    auto schema = obj_at(*v, "schema");
    if (!schema || !obj_at(*schema, "openAPIV3Schema"))
      errs.push_back(required(path + ".schema.openAPIV3Schema"));
  }
  if (storage != 1)
    errs.push_back("spec.versions: Invalid value: \"" + std::to_string(storage)
                   + "\": must have exactly one version marked as storage "
                     "version");
  if (served == 0)
    errs.push_back("spec.versions: Invalid value: \"0\": must have at least "
                   "one served version");
  return errs;
}

std::variant<std::vector<resource_type_ptr>, std::string>
crd_resource_types(const json::object& crd) {
  auto errs = validate_crd(crd);
  if (!errs.empty()) {
    std::string msg;
    for (auto& e : errs)
      msg += (msg.empty() ? "" : ", ") + e;
    return msg;
  }
  auto& spec = *obj_at(crd, "spec");
  auto& names = *obj_at(spec, "names");
  std::vector<resource_type_ptr> out;
  for (auto& vv : *arr_at(spec, "versions")) {
    auto& v = vv.as_object();
    if (!bool_at(v, "served"))
      continue;
    auto t = std::make_shared<resource_type>();
    t->group = str_at(spec, "group");
    t->version = str_at(v, "name");
    t->resource = str_at(names, "plural");
    t->kind = str_at(names, "kind");
    t->singular = str_at(names, "singular");
    if (t->singular.empty())
      t->singular = lower(t->kind);
    t->list_kind = str_at(names, "listKind");
    if (t->list_kind.empty())
      t->list_kind = t->kind + "List";
    t->namespaced = str_at(spec, "scope") == "Namespaced";
    t->verbs = {"delete", "deletecollection", "get",   "list",
                "patch",  "create",           "update", "watch"};
    t->short_names = strings_at(names, "shortNames");
    t->categories = strings_at(names, "categories");
    if (auto sub = obj_at(v, "subresources")) {
      if (obj_at(*sub, "status"))
        t->subresources.push_back("status");
      if (obj_at(*sub, "scale"))
        t->subresources.push_back("scale");
    }
    t->custom = true;
    auto& schema = *obj_at(*obj_at(v, "schema"), "openAPIV3Schema");
    t->schema = std::make_shared<const json::value>(schema);
    t->columns = crd_columns(v);
    if (auto sf = arr_at(v, "selectableFields"))
      for (auto& f : *sf)
        if (auto fo = f.if_object()) {
          auto path = str_at(*fo, "jsonPath");
          if (path.size() > 1 && path.front() == '.')
            t->selectable_fields.push_back(path.substr(1));
        }
    out.push_back(std::move(t));
  }
  return out;
}

resource_registry::resource_registry() : builtins_(builtin_resource_types()) {
}

resource_type_ptr resource_registry::find(std::string_view group,
                                          std::string_view version,
                                          std::string_view resource) const {
  std::shared_lock lock{mtx_};
  auto hit = [&](const resource_type_ptr& t) {
    return t->group == group && t->version == version
           && t->resource == resource;
  };
  for (auto& t : builtins_)
    if (hit(t))
      return t;
  for (auto& [name, types] : crds_)
    for (auto& t : types)
      if (hit(t))
        return t;
  return nullptr;
}

resource_type_ptr resource_registry::find_kind(std::string_view group,
                                               std::string_view version,
                                               std::string_view kind) const {
  std::shared_lock lock{mtx_};
  auto hit = [&](const resource_type_ptr& t) {
    return t->group == group && t->version == version && t->kind == kind;
  };
  for (auto& t : builtins_)
    if (hit(t))
      return t;
  for (auto& [name, types] : crds_)
    for (auto& t : types)
      if (hit(t))
        return t;
  return nullptr;
}

std::vector<resource_type_ptr> resource_registry::all() const {
  std::shared_lock lock{mtx_};
  auto out = builtins_;
  for (auto& [name, types] : crds_)
    out.insert(out.end(), types.begin(), types.end());
  return out;
}

std::string resource_registry::apply_crd(const json::object& crd) {
  try {
    auto parsed = crd_resource_types(crd);
    if (auto msg = std::get_if<std::string>(&parsed))
      return *msg;
    auto& types = std::get<std::vector<resource_type_ptr>>(parsed);
    auto name = str_at(*obj_at(crd, "metadata"), "name");
    std::unique_lock lock{mtx_};
    for (auto& t : types)
      for (auto& b : builtins_)
        if (b->group == t->group && b->resource == t->resource)
          return "spec.group: Invalid value: \"" + t->group
                 + "\": the group and plural name are served by a built-in "
                   "resource";
    auto it = std::find_if(crds_.begin(), crds_.end(),
                           [&](auto& p) { return p.first == name; });
    if (it != crds_.end())
      it->second = std::move(types);
    else
      crds_.emplace_back(name, std::move(types));
    ++generation_;
    return {};
  } catch (const std::exception& e) {
    return std::string("invalid CustomResourceDefinition: ") + e.what();
  }
}

void resource_registry::remove_crd(std::string_view name) {
  std::unique_lock lock{mtx_};
  auto it = std::find_if(crds_.begin(), crds_.end(),
                         [&](auto& p) { return p.first == name; });
  if (it == crds_.end())
    return;
  crds_.erase(it);
  ++generation_;
}

} // namespace kc::k8s
