#pragma once

// The per-key RECONCILER actor (api:Q2–Q4; DESIGN §3 step 3), one per
// object key, e.g. `debugger/<ns>/<name>`, spawned and monitored by a
// RECONCILE SUPERVISOR (reconcile_supervisor.hpp). It coalesces a burst of
// events into one pass (one pass at a time, at most one pending), retries
// errors with per-key exponential backoff (5 ms → 1000 s), runs again
// after `requeue_after` (generation-stamped timers, pitfall 18), records
// terminal errors without a requeue, and never combines an error with a
// requeue.

#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/backoff.hpp"
#include "messages/runtime_types.hpp"
#include "telemetry/metrics.hpp"

#include <caf/actor_clock.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace kc::runtime {

/// One reconcile pass handed to the controller's code.
struct reconcile_request {
  object_key key;
  /// The latest snapshot of the primary object; null when it is gone (or
  /// was never seen — the key came from a secondary object).
  snapshot_ptr snapshot;
  /// 1, 2, ... per key.
  uint64_t pass = 0;
  /// Call exactly once, from any thread (e.g. an api_client completion).
  std::function<void(reconcile_result)> done;
};

/// A controller's per-key logic. One instance per key actor, so it may
/// keep per-object state. reconcile() runs on the actor's thread and must
/// not block; an exception counts as an error result.
class reconciler {
public:
  virtual ~reconciler() = default;
  virtual void reconcile(reconcile_request req) = 0;
};

/// Makes the reconciler of a key.
using reconciler_factory
  = std::function<std::shared_ptr<reconciler>(const object_key&)>;

/// A factory for a stateless function.
reconciler_factory reconciler_from(std::function<void(reconcile_request)> fn);

/// The per-key RECONCILER interface.
using reconciler_actor = caf::typed_actor<
  // An event concerning this key (sequence number from the supervisor).
  caf::reacts_to<atom::reconcile, uint64_t, resource_event>,
  // INTERNAL: a pass finished (pass number).
  caf::reacts_to<atom::done, uint64_t, reconcile_result>,
  // INTERNAL: backoff or requeue-after timer (generation).
  caf::reacts_to<atom::requeue, uint64_t>,
  // Describe the state for /debug/actors.
  caf::replies_to<atom::status>::with<std::string>>;

/// Metric handles shared by the key actors of one controller.
struct reconcile_metrics {
  std::shared_ptr<telemetry::counter> success, error, requeue_after,
    terminal, errors;
  std::shared_ptr<telemetry::histogram> duration;
  /// Keys waiting for a pass (kc_workqueue_depth).
  std::shared_ptr<telemetry::gauge> depth;
  /// Registers the families of controller `name` in `reg` (null = none).
  static reconcile_metrics make(telemetry::registry* reg,
                                const std::string& name);
};

/// What one RECONCILER gets from its supervisor.
struct reconciler_config {
  object_key key;
  /// Events of this kind for `key` replace the snapshot.
  std::string primary_kind;
  std::shared_ptr<reconciler> impl;
  backoff_policy backoff = reconcile_backoff();
  reconcile_metrics metrics;
  entry_ptr entry;
  /// Gets `(atom::remove, key, seq)` once the object is gone and its
  /// last pass succeeded (the supervisor then retires the actor).
  caf::actor parent;
};

/// The RECONCILER's state.
struct reconciler_state {
  static inline const char* name = "reconciler";
  reconciler_state() = default;
  reconciler_state(const reconciler_state&) = delete;
  reconciler_state& operator=(const reconciler_state&) = delete;
  /// A pending key that dies no longer waits (kc_workqueue_depth).
  ~reconciler_state() {
    if (dirty && cfg.metrics.depth)
      cfg.metrics.depth->dec();
  }
  reconciler_config cfg;
  snapshot_ptr snapshot;
  bool running = false;
  bool dirty = false;
  uint64_t pass = 0;
  uint64_t last_seq = 0;
  uint64_t timer_generation = 0;
  uint32_t failures = 0;
  uint64_t passes_ok = 0, passes_failed = 0;
  caf::actor_clock::time_point started;
};

reconciler_actor::behavior_type
key_reconciler(reconciler_actor::stateful_pointer<reconciler_state> self,
               reconciler_config cfg);

} // namespace kc::runtime
