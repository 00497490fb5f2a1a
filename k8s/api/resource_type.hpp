#pragma once

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <vector>

namespace kc::k8s {

/// One column of a server-side Table (api:T2/T3).
struct printer_column {
  /// Column header, e.g. "Ready".
  std::string name;
  /// OpenAPI type: string, integer, number, boolean, date.
  std::string type = "string";
  /// OpenAPI format, e.g. "name" for the Name column.
  std::string format;
  /// Human description.
  std::string description;
  /// 0 = always shown, 1 = only with `-o wide`.
  int priority = 0;
  /// Simple JSONPath for custom resources, e.g. ".status.ready".
  std::string json_path;
};

/// Everything the control plane and the client know about one served
/// resource (a built-in or a custom resource from an Established CRD).
struct resource_type {
  /// API group; "" for the core group.
  std::string group;
  /// API version, e.g. "v1".
  std::string version;
  /// Plural resource name, e.g. "configmaps".
  std::string resource;
  /// Singular name, e.g. "configmap".
  std::string singular;
  /// Kind, e.g. "ConfigMap".
  std::string kind;
  /// List kind, e.g. "ConfigMapList".
  std::string list_kind;
  /// Namespaced or cluster-scoped.
  bool namespaced = true;
  /// Verbs for discovery (create, delete, deletecollection, get, list,
  /// patch, update, watch).
  std::vector<std::string> verbs;
  /// Short names, e.g. {"cm"}.
  std::vector<std::string> short_names;
  /// Categories, e.g. {"all"}.
  std::vector<std::string> categories;
  /// Served subresources, e.g. {"status", "log", "exec"}.
  std::vector<std::string> subresources;
  /// True when served from a CustomResourceDefinition.
  bool custom = false;
  /// The CRD's openAPIV3Schema for this version (null for built-ins).
  std::shared_ptr<const boost::json::value> schema;
  /// Table columns. For CRDs: Name + additionalPrinterColumns (or + Age).
  std::vector<printer_column> columns;
  /// Extra field-selector labels of a CRD version (`selectableFields`,
  /// e.g. "spec.color"). [added by B]
  std::vector<std::string> selectable_fields;

  /// "v1" for core, "group/version" otherwise.
  std::string api_version() const {
    return group.empty() ? version : group + "/" + version;
  }

  /// "configmaps" for core, "deployments.apps" otherwise (used in messages).
  std::string group_resource() const {
    return group.empty() ? resource : resource + "." + group;
  }

  /// True if `name` is one of the served subresources.
  bool has_subresource(const std::string& name) const {
    for (auto& s : subresources)
      if (s == name)
        return true;
    return false;
  }
};

/// Shared, immutable handle to a resource type.
using resource_type_ptr = std::shared_ptr<const resource_type>;

} // namespace kc::k8s
