#pragma once

// The status of a Debugger as a pure function of one reconcile pass
// (docs/adr/0103): observedGeneration, the desired / ready pod counts and
// the conditions Ready, Progressing and Degraded, each with a reason and a
// message. Rendering keeps lastTransitionTime of conditions whose status
// did not change; `same_status` tells whether a write is needed at all
// (zero writes in steady state).

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace kc::controller {

/// One condition (metav1.Condition without the timestamps).
struct condition {
  std::string type;
  bool status = false;
  std::string reason;
  std::string message;
};

/// What a pass concluded.
struct debugger_status {
  int64_t observed_generation = 0;
  int64_t desired = 0;
  int64_t ready = 0;
  condition ready_cond{"Ready", false, "", ""};
  condition progressing{"Progressing", false, "", ""};
  condition degraded{"Degraded", false, "AsExpected",
                     "the spec, its references and the workload are usable"};
};

/// A Debugger whose spec or references are unusable: Degraded with
/// `reason`, not Ready, not Progressing.
debugger_status degraded_status(int64_t generation, const std::string& reason,
                                const std::string& message);

/// A pass that wrote the workload (`reason`: Created, Updated, Replaced,
/// Terminating, ...): Progressing with `message`.
debugger_status progressing_status(int64_t generation,
                                   const std::string& reason,
                                   const std::string& message);

/// A pass that found the workload as desired: counts and conditions from
/// the observed Pod or DaemonSet.
debugger_status observed_status(int64_t generation,
                                const boost::json::object& workload);

/// True when `old` (the Debugger's .status, may be null) already says what
/// `s` says (ignoring timestamps and fields other writers own).
bool same_status(const debugger_status& s, const boost::json::object* old);

/// The .status fields this controller owns, with lastTransitionTime `now`
/// for conditions whose status changed (else the old one).
boost::json::object render_status(const debugger_status& s,
                                  const boost::json::object* old,
                                  const std::string& now);

/// Condition `c` as .status JSON: lastTransitionTime kept from `old`'s
/// condition of the same type while its status is unchanged, else `now`.
boost::json::object render_condition(const condition& c, int64_t generation,
                                     const boost::json::object* old,
                                     const std::string& now);

/// The condition of `type` in a .status (null if none).
const boost::json::object* find_condition(const boost::json::object* status,
                                          const std::string& type);

/// The current time as RFC 3339 (seconds, UTC).
std::string now_rfc3339();

} // namespace kc::controller
