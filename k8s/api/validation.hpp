#pragma once

#include "k8s/api/resource_type.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace kc::k8s {

/// One invalid field, as a cause of a 422 Invalid Status (api:S1).
struct field_error {
  /// FieldValueInvalid, FieldValueRequired, FieldValueNotSupported,
  /// FieldValueTooLong, FieldValueTypeInvalid, ...
  std::string reason;
  /// "metadata.name", "spec.workloadType", ...
  std::string field;
  /// "Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must ..."
  std::string message;
};

/// A value whose JSON type a Go decoder rejects for a built-in field, e.g.
/// `true` in ConfigMap `data` (a map of strings). [added in integration]
struct decode_error {
  /// Dotted field path without list indices, e.g. "data" or "metadata.labels".
  std::string field;
  /// The JSON type found: "bool", "number", "string", "array", "object".
  std::string got;
  /// The Go type expected, e.g. "string", "int64", "map[string]string".
  std::string want;
};

/// The outcome of validating and defaulting one object.
struct validation_result {
  /// Type mismatches in built-ins: the write fails with 400 BadRequest
  /// before any other check, as kube-apiserver's decoder does.
  std::vector<decode_error> decode_errors;
  /// Problems that make the write fail with 422 Invalid.
  std::vector<field_error> errors;
  /// Paths of fields the schema does not know, e.g. "spec.foo"
  /// (fieldValidation Strict → 400, Warn → Warning header, Ignore → pruned).
  std::vector<std::string> unknown_fields;
};

/// Validates `obj` of `type` and applies schema defaults in place:
/// metadata (name per DNS-1123 rules of the kind, labels, annotations),
/// custom resources against their structural schema (type, required, enum,
/// pattern, minimum/maximum, maxLength, default, nullable,
/// x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string) with
/// unknown fields pruned, and the known top-level fields of built-ins.
validation_result validate_object(const resource_type& type,
                                  boost::json::object& obj);

/// Validates an object name for `type` (DNS-1123 subdomain or label).
/// Returns an empty string or the reason.
std::string validate_name(const resource_type& type, const std::string& name);

} // namespace kc::k8s
