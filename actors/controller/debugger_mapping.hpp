#pragma once

// Maps INFORMER events to the Debugger keys they concern (DESIGN §3 step 2):
// a Debugger to itself; a Pod or DaemonSet to the Debugger of its controller
// owner reference, else of its `debug=<name>` label; a Pinger or ConfigMap
// to every Debugger in its namespace that names it (spec.pinger,
// spec.configMap). Updates the cache first, so that a reconciler that gets
// the event reads a cache at least as new as the event.

#include "actors/controller/object_cache.hpp"

#include <vector>

namespace kc::controller {

/// Informer kinds of the Debugger controller (informer/<kind>).
inline constexpr const char* debuggers_kind = "debuggers";
inline constexpr const char* pingers_kind = "pingers";
inline constexpr const char* configmaps_kind = "configmaps";
inline constexpr const char* pods_kind = "pods";
inline constexpr const char* daemonsets_kind = "daemonsets";

/// Applies `ev` to `cache` and returns the Debugger keys to reconcile
/// (deduplicated; the deleted object's last state is used on deletes).
std::vector<object_key> map_debugger_event(object_cache& cache,
                                           const resource_event& ev);

} // namespace kc::controller
