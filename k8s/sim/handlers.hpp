#pragma once

// Helpers shared by the verb handlers.

#include "k8s/api/selectors.hpp"
#include "k8s/api/table.hpp"
#include "k8s/sim/control_plane.hpp"

#include <optional>
#include <variant>

namespace kc::sim {

/// Label and field selectors of a LIST or WATCH (api:C7).
struct selection {
  k8s::label_selector labels;
  k8s::field_selector fields;

  /// True if no selector was given.
  bool all() const {
    return labels.empty() && fields.empty();
  }

  /// True if `obj` (in the presented form) matches.
  bool matches(const json::object& obj) const;
};

/// Parses labelSelector and fieldSelector; a 400 response on error.
std::variant<selection, api_response> parse_selection(const api_request& req,
                                                      const route& r);

/// A response with `json` as body.
api_response json_text(std::string json, unsigned code = 200);

/// Parses a request body into an object; a 400 response on error.
std::variant<json::object, api_response> parse_body(const api_request& req);

/// The resource type for error messages about Namespaces.
k8s::resource_type_ptr namespaces_type(const control_plane& cp);

/// True if dryRun=All was asked for; a 400 response for other values.
std::variant<bool, api_response> parse_dry_run(const api_request& req);

/// A pseudo resource type for Status messages about meta.k8s.io options
/// (`ListOptions.meta.k8s.io "" is invalid: ...`).
k8s::resource_type meta_type(const char* kind);

/// `resourceVersion` as a number, if given and not "0".
std::optional<uint64_t> requested_rv(const api_request& req);

} // namespace kc::sim
