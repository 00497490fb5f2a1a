#pragma once

#include <boost/json/object.hpp>

#include <string>

namespace kc::k8s {

/// OpenAPI v3 component schemas of the built-in kinds, keyed by their
/// real names ("io.k8s.api.core.v1.Pod"). References use
/// `{"$ref":"#/components/schemas/<name>"}`; top-level kinds carry
/// `x-kubernetes-group-version-kind`. Parts kubecombo does not model are
/// `x-kubernetes-preserve-unknown-fields`. [added by B]
const boost::json::object& builtin_schemas();

/// The component name of a built-in kind ("" if unknown), e.g.
/// ("apps", "Deployment") → "io.k8s.api.apps.v1.Deployment".
std::string builtin_schema_name(const std::string& group,
                                const std::string& kind);

/// Resolves `{"$ref": ...}` against builtin_schemas(); other schemas are
/// returned unchanged. Never null for a non-null input.
const boost::json::object* resolve_schema_ref(const boost::json::object* s);

} // namespace kc::k8s
