#pragma once

// One inspection run on this node, without any Kubernetes API: find the
// checks, run them, log one line per check, write the errlogs, and return the
// node summary. The API-driven resident mode calls run_inspection once per
// `status.currentRun` it has not reported yet.

#include "probes/check_report.hpp"
#include "probes/check_result.hpp"
#include "probes/runner.hpp"

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace kc::cmd::debugger {

class check_metrics;

/// What one run needs.
struct run_config {
  std::string host_root = "/host";
  std::string scripts_dir = "/scripts";
  std::string node_name;
  std::string run_id; ///< YYYYMMDD-HHMMSS
  std::vector<std::string> categories;
  checks::runner_options runner; ///< env is filled in by run_inspection
  checks::summary_limits limits;
};

/// What one run produced.
struct run_outcome {
  std::string run_id;
  std::vector<checks::check_result> results;
  std::string summary_yaml; ///< CONTRACT.md: category → item → details
  std::vector<std::string> errlogs;
  std::size_t ok = 0;
  std::size_t problem = 0;
  std::size_t unknown = 0;
  bool all_ok() const {
    return problem == 0 && unknown == 0;
  }
};

/// Parses "30s", "500ms", "2m", "1h", "1m30s" or plain seconds ("30") into
/// `out`; returns a readable error ("" on success).
std::string parse_duration(const std::string& text,
                           std::chrono::milliseconds* out);

/// Runs every check of `cfg.categories`; writes one line per check to `log` as
/// each finishes, plus a start and an end line; records per-check metrics
/// when `metrics` is set.
run_outcome run_inspection(const run_config& cfg, std::ostream& log,
                           check_metrics* metrics = nullptr);

} // namespace kc::cmd::debugger
