#pragma once

// The TARGETS supervisor (issue 6; DESIGN §3): parent of every
// `target/<proto>/<addr>`. It maps engine slots to TARGET actors, splits each
// engine batch into one slice per target (one message per target per batch,
// never one per probe), counts targets by state (pinger_targets), restarts a
// crashed TARGET after a delay, and hands transitions to the REPORTER (or
// logs them itself while no REPORTER runs).

#include "actors/agent/actor_cell.hpp"
#include "actors/agent/summary.hpp"
#include "actors/agent/target.hpp"
#include "actors/runtime/actor_registry.hpp"
#include "messages/pinger_agent_types.hpp"
#include "probes/target_state.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace kc::agent {

/// How the TARGETS supervisor runs.
struct targets_config {
  /// Thresholds of every TARGET.
  probes::health_config health;
  /// Started at spawn (and again after a restart of the supervisor).
  std::vector<target_def> initial;
  /// Receives transitions; empty = log them here.
  std::shared_ptr<actor_cell<reporter_actor>> reporter;
  /// pinger_target_up / pinger_target_loss_ratio {protocol,target} and
  /// pinger_targets {protocol,state}; null = no metrics.
  telemetry::family<telemetry::gauge>* target_up = nullptr;
  telemetry::family<telemetry::gauge>* target_loss = nullptr;
  telemetry::family<telemetry::gauge>* by_state = nullptr;
  /// Per-target series for at most this many targets (cardinality bound).
  size_t max_target_series = 100;
  /// Where TARGETs are listed (null = nowhere).
  runtime::actor_registry* registry = &runtime::global_actor_registry();
  /// Delay before a crashed TARGET starts again.
  caf::timespan restart_delay = std::chrono::seconds{1};
  /// The pinger summary annotation on the own Pod (api null = none).
  summary_target summary;
  /// At most one summary write per this period.
  caf::timespan summary_period = std::chrono::seconds{5};
};

/// One running TARGET.
struct target_child {
  target_def def;
  target_actor handle;
  runtime::entry_ptr entry;
  /// probes::target_state of the child as last reported.
  uint8_t state = 0;
  /// It has per-target series (removed with it).
  bool series = false;
};

/// The TARGETS supervisor's state.
struct targets_state {
  static inline const char* name = "targets";
  targets_config cfg;
  /// Running children by "<proto>/<label>".
  std::map<std::string, target_child> children;
  /// protocol → slot → child key ("" = none).
  std::array<std::vector<std::string>, 4> by_slot;
  std::unordered_map<caf::actor_addr, std::string> by_addr;
  /// protocol → state → number of targets.
  std::array<std::array<int64_t, 3>, 4> counts{};
  std::array<bool, 4> proto_seen{};
  size_t series_used = 0;
  uint64_t transitions = 0, restarts = 0, unknown_slots = 0;
  bool tearing_down = false;
  /// The summary last written, and whether a write is scheduled.
  std::string summary_written;
  bool summary_scheduled = false;
  caf::timestamp summary_at{};
  runtime::entry_ptr entry;
};

/// The TARGETS supervisor's behavior; `entry` is its /debug/actors entry.
targets_actor::behavior_type
targets(targets_actor::stateful_pointer<targets_state> self, targets_config cfg,
        runtime::entry_ptr entry);

} // namespace kc::agent
