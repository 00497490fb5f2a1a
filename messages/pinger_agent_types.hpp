#pragma once

// Vocabulary of the PINGER agent (issue 6; DESIGN §3): the TARGETS
// supervisor, the TARGET actors and the REPORTER. Type-id block
// `kc_pinger_agent` (caf::first_custom_type_id + 200); register it with
// `cfg.add_message_types<caf::id_block::kc_pinger_agent>()`.

#include "messages/atoms.hpp"
#include "probes/result.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace kc {

/// Results of one engine batch (or its slice for one target), in probe
/// order. The hot path: one message per batch, never one per probe.
/// Local only, never serialized.
using probe_batch = std::vector<probes::probe_result>;

/// One target as the TARGETS supervisor runs it.
struct target_def {
  /// As written or discovered: "10.0.0.1", "db:5432", "example.org@1.1.1.1".
  std::string label;
  /// probes::protocol as an integer.
  uint8_t proto = 0;
  /// The engine's slot of the target.
  uint32_t slot = 0;
  /// Where it came from: "flag", "gateway", "peer".
  std::string source = "flag";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, target_def& x) {
  return f(caf::meta::type_name("kc::target_def"), x.label, x.proto, x.slot,
           x.source);
}

/// An up/down change of one target, from its TARGET to the REPORTER.
struct target_transition {
  std::string label;
  /// probes::protocol and probes::target_state as integers.
  uint8_t proto = 0;
  uint8_t from = 0;
  uint8_t to = 0;
  /// CLOCK_REALTIME (ns) of the deciding probe.
  int64_t at = 0;
  std::string reason;
  /// The readable line (probes::transition::line).
  std::string line;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, target_transition& x) {
  return f(caf::meta::type_name("kc::target_transition"), x.label, x.proto,
           x.from, x.to, x.at, x.reason, x.line);
}

/// Live thresholds of every TARGET (from the CONFIG actor).
struct target_thresholds {
  uint32_t fail = 3;
  uint32_t recover = 2;
  double loss = 0.5;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, target_thresholds& x) {
  return f(caf::meta::type_name("kc::target_thresholds"), x.fail, x.recover,
           x.loss);
}

/// The REPORTER actor interface: logs every transition, records
/// TargetDown/TargetUp Events on the agent's own Pod when it can.
using reporter_actor = caf::typed_actor<
    // One up/down change.
    caf::reacts_to<target_transition>,
    // Describes what was reported.
    caf::replies_to<atom::status>::with<std::string>>;

/// The TARGET actor interface (`target/<proto>/<addr>`).
using target_actor = caf::typed_actor<
    // This target's results of one engine batch, in probe order.
    caf::reacts_to<atom::results, probe_batch>,
    // New thresholds; statistics and state are kept.
    caf::reacts_to<target_thresholds>,
    // Describes state and statistics.
    caf::replies_to<atom::status>::with<std::string>>;

/// The TARGETS supervisor interface.
using targets_actor = caf::typed_actor<
    // One engine batch: protocol, results of any of its slots.
    caf::reacts_to<atom::results, uint8_t, probe_batch>,
    // Start a TARGET (a known label+protocol is left alone).
    caf::reacts_to<atom::put, target_def>,
    // Stop the TARGET of this protocol and label for good.
    caf::reacts_to<atom::remove, uint8_t, std::string>,
    // New thresholds for every TARGET, now and after restarts.
    caf::reacts_to<target_thresholds>,
    // INTERNAL: time to write the summary annotation.
    caf::reacts_to<atom::tick>,
    // A child's up/down change (counted, then handed to the REPORTER).
    caf::reacts_to<target_transition>,
    // The running TARGETs' names, one per line (sorted).
    caf::replies_to<atom::get>::with<std::string>,
    // Describes the targets by state.
    caf::replies_to<atom::status>::with<std::string>>;

} // namespace kc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(kc::probe_batch)

CAF_BEGIN_TYPE_ID_BLOCK(kc_pinger_agent, caf::first_custom_type_id + 200)
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::probe_batch))
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::target_def))
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::target_transition))
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::reporter_actor))
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::target_actor))
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::targets_actor))
  CAF_ADD_TYPE_ID(kc_pinger_agent, (kc::target_thresholds))
CAF_END_TYPE_ID_BLOCK(kc_pinger_agent)
