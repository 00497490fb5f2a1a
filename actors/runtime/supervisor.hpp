#pragma once

// The generic SUPERVISOR (issue 4 item 7; DESIGN §3): `root` and every
// long-lived supervisor. It starts named children in order, monitors them
// (down AND exit handlers, pitfall 17), restarts a crashed child with
// exponential backoff while its siblings keep running, and on `shutdown`
// (or an exit message) stops the children in reverse start order within a
// grace period, then quits so the actor_system can end (pitfall 19).
//
//   kc::runtime::supervisor_config cfg;            // name "root"
//   cfg.children.push_back({"leader", start_leader});
//   auto root = kc::runtime::spawn_supervisor(sys, std::move(cfg));
//   ...
//   caf::anon_send(root, kc::atom::shutdown_v);    // on SIGTERM/SIGINT
//
// A child_factory spawns from inside the supervisor:
//   [](caf::local_actor* parent, const kc::child_context& ctx) {
//     return caf::actor_cast<caf::actor>(parent->spawn(my_actor, ctx));
//   }
// The child uses ctx.entry (its /debug/actors entry) to report state.

#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/backoff.hpp"
#include "messages/runtime_types.hpp"

#include <caf/actor_clock.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

namespace kc::runtime {

/// The SUPERVISOR actor interface.
using supervisor_actor = caf::typed_actor<
  // Start one more child, appended to the start order (names are unique:
  // a running child of that name is left alone).
  caf::reacts_to<atom::spawn, child_spec>,
  // Stop a child for good (no restart).
  caf::reacts_to<atom::remove, std::string>,
  // Ordered shutdown: children in reverse start order, then quit.
  caf::reacts_to<atom::shutdown>,
  // The running children's names, in start order.
  caf::replies_to<atom::get>::with<std::vector<std::string>>,
  // A running child by name (an invalid handle if there is none).
  caf::replies_to<atom::get, std::string>::with<caf::actor>,
  // INTERNAL: restart timer of a child (name, generation).
  caf::reacts_to<atom::restart, std::string, uint64_t>,
  // INTERNAL: the shutdown grace period expired (generation).
  caf::reacts_to<atom::tick, uint64_t>,
  // Describe the state for /debug/actors.
  caf::replies_to<atom::status>::with<std::string>>;

/// How a SUPERVISOR runs.
struct supervisor_config {
  /// Its name (DESIGN §3), e.g. "root", "debuggers".
  std::string name = "root";
  /// Its parent's name; empty for root.
  std::string parent;
  /// The children, started in this order at spawn.
  std::vector<child_spec> children;
  /// Restart delays of a crashing child.
  backoff_policy restart_backoff = {std::chrono::milliseconds{100},
                                    std::chrono::seconds{30}, 2.0, 0.0};
  /// A child that ran at least this long restarts from the initial delay.
  caf::timespan stable_after = std::chrono::seconds{60};
  /// The whole ordered shutdown must finish within this period; children
  /// still running then are killed.
  caf::timespan grace = std::chrono::seconds{30};
  /// Where the children (and, without `entry`, the supervisor itself) are
  /// listed; null = nowhere.
  actor_registry* registry = &global_actor_registry();
  /// The supervisor's own entry when it is itself a child.
  entry_ptr entry;
};

/// One child as the SUPERVISOR tracks it.
struct child_slot {
  child_spec spec;
  /// Invalid while waiting for a restart.
  caf::actor handle;
  /// The running incarnation's /debug/actors entry.
  entry_ptr entry;
  /// Consecutive failures (for the backoff) and restarts in total.
  uint32_t failures = 0;
  uint64_t restarts = 0;
  std::string last_error;
  caf::actor_clock::time_point started;
  /// Stamps restart timers; a stale timer is ignored.
  uint64_t restart_generation = 0;
};

/// The SUPERVISOR's state.
struct supervisor_state {
  static inline const char* name = "supervisor";
  supervisor_config cfg;
  /// The children in start order (stopped in reverse).
  std::vector<child_slot> children;
  /// Own entry when the supervisor registered itself.
  scoped_registration own;
  entry_ptr entry;
  /// Set once the ordered shutdown began.
  bool tearing_down = false;
  /// The reason to quit with after the shutdown.
  caf::error exit_reason;
  uint64_t grace_generation = 0;
};

/// An exception handler that keeps the exception's text in the exit
/// reason (CAF's default keeps only sec::runtime_error), so that the
/// SUPERVISOR's log and /debug/actors show the cause. Children install it:
/// `self->set_exception_handler(kc::runtime::keep_exception_text);`
caf::error keep_exception_text(caf::scheduled_actor* self,
                               std::exception_ptr& x);

/// The SUPERVISOR's behavior (spawn it with spawn_supervisor).
supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           supervisor_config cfg);

/// Spawns a top-level supervisor (e.g. `root`).
supervisor_actor spawn_supervisor(caf::actor_system& sys,
                                  supervisor_config cfg);

/// A child spec that runs a nested supervisor (e.g. `debuggers` under
/// root); its name and parent come from the spec and the parent.
child_spec supervisor_child(supervisor_config cfg,
                            restart_policy policy = restart_policy::permanent);

} // namespace kc::runtime
