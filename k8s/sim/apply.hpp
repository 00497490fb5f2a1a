#pragma once

// Server-side apply with field ownership (ADR 0006): metadata.managedFields
// per manager and operation, conflicts, force, removal of fields a manager
// stopped applying; Update operations of other writes.

#include "k8s/api/resource_type.hpp"
#include "k8s/sim/request.hpp"
#include "k8s/sim/util.hpp"

#include <string>
#include <variant>

namespace kc::sim {

/// True if `req` is an apply patch (application/apply-patch+yaml).
bool is_apply(const api_request& req);

/// The manager of a write: ?fieldManager=, else "unknown".
std::string field_manager(const api_request& req);

/// Applies `patch` as `manager` to `live` (null: create). Returns the new
/// object carrying its managedFields, or a 409 Conflict Status naming one
/// cause per conflicting field (unless `force`).
std::variant<json::object, api_response>
server_side_apply(const k8s::resource_type& t, const json::object* live,
                  const json::object& patch, const std::string& manager,
                  bool force, bool status_write);

/// Records an Update by `manager` in obj.metadata.managedFields: it owns
/// what it changed (taken from other managers without conflict) and keeps
/// what it owned before; with no change, `old`'s managedFields stay as
/// they are (a no-op update stays a no-op).
void record_update(const k8s::resource_type& t, const json::object* old,
                   json::object& obj, const std::string& manager,
                   bool status_write);

} // namespace kc::sim
