#pragma once

// Views of stored objects: events.k8s.io/v1 Events are stored in core/v1
// form (api:E1), custom resources are stored in the version they were written
// in and presented in the version asked for.

#include "k8s/api/resource_type.hpp"
#include "k8s/api/validation.hpp"
#include "k8s/sim/store.hpp"

#include <string>
#include <vector>

namespace kc::sim {

/// True if `obj` must be converted to be shown as `t`.
bool needs_view(const k8s::resource_type& t, const json::object& obj);

/// `obj` (storage form) as a `t` object.
json::object present(const k8s::resource_type& t, const json::object& obj);

/// The JSON text of `s` as a `t` object (the cached text when possible).
std::string presented_json(const k8s::resource_type& t, const stored_ptr& s);

/// A write through `t` converted to storage form (events.k8s.io → core).
json::object to_storage(const k8s::resource_type& t, json::object obj);

/// api:E2: validation of an Event written through `t` (in `t`'s form).
std::vector<k8s::field_error> validate_event(const k8s::resource_type& t,
                                             const json::object& obj,
                                             const std::string& ns);

} // namespace kc::sim
