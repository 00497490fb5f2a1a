#pragma once

#include "k8s/api/resource_type.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kc::k8s {

/// The catalogue of served resources: the built-ins and the custom resources
/// of every Established CRD. Thread-safe: many readers, rare writers.
class resource_registry {
public:
  /// Loads the built-in catalogue (DESIGN.md §5, issue 2 item 5).
  resource_registry();

  /// Finds a resource by group, version and plural name; null if not served.
  resource_type_ptr find(std::string_view group, std::string_view version,
                         std::string_view resource) const;

  /// Finds a resource by group, version and kind; null if not served.
  resource_type_ptr find_kind(std::string_view group, std::string_view version,
                              std::string_view kind) const;

  /// Every served resource, built-ins first, in a stable order.
  std::vector<resource_type_ptr> all() const;

  /// Serves (or re-serves) the versions of a CRD object. Returns an empty
  /// string on success or a message explaining why the CRD is invalid.
  std::string apply_crd(const boost::json::object& crd);

  /// Stops serving the resources of the CRD named `name`
  /// (e.g. "debuggers.vpn-gw.kubecombo.com").
  void remove_crd(std::string_view name);

  /// Changes whenever the set of served resources changes (OpenAPI hash).
  uint64_t generation() const {
    return generation_.load();
  }

private:
  mutable std::shared_mutex mtx_;
  std::vector<resource_type_ptr> builtins_;
  std::vector<std::pair<std::string, std::vector<resource_type_ptr>>> crds_;
  std::atomic<uint64_t> generation_{1};
};

/// Validates a CustomResourceDefinition object the way the apiserver does
/// for the fields kubecombo uses; each entry is one
/// "field: Invalid value: ...: why" cause. Empty if valid. [added by B]
std::vector<std::string> validate_crd(const boost::json::object& crd);

/// The resource types (one per served version) of a valid CRD object, or
/// the joined validation messages. [added by B]
std::variant<std::vector<resource_type_ptr>, std::string>
crd_resource_types(const boost::json::object& crd);

} // namespace kc::k8s
