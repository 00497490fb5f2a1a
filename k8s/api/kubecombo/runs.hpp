#pragma once

// Inspection runs as pure functions (CONTRACT "Inspection runs", docs/adr/
// 0051): run ids, the run fields of Debugger.status, and when the next run
// is due from spec.runAt (past → now, future → at) and spec.schedule (the
// latest cron instant after the last run). Times are epoch seconds (UTC).

#include "k8s/api/kubecombo/spec.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace kc::k8s::kubecombo {

/// Phases of status.lastRun.phase.
inline constexpr const char* run_running = "Running";
inline constexpr const char* run_completed = "Completed";
inline constexpr const char* run_timed_out = "TimedOut";

/// The run id of instant `at`: UTC "YYYYMMDD-HHMMSS".
std::string run_id(int64_t at);

/// "2026-11-28T16:00:00Z".
std::string format_rfc3339(int64_t at);

/// status.currentRun.
struct run_ref {
  std::string id;
  int64_t at = 0;
  bool operator==(const run_ref&) const = default;
};

/// status.lastRun (phase Running while the run is open).
struct run_record {
  std::string id;
  int64_t at = 0;
  std::string phase;
  int64_t nodes = 0, reported = 0, failed = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0; // 0 while running
  std::string overview;    // name of the overview ConfigMap
  bool operator==(const run_record&) const = default;
};

/// The run fields of Debugger.status. `observed_run_at` is the runAt
/// instant already acted on (never run twice, also after a restart).
struct run_status {
  std::optional<run_ref> current; // present only while a run is open
  std::optional<int64_t> next_run_at;
  std::optional<run_record> last;
  std::optional<int64_t> observed_run_at;
  bool operator==(const run_status&) const = default;
};

/// Reads the run fields of a .status (null → empty).
run_status parse_run_status(const boost::json::object* status);

/// The run fields as a /status merge-patch fragment (absent fields → null,
/// so the patch removes them).
boost::json::object render_run_status(const run_status& s);

/// When runs happen.
struct run_plan {
  /// The instant of a run due now (≤ now), if any.
  std::optional<int64_t> due;
  /// The due run comes from runAt (sets observed_run_at when started).
  bool from_run_at = false;
  /// The earliest instant after now at which a run becomes due.
  std::optional<int64_t> next;
};

/// Plans runs from spec.runAt / spec.schedule (unparsable ones are ignored:
/// validation reports them), the run fields, the Debugger's creation and
/// now. A missed schedule instant runs once (the latest within a day).
run_plan plan_runs(const debugger_spec& spec, const run_status& status,
                   int64_t created, int64_t now);

/// spec.runDeadline in seconds (default 5 min when unparsable).
int64_t run_deadline_seconds(const debugger_spec& spec);

/// metadata.creationTimestamp of an object as epoch seconds (0 if none).
int64_t created_at(const boost::json::object& obj);

} // namespace kc::k8s::kubecombo
