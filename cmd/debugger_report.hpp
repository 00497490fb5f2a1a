#pragma once

// The resident agent's view of the API objects (BRIEF session 4, ADR 0045):
// the run a Debugger asks for (`status.currentRun.id`), and the node's report
// of a run — the `kubecombo.com/run-report` annotation on the agent's own Pod,
// compact JSON {run, node, phase, checks, failed, unknown, summary}.

#include "cmd/debugger_run.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
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

/// The bound of a report (BRIEF: the annotation value is at most 32 KiB).
inline constexpr std::size_t max_report_bytes = 32 * 1024;

/// Returns run_report_json, re-rendering the summary with halved byte limits
/// (from `limits.max_bytes`, down to 512) until the JSON fits
/// max_report_bytes — JSON escaping can grow the YAML text.
std::string bounded_run_report(run_outcome out, const std::string& node,
                               checks::summary_limits limits);

/// Returns the merge patch that sets the run-report annotation to `report`.
std::string report_patch(const std::string& report);

} // namespace kc::cmd::debugger
