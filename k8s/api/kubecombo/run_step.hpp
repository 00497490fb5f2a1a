#pragma once

// One reconcile pass over a Debugger's inspection runs, as a pure function
// (docs/adr/0051): given the Debugger, its run status, the book of the open
// run's overview, its Pods (with the agents' reports) and now, decide the
// start / progress / completion / time-out of runs and return the new run
// status, the overview writes, the Events (transitions only) and when to
// look again. The controller executes the result.

#include "k8s/api/kubecombo/run_overview.hpp"
#include "k8s/api/kubecombo/runs.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace kc::k8s::kubecombo {

/// An Event on the Debugger.
struct run_event {
  std::string type; // Normal | Warning
  std::string reason;
  std::string message;
};

/// What one pass decided.
struct run_outcome {
  run_status status;
  /// The book of the open run (or of the run closed in this pass when
  /// none started after it).
  overview_book book;
  std::vector<overview_write> writes;
  std::vector<run_event> events;
  /// The next instant that needs a pass (deadline or next run).
  std::optional<int64_t> wake_at;
};

/// One pass. `book` must be the book of `status.current` (empty when no run
/// is open or nothing was written yet).
run_outcome step_runs(const boost::json::object& debugger,
                      const run_status& status, overview_book book,
                      const std::vector<const boost::json::object*>& pods,
                      int64_t now);

} // namespace kc::k8s::kubecombo
