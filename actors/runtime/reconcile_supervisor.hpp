#pragma once

// The RECONCILE SUPERVISOR shared by every controller (api:Q2–Q4; DESIGN
// §3 step 2), e.g. `debuggers`: it subscribes to INFORMERs, maps each
// resource_event to the keys it concerns (the controller's mapping
// function) and hands it to one RECONCILER per key (`<prefix>/<ns>/<name>`),
// spawning and monitoring it on first sight. A crashed key actor restarts
// with backoff and runs a pass with the latest snapshot; a key whose
// object is gone retires after its last successful pass.

#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/reconciler.hpp"

#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kc::runtime {

/// The RECONCILE SUPERVISOR interface.
using reconcile_supervisor_actor = caf::typed_actor<
  // An INFORMER event.
  caf::reacts_to<resource_event>,
  // An INFORMER finished its first list.
  caf::reacts_to<atom::synced, std::string>,
  // The keys with a live RECONCILER.
  caf::replies_to<atom::get>::with<std::vector<object_key>>,
  // Stop every key actor, then quit.
  caf::reacts_to<atom::shutdown>,
  // INTERNAL: a key actor whose object is gone asks to retire (seq).
  caf::reacts_to<atom::remove, object_key, uint64_t>,
  // INTERNAL: restart timer of a crashed key actor (generation).
  caf::reacts_to<atom::restart, object_key, uint64_t>,
  // INTERNAL: shutdown grace period over (generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // Describe the state for /debug/actors.
  caf::replies_to<atom::status>::with<std::string>>;

/// A controller's reconcile machinery.
struct reconcile_config {
  /// The supervisor's name, e.g. "debuggers", and its parent's.
  std::string name = "debuggers";
  std::string parent = "root";
  /// Key actors are named <prefix>/<ns>/<name>, e.g. "debugger".
  std::string child_prefix = "debugger";
  /// Events of this kind update the key's snapshot (e.g. "debuggers").
  std::string primary_kind;
  /// Maps an event to the keys it concerns; unset: the primary kind's
  /// events map to their own key, others to none.
  std::function<std::vector<object_key>(const resource_event&)> map;
  /// Makes a key's reconciler.
  reconciler_factory make;
  backoff_policy backoff = reconcile_backoff();
  /// Restart delays of a crashed key actor.
  backoff_policy restart_backoff = {std::chrono::milliseconds{100},
                                    std::chrono::seconds{30}, 2.0, 0.0};
  caf::timespan grace = std::chrono::seconds{30};
  telemetry::registry* metrics = &telemetry::global_registry();
  actor_registry* registry = &global_actor_registry();
  /// Own entry when started by a SUPERVISOR (else self-registered).
  entry_ptr entry;
};

/// One key as the RECONCILE SUPERVISOR tracks it.
struct key_slot {
  reconciler_actor handle;
  entry_ptr entry;
  std::shared_ptr<reconciler> impl;
  /// The latest primary snapshot (replayed after a restart).
  snapshot_ptr snapshot;
  /// Sequence number of the last event forwarded.
  uint64_t seq = 0;
  uint32_t failures = 0;
  uint64_t restarts = 0;
  uint64_t restart_generation = 0;
  std::string last_error;
};

/// The RECONCILE SUPERVISOR's state.
struct reconcile_supervisor_state {
  static inline const char* name = "reconcile-supervisor";
  reconcile_config cfg;
  std::map<object_key, key_slot> keys;
  reconcile_metrics metrics;
  scoped_registration own;
  entry_ptr entry;
  uint64_t seq = 0;
  bool tearing_down = false;
  uint64_t grace_generation = 0;
  std::vector<std::string> synced_kinds;
};

reconcile_supervisor_actor::behavior_type reconcile_supervisor(
  reconcile_supervisor_actor::stateful_pointer<reconcile_supervisor_state>
    self,
  reconcile_config cfg);

/// Spawns an unsupervised one (tests).
reconcile_supervisor_actor spawn_reconcile_supervisor(caf::actor_system& sys,
                                                      reconcile_config cfg);

/// Its child spec for a SUPERVISOR (name = cfg.name).
child_spec reconcile_supervisor_child(reconcile_config cfg);

} // namespace kc::runtime
