#pragma once

// The status of a Pinger as a pure function (issue 6 item 5; ADR 0043):
// the agent Pods that run it (env PINGER_NAME=<pinger>, label debug=...)
// and the summary each agent writes on its own Pod — annotation
// `kubecombo.com/pinger-summary`, compact JSON
// {"targets":N,"unhealthy":U,"down":["icmp/10.0.0.1",...]} — rolled up into
// observedGeneration, agents, reportingAgents, targets, unhealthyTargets,
// downTargets (≤ 20, "<pod>: <target>") and the conditions Ready,
// Progressing, Degraded with reasons. `same_pinger_status` tells whether a
// write is needed (zero writes in steady state).

#include "actors/controller/debugger_status.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kc::controller {

/// The annotation an agent writes on its own Pod.
inline constexpr std::string_view pinger_summary_annotation
  = "kubecombo.com/pinger-summary";

/// At most this many down targets are listed in the status.
inline constexpr std::size_t max_listed_down = 20;

/// What one agent Pod says.
struct agent_summary {
  std::string pod;
  /// False while the Pod carries no (valid) summary yet.
  bool reported = false;
  int64_t targets = 0;
  int64_t unhealthy = 0;
  std::vector<std::string> down;
};

/// True when `pod` runs the Pinger `pinger` (a container with env
/// PINGER_NAME=pinger) and is neither terminating nor finished.
bool runs_pinger(const boost::json::object& pod, const std::string& pinger);

/// The PINGER_NAME of a Pod's containers ("" if none).
std::string pinger_of_pod(const boost::json::object& pod);

/// The Pod's summary (reported = false when missing or malformed).
agent_summary read_agent_summary(const boost::json::object& pod);

/// What a pass concluded.
struct pinger_status {
  int64_t observed_generation = 0;
  int64_t agents = 0;
  int64_t reporting = 0;
  int64_t targets = 0;
  int64_t unhealthy = 0;
  std::vector<std::string> down;
  condition ready{"Ready", false, "", ""};
  condition progressing{"Progressing", false, "", ""};
  condition degraded{"Degraded", false, "AsExpected", ""};
};

/// The roll-up: `invalid` (describe() of validate_pinger, "" if valid) and
/// the agents' summaries (sorted by pod name).
pinger_status rollup_pinger(int64_t generation, const std::string& invalid,
                            std::vector<agent_summary> agents);

/// True when `old` (the Pinger's .status, may be null) already says it.
bool same_pinger_status(const pinger_status& s, const boost::json::object* old);

/// The .status fields this controller owns; lastTransitionTime `now` for
/// conditions whose status changed (else the old one).
boost::json::object render_pinger_status(const pinger_status& s,
                                         const boost::json::object* old,
                                         const std::string& now);

} // namespace kc::controller
