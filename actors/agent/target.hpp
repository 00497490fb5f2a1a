#pragma once

// A TARGET actor, `target/<proto>/<addr>` (issue 6; DESIGN §3): owns one
// target's statistics and up/down state machine (probes::target_health).
// The engines feed it in batches through the TARGETS supervisor — never one
// message per probe — and it tells its parent about each transition.

#include "actors/runtime/actor_registry.hpp"
#include "messages/pinger_agent_types.hpp"
#include "probes/target_state.hpp"
#include "telemetry/family.hpp"
#include "telemetry/metric_types.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <optional>
#include <string>

namespace kc::agent {

/// Per-target series (only for a bounded set of targets; may be null).
struct target_gauges {
  telemetry::family<telemetry::gauge>::handle up;
  telemetry::family<telemetry::gauge>::handle loss;
};

/// The TARGET's state.
struct target_state {
  static inline const char* name = "target";
  /// The state machine and statistics (set at spawn).
  std::optional<probes::target_health> health;
  target_def def;
  /// Where transitions go (the TARGETS supervisor).
  targets_actor parent;
  target_gauges gauges;
  /// Its /debug/actors entry (may be null).
  runtime::entry_ptr entry;
  /// Results seen, for status.
  uint64_t results = 0;
};

/// `target/<proto>/<label>` for a definition.
std::string target_name(const target_def& def);

/// The TARGET's behavior.
target_actor::behavior_type
target(target_actor::stateful_pointer<target_state> self, target_def def,
       probes::health_config cfg, targets_actor parent, target_gauges gauges,
       runtime::entry_ptr entry);

} // namespace kc::agent
