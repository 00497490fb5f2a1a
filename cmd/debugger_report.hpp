#pragma once

// The resident agent's view of the API objects (BRIEF session 4, ADR 0045):
// the run a Debugger asks for (`status.currentRun.id`), and the node's report
// of a run — the `kubecombo.com/run-report` annotation on the agent's own Pod,
// compact JSON {run, node, phase, checks, failed, unknown, summary}.

#include "cmd/debugger_run.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace kc::cmd::debugger {

/// The annotation on the agent's own Pod that carries its run report.
inline constexpr const char* run_report_annotation = "kubecombo.com/run-report";

/// Returns `status.currentRun.id` of a Debugger, "" when it has none.
std::string current_run_id(const boost::json::object& debugger);

/// Returns the run id named by a Pod's run-report annotation; "" when the Pod
/// has no such annotation or it is not a JSON object with a string "run".
std::string reported_run(const boost::json::object& pod);

/// Returns the report of one finished run as compact JSON: `checks` counts
/// every check, `failed` those with status problem, `unknown` the rest that
/// were not ok; `summary` is the node summary YAML (already bounded).
std::string run_report_json(const run_outcome& out, const std::string& node);

/// Returns the merge patch that sets the run-report annotation to `report`.
std::string report_patch(const std::string& report);

} // namespace kc::cmd::debugger
