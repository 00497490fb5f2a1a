#pragma once

#include <caf/meta/type_name.hpp>

#include <string>

namespace kc {

/// Identifies a namespaced Kubernetes object: `namespace/name`.
struct object_key {
  /// The namespace; empty for cluster-scoped objects.
  std::string ns;
  /// The object's name.
  std::string name;

  friend bool operator==(const object_key&, const object_key&) = default;
  friend auto operator<=>(const object_key&, const object_key&) = default;
};

/// Renders a key as `ns/name` (or `name` when cluster-scoped).
inline std::string to_string(const object_key& k) {
  return k.ns.empty() ? k.name : k.ns + "/" + k.name;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, object_key& x) {
  return f(caf::meta::type_name("kc::object_key"), x.ns, x.name);
}

} // namespace kc
