#include "k8s/api/validation.hpp"

#include "k8s/api/builtin_schemas.hpp"
#include "k8s/api/name_rules.hpp"
#include "k8s/api/schema_walker.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace kc::k8s {

namespace json = boost::json;

namespace {

/// Total size limit of metadata.annotations (apimachinery).
constexpr std::size_t total_annotation_size_limit = 256 * 1024;

std::vector<std::string> name_problems(const resource_type& type,
                                       const std::string& name) {
  if (!type.custom && type.group.empty()) {
    if (type.kind == "Namespace")
      return is_dns1123_label(name);
    if (type.kind == "Service")
      return is_dns1035_label(name);
  }
  if (!type.custom && type.group == "rbac.authorization.k8s.io")
    return is_path_segment_name(name);
  return is_dns1123_subdomain(name);
}

std::string str_of(const json::object& o, std::string_view key) {
  if (auto v = o.if_contains(key); v && v->is_string())
    return std::string(v->as_string());
  return {};
}

void validate_metadata(const resource_type& type, const json::object& meta,
                       validation_result& out) {
  auto name = str_of(meta, "name");
  if (name.empty()) {
    if (str_of(meta, "generateName").empty())
      out.errors.push_back({"FieldValueRequired", "metadata.name",
                            "Required value: name or generateName is "
                            "required"});
  } else {
    for (auto& m : name_problems(type, name))
      out.errors.push_back({"FieldValueInvalid", "metadata.name",
                            "Invalid value: " + format_value(json::string(name))
                              + ": " + m});
  }
  auto ns = str_of(meta, "namespace");
  if (type.namespaced && !ns.empty())
    for (auto& m : is_dns1123_label(ns))
      out.errors.push_back({"FieldValueInvalid", "metadata.namespace",
                            "Invalid value: " + format_value(json::string(ns))
                              + ": " + m});
  if (auto labels = meta.if_contains("labels"); labels && labels->is_object())
    for (auto& [k, v] : labels->as_object()) {
      for (auto& m : is_qualified_name(std::string(k)))
        out.errors.push_back({"FieldValueInvalid", "metadata.labels",
                              "Invalid value: "
                                + format_value(json::string(k)) + ": " + m});
      if (v.is_string())
        for (auto& m : is_valid_label_value(std::string(v.as_string())))
          out.errors.push_back({"FieldValueInvalid", "metadata.labels",
                                "Invalid value: " + format_value(v) + ": "
                                  + m});
    }
  if (auto ann = meta.if_contains("annotations"); ann && ann->is_object()) {
    std::size_t total = 0;
    for (auto& [k, v] : ann->as_object()) {
      std::string lower(k);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) {
                       return static_cast<char>(std::tolower(c));
                     });
      for (auto& m : is_qualified_name(lower))
        out.errors.push_back({"FieldValueInvalid", "metadata.annotations",
                              "Invalid value: "
                                + format_value(json::string(k)) + ": " + m});
      total += k.size() + (v.is_string() ? v.as_string().size() : 0);
    }
    if (total > total_annotation_size_limit)
      out.errors.push_back({"FieldValueTooLong", "metadata.annotations",
                            "Too long: may not be more than 262144 bytes"});
  }
}

/// A few required fields of the kinds users write by hand.
void validate_builtin_spec(const resource_type& type, const json::object& obj,
                           validation_result& out) {
  auto spec_v = obj.if_contains("spec");
  auto spec = spec_v ? spec_v->if_object() : nullptr;
  auto require = [&](const json::object* o, std::string_view key,
                     const std::string& path) {
    auto v = o ? o->if_contains(key) : nullptr;
    bool empty = !v || v->is_null() || (v->is_string() && v->as_string().empty())
                 || (v->is_array() && v->as_array().empty());
    if (empty)
      out.errors.push_back({"FieldValueRequired", path, "Required value"});
  };
  auto containers = [&](const json::object* pod_spec, const std::string& at) {
    require(pod_spec, "containers", at + ".containers");
    auto c = pod_spec ? pod_spec->if_contains("containers") : nullptr;
    if (!c || !c->is_array())
      return;
    for (std::size_t i = 0; i < c->as_array().size(); ++i) {
      auto co = c->as_array()[i].if_object();
      auto p = at + ".containers[" + std::to_string(i) + "]";
      require(co, "name", p + ".name");
      require(co, "image", p + ".image");
    }
  };
  if (type.group.empty() && type.kind == "Pod") {
    containers(spec, "spec");
  } else if (type.group == "apps"
             && (type.kind == "Deployment" || type.kind == "DaemonSet")) {
    require(spec, "selector", "spec.selector");
    auto tpl = spec ? spec->if_contains("template") : nullptr;
    auto tpl_spec = tpl && tpl->is_object()
                      ? tpl->as_object().if_contains("spec")
                      : nullptr;
    containers(tpl_spec ? tpl_spec->if_object() : nullptr,
               "spec.template.spec");
  }
}

/// The root schema of a custom resource: the CRD schema without
/// apiVersion/kind/metadata (validated as ObjectMeta), as an embedded
/// resource.
json::object custom_root(const resource_type& type) {
  json::object root;
  if (type.schema && type.schema->is_object())
    root = type.schema->as_object();
  if (auto p = root.if_contains("properties"); p && p->is_object()) {
    p->as_object().erase("apiVersion");
    p->as_object().erase("kind");
    p->as_object().erase("metadata");
  }
  root["x-kubernetes-embedded-resource"] = true;
  if (!root.contains("type"))
    root["type"] = "object";
  return root;
}

} // namespace

std::string validate_name(const resource_type& type, const std::string& name) {
  return join_messages(name_problems(type, name));
}

validation_result validate_object(const resource_type& type,
                                  json::object& obj) {
  validation_result out;
  try {
    auto meta = obj.if_contains("metadata");
    if (meta && meta->is_object())
      validate_metadata(type, meta->as_object(), out);
    else
      validate_metadata(type, json::object{}, out);
    json::value whole(std::move(obj));
    if (type.custom) {
      walk_schema(whole, custom_root(type), "", true, out);
    } else {
      auto name = builtin_schema_name(type.group, type.kind);
      auto& all = builtin_schemas();
      if (auto it = all.find(name); it != all.end() && it->value().is_object())
        walk_schema(whole, it->value().as_object(), "", false, out);
    }
    obj = std::move(whole.as_object());
    if (!type.custom)
      validate_builtin_spec(type, obj, out);
  } catch (const std::exception& e) {
    out.errors.push_back({"InternalError", "", e.what()});
  }
  return out;
}

} // namespace kc::k8s
