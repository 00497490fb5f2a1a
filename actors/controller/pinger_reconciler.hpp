#pragma once

// The per-Pinger reconcile (`pinger/<ns>/<name>`, DESIGN §3; ADR 0043):
// validate the spec, roll the agents' summaries (pinger_status.hpp) of the
// Pods that run the Pinger up into its status, write /status only when it
// changed (zero writes in steady state), and record a Warning Event when
// Degraded turns True with a new reason. The mapping sends a Pinger's own
// events and those of every agent Pod naming it (env PINGER_NAME).

#include "actors/controller/object_cache.hpp"
#include "actors/controller/recorder_link.hpp"
#include "actors/runtime/reconciler.hpp"
#include "k8s/client/api_client.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace kc::controller {

/// Informer kinds of the Pinger controller (informer/<kind>): its own
/// watches of Pingers and of the agent Pods (label `debug`).
inline constexpr const char* pinger_specs_kind = "pinger-specs";
inline constexpr const char* pinger_agents_kind = "pinger-agents";

/// Which agent Pods name which Pinger (env PINGER_NAME), so a pass reads
/// its own agents only, not every Pod of the namespace. Thread-safe.
class agent_index {
public:
  /// Records the Pod `pod` (namespace/name) as an agent of `pinger`
  /// ("" = of none, e.g. deleted).
  void set(const object_key& pod, const std::string& pinger);
  /// The names of the agent Pods of `pinger` (namespace/name), sorted.
  std::vector<std::string> pods(const object_key& pinger) const;

private:
  mutable std::mutex mutex_;
  std::map<object_key, std::set<std::string>> by_pinger_;
  std::map<object_key, std::string> pinger_of_;
};

/// What every Pinger reconciler shares.
struct pinger_deps {
  std::shared_ptr<k8s::api_client> api;
  std::shared_ptr<object_cache> cache;
  std::shared_ptr<agent_index> agents;
  recorder_link_ptr recorder;
  /// Passes wait until every informer listed once.
  std::vector<std::shared_ptr<std::atomic<bool>>> synced;
};

/// Applies `ev` to `cache` and `agents`; the Pinger keys it concerns.
std::vector<object_key> map_pinger_event(object_cache& cache,
                                         agent_index& agents,
                                         const resource_event& ev);

/// The factory for the RECONCILE SUPERVISOR `pingers`.
runtime::reconciler_factory pinger_reconciler_factory(pinger_deps deps);

} // namespace kc::controller
