#pragma once

// The INFORMER `informer/<kind>` (api:W10; CONVENTIONS rule 21): LIST, then
// WATCH from the list's resourceVersion with bookmarks and a randomized
// timeout; re-watch from the last RV; relist on 410 with synthesized
// deletes; exponential backoff 800 ms → 30 s with jitter; `synced` after
// the first full list; server-side label/field selectors; immutable
// snapshots shared by every subscriber. A 403 (or 401) fails fast: the
// actor quits with kc::ec::forbidden and the cause, its SUPERVISOR records
// it and restarts it with backoff.
// An invalid or over-long watch line is logged and counted, and the
// informer relists (the LIST is not line-bounded) and watches from there,
// so one bad object cannot make it loop.
//
// Subscribers are actors that accept `resource_event` and
// `(atom::synced, std::string kind)`.

#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/backoff.hpp"
#include "k8s/client/api_client.hpp"
#include "messages/runtime_types.hpp"
#include "telemetry/metrics.hpp"

#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace kc::runtime {

/// The INFORMER actor interface.
using informer_actor = caf::typed_actor<
  // Add a subscriber; a synced informer first replays its cache to it.
  caf::reacts_to<atom::subscribe, caf::actor>,
  // The cache: every object's latest snapshot, sorted by key.
  caf::replies_to<atom::get>::with<std::vector<resource_event>>,
  // INTERNAL: a LIST finished (request id).
  caf::reacts_to<atom::http_done, uint64_t, api_reply>,
  // INTERNAL: one watch event (watch id).
  caf::reacts_to<atom::event, uint64_t, watch_item>,
  // INTERNAL: the watch ended (watch id).
  caf::reacts_to<atom::watch_end, uint64_t, watch_end_info>,
  // INTERNAL: the backoff is over (generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // Describe the state for /debug/actors.
  caf::replies_to<atom::status>::with<std::string>>;

/// What an INFORMER lists and watches, and for whom.
struct informer_config {
  /// Short kind name; the actor is named informer/<kind>.
  std::string kind;
  /// The collection (ns empty = all namespaces).
  k8s::resource_ref resource;
  /// Server-side scoping.
  std::string label_selector;
  std::string field_selector;
  std::shared_ptr<k8s::api_client> client;
  /// Initial subscribers.
  std::vector<caf::actor> subscribers;
  backoff_policy backoff = informer_backoff();
  /// Watch timeouts are random in [min, 2 × min) (client-go: 5 min).
  std::chrono::seconds min_watch_timeout{300};
  /// Pause before re-watching after a normal end (0 = at once, like
  /// client-go; tests widen it to inject faults in between).
  caf::timespan rewatch_delay{0};
  /// Metrics go here; null = none.
  telemetry::registry* metrics = &telemetry::global_registry();
  /// Own /debug/actors entry (from the supervisor's child_context).
  entry_ptr entry;
  /// Set once the first full list arrived (for /readyz).
  std::shared_ptr<std::atomic<bool>> synced;
  /// Seed of the jitter and timeout randomness; 0 = random.
  uint64_t seed = 0;
};

/// One cached object.
struct informer_item {
  object_key key;
  snapshot_ptr object;
  std::string rv;
};

/// The INFORMER's state.
struct informer_state {
  static inline const char* name = "informer";
  enum class phase { listing, watching, backoff };
  informer_config cfg;
  phase current = phase::listing;
  std::unordered_map<std::string, informer_item> cache;
  std::vector<caf::actor> subscribers;
  /// The last resourceVersion seen (list, event or bookmark).
  std::string last_rv;
  bool synced = false;
  /// The next relist asks for the newest state (after a 410 on a list).
  bool relist_quorum = false;
  /// What the backoff timer starts: a relist or a re-watch.
  bool backoff_relist = true;
  /// Id of the LIST or WATCH in flight; older completions are dropped.
  uint64_t request_id = 0;
  uint64_t timer_generation = 0;
  uint32_t failures = 0;
  /// Events of the current watch and when it started.
  uint64_t watch_events = 0;
  std::chrono::steady_clock::time_point watch_started;
  /// The running watch (cancelled when the actor ends).
  std::shared_ptr<std::shared_ptr<k8s::watch_handle>> watch;
  std::mt19937_64 rng;
  /// Metric handles.
  std::shared_ptr<telemetry::counter> added, modified, deleted, bookmarks,
    relists, errors;
  std::shared_ptr<telemetry::gauge> objects, synced_gauge;
};

/// The INFORMER's behavior.
informer_actor::behavior_type
informer(informer_actor::stateful_pointer<informer_state> self,
         informer_config cfg);

/// Spawns an unsupervised informer (tests, benchmarks).
informer_actor spawn_informer(caf::actor_system& sys, informer_config cfg);

/// The child spec of informer/<kind> for a SUPERVISOR.
child_spec informer_child(informer_config cfg);

} // namespace kc::runtime
