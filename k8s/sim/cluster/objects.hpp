#pragma once

// Pure helpers over stored objects shared by the simulated cluster's
// scheduler and workload controllers: pod state, owner references, label
// selectors, IntOrString scaling and template hashes (ADR 0009).

#include "k8s/sim/util.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace kc::sim::cluster {

using sys_clock = std::chrono::system_clock;

/// A controller owner reference (controller: true), if any.
struct owner {
  std::string kind;
  std::string name;
  std::string uid;
};
std::optional<owner> controller_of(const json::object& obj);

/// An ownerReference with controller=true, blockOwnerDeletion=true.
json::object controller_ref(const json::object& owner_obj);

/// True once deletionTimestamp is set.
bool is_deleting(const json::object& obj);

/// Phase Succeeded or Failed.
bool is_terminal(const json::object& pod);

/// Not deleting and not terminal (controller.FilterActivePods).
bool is_active(const json::object& pod);

/// Ready condition True.
bool is_ready(const json::object& pod);

/// Ready for at least `min_ready_seconds` at `now` (podutil.IsPodAvailable).
bool is_available(const json::object& pod, int64_t min_ready_seconds,
                  sys_clock::time_point now);

/// spec.nodeName, or "".
std::string node_of(const json::object& pod);

/// True if `labels` matches a metav1.LabelSelector object (matchLabels and
/// matchExpressions); a null selector matches nothing, an empty one all.
bool selector_matches(const json::object* selector,
                      const json::object* labels);

/// An IntOrString (`25%`, `1`, 1) scaled against `total`, rounded up or
/// down like intstr.GetScaledValueFromIntOrPercent; `fallback` if absent.
int64_t scaled(const json::value* v, int64_t total, bool round_up,
               int64_t fallback);

/// The integer at `path` (dot separated), or `fallback`.
int64_t int_at(const json::object& o, std::string_view path,
               int64_t fallback = 0);

/// The object at `path` (dot separated), or null.
const json::object* obj_path(const json::object& o, std::string_view path);

/// fnv32a of the template's JSON (+ collision count), in the "safe" alphabet
/// of rand.SafeEncodeString, like controller.ComputeHash.
std::string template_hash(const json::value& tmpl, int64_t collisions = 0);

/// Sets or replaces a condition of `conds` (keeps lastTransitionTime when
/// the status is unchanged). Returns true if anything changed.
bool set_condition(json::array& conds, const std::string& type,
                   const std::string& status, const std::string& reason,
                   const std::string& message, bool with_update_time);

/// The condition of `type` in `conds`, or null.
const json::object* find_condition(const json::array* conds,
                                   std::string_view type);

} // namespace kc::sim::cluster
