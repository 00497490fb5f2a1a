#pragma once

// The standard process self-metrics of Prometheus client libraries, read
// from /proc/self at scrape time (Linux).

#include "telemetry/metrics.hpp"

#include <optional>

namespace kc::telemetry {

/// One reading of /proc/self.
struct process_stats {
  double cpu_seconds = 0; // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0; // since the Unix epoch
  double open_fds = 0;
  double max_fds = 0;
};

/// Reads /proc/self; nullopt if /proc is not available.
std::optional<process_stats> read_process_stats();

/// Registers process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_start_time_seconds,
/// process_open_fds and process_max_fds as callbacks. Idempotent.
void register_process_metrics(registry& reg);

} // namespace kc::telemetry
