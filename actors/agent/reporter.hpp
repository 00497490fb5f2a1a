#pragma once

// The REPORTER (issue 6; DESIGN §3): one readable log line per target
// transition, always (Warning for down, Info for up; the quiet unknown → up
// at start is not logged), and — when the agent has API access and knows its
// own Pod (POD_NAME/POD_NAMESPACE) — a `TargetDown` (Warning) or `TargetUp`
// (Normal) Event on that Pod through the RECORDER, whose correlator
// rate-limits them (client-go's spam filter and aggregation, ADR 0037).

#include "actors/agent/actor_cell.hpp"
#include "actors/runtime/actor_registry.hpp"
#include "messages/controller_types.hpp"
#include "messages/pinger_agent_types.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>

namespace kc::agent {

/// The Pod Events are about (empty name = no Events).
struct pod_ref {
  std::string ns;
  std::string name;
  std::string uid;
};

/// How the REPORTER runs.
struct reporter_config {
  pod_ref pod;
  /// The RECORDER; null or empty = log only.
  std::shared_ptr<actor_cell<recorder_actor>> recorder;
};

/// The REPORTER's state.
struct reporter_state {
  static inline const char* name = "reporter";
  reporter_config cfg;
  runtime::entry_ptr entry;
  uint64_t down = 0, up = 0, events = 0;
};

/// The Event a transition becomes (reason TargetDown / TargetUp).
event_request make_target_event(const pod_ref& pod, const target_transition& t);

/// The REPORTER's behavior.
reporter_actor::behavior_type
reporter(reporter_actor::stateful_pointer<reporter_state> self,
         reporter_config cfg, runtime::entry_ptr entry);

} // namespace kc::agent
