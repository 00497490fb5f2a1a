#pragma once

#include "k8s/api/validation.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace kc::k8s {

/// Walks `value` at `path` against a structural OpenAPI v3 schema
/// (api:O3 / CRD openAPIV3Schema). With `full` it type-checks, validates
/// (required, enum, pattern, bounds, lengths, items) and applies defaults in
/// place; without it only prunes and reports unknown fields (built-ins).
/// Unknown fields are always pruned and recorded. `$ref`s resolve against
/// the built-in component schemas. [added by B]
void walk_schema(boost::json::value& value, const boost::json::object& schema,
                 const std::string& path, bool full, validation_result& out);

/// Renders a JSON value the way Go's field errors print it ("x" quoted,
/// numbers plain, 1.0 as 1). [added by B]
std::string format_value(const boost::json::value& v);

} // namespace kc::k8s
