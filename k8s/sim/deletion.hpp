#pragma once

// Deletion semantics of the embedded control plane (ADR 0005): DeleteOptions
// (api:A4), finalizers and deletionTimestamp (api:C5), the finalizers of
// foreground and orphan propagation (api:C6), graceful pod deletion and
// namespace termination. Everything here runs inside a store transaction.

#include "k8s/api/resource_type.hpp"
#include "k8s/sim/request.hpp"
#include "k8s/sim/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace kc::sim {

class control_plane;

/// DeleteOptions from the body or the query.
struct delete_options {
  bool dry_run = false;
  /// preconditions.uid / preconditions.resourceVersion ("" = none).
  std::string uid;
  std::string resource_version;
  /// "", "Background", "Foreground" or "Orphan".
  std::string propagation;
  /// gracePeriodSeconds, if given.
  std::optional<int64_t> grace;
};

/// Parses DeleteOptions (query parameters, then the JSON body); a 400/422
/// response on bad input.
std::variant<delete_options, api_response>
parse_delete_options(const api_request& req);

/// What a deletion did.
struct delete_outcome {
  /// The deleted object (with the deletion's RV), or the object now marked
  /// with a deletionTimestamp; null on failure.
  stored_ptr obj;
  /// True if the object left the store.
  bool gone = false;
  /// 404 / 409 precondition failures.
  std::optional<api_response> failure;
};

/// Deletes `ns/name` of `t` inside `tx`: at once, or by setting
/// deletionTimestamp (+ deletionGracePeriodSeconds) when the object has
/// finalizers, gets the finalizer of Foreground/Orphan propagation, is a
/// pod bound to a node deleted with grace > 0, or is a namespace.
delete_outcome delete_object(control_plane& cp, txn& tx,
                             const k8s::resource_type& t,
                             const std::string& ns, const std::string& name,
                             const delete_options& o);

/// Removes the object from the store now (CRDs take their custom resources
/// with them). Returns the deleted state or null.
stored_ptr erase_object(control_plane& cp, txn& tx,
                        const k8s::resource_type& t, const std::string& ns,
                        const std::string& name);

/// api:C5 on update: 422 if `obj` adds finalizers to the deleting `old`.
std::optional<api_response> check_new_finalizers(const k8s::resource_type& t,
                                                 const json::object& old,
                                                 const json::object& obj);

/// True if an update leaving `obj` must delete it instead: it is being
/// deleted, has no finalizers left and no grace period pending.
bool should_delete_on_update(const k8s::resource_type& t,
                             const json::object& obj);

/// metadata.finalizers as strings.
std::vector<std::string> finalizers_of(const json::object& obj);

/// Sets metadata.finalizers (removes the key when empty).
void set_finalizers(json::object& obj, const std::vector<std::string>& f);

} // namespace kc::sim
