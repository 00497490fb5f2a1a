#pragma once

// Vocabulary of the controller runtime's LEADER and RECORDER: payloads,
// interfaces and their type-id block (kc_controller_rt, offset 60).

#include "messages/atoms.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <string>

namespace kc {

/// One Event to record about an object (core/v1 ObjectReference + text).
struct event_request {
  std::string kind;
  std::string api_version; // involvedObject.apiVersion, e.g. "v1"
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path;
  std::string type = "Normal"; // Normal | Warning
  std::string reason;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_request& x) {
  return f(caf::meta::type_name("kc::event_request"), x.kind, x.api_version,
           x.ns, x.name, x.uid, x.resource_version, x.field_path, x.type,
           x.reason, x.message);
}

/// The outcome of one API call, reduced to what LEADER and RECORDER need
/// (decoded on the client's thread; no JSON crosses into an actor).
struct api_outcome {
  uint16_t status = 0;   // HTTP status; 0 when no response arrived
  std::string error;     // one line; empty on success
  std::string name;      // metadata.name of the answer
  std::string uid;       // metadata.uid of the answer
  std::string resource_version;
  int32_t count = 0;     // Event.count of the answer
  std::string holder;    // Lease spec.holderIdentity
  int32_t lease_duration_seconds = 0;
  std::string acquire_time;
  std::string renew_time;
  int32_t lease_transitions = 0;
  bool ok() const { return error.empty(); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_outcome& x) {
  return f(caf::meta::type_name("kc::api_outcome"), x.status, x.error, x.name,
           x.uid, x.resource_version, x.count, x.holder, x.lease_duration_seconds,
           x.acquire_time, x.renew_time, x.lease_transitions);
}

/// Sent by the LEADER to every subscriber when leadership is gained or lost.
struct leadership {
  bool leading = false;
  std::string identity;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leadership& x) {
  return f(caf::meta::type_name("kc::leadership"), x.leading, x.identity,
           x.reason);
}

/// The LEADER actor interface.
using leader_actor = caf::typed_actor<
  // Sends `leadership` to the subscriber now and on every change.
  caf::reacts_to<caf::subscribe_atom, caf::actor>,
  // INTERNAL: retry-period timer; the integer is the timer generation.
  caf::reacts_to<atom::tick, uint64_t>,
  // INTERNAL: an API call finished.
  caf::reacts_to<atom::http_done, uint64_t, api_outcome>,
  // Releases the Lease if held (clean shutdown); true when released.
  caf::replies_to<atom::shutdown>::with<bool>,
  // Describes the election state.
  caf::replies_to<atom::status>::with<std::string>>;

/// The RECORDER actor interface.
using recorder_actor = caf::typed_actor<
  // Records one Event (correlated, written asynchronously).
  caf::reacts_to<event_request>,
  // INTERNAL: an API call finished.
  caf::reacts_to<atom::http_done, uint64_t, api_outcome>,
  // INTERNAL: retry timer; the integer is the timer generation.
  caf::reacts_to<atom::tick, uint64_t>,
  // Writes what is queued (bounded by the caller's timeout); true if empty.
  caf::replies_to<atom::shutdown>::with<bool>,
  // Describes the recorder's counters.
  caf::replies_to<atom::status>::with<std::string>>;

} // namespace kc

CAF_BEGIN_TYPE_ID_BLOCK(kc_controller_rt, caf::first_custom_type_id + 60)
  CAF_ADD_TYPE_ID(kc_controller_rt, (kc::event_request))
  CAF_ADD_TYPE_ID(kc_controller_rt, (kc::api_outcome))
  CAF_ADD_TYPE_ID(kc_controller_rt, (kc::leadership))
  CAF_ADD_TYPE_ID(kc_controller_rt, (kc::leader_actor))
  CAF_ADD_TYPE_ID(kc_controller_rt, (kc::recorder_actor))
CAF_END_TYPE_ID_BLOCK(kc_controller_rt)
