#pragma once

// Pure formatting of check results: the per-node summary (CONTRACT.md,
// inspection runs), the one pod-log line per check, and errlog entries.

#include "probes/check_result.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace kc::checks {

/// Bounds of the per-node summary.
struct summary_limits {
  std::size_t max_bytes = 16 * 1024; ///< Whole YAML text.
  std::size_t max_error = 200;       ///< Bytes of one item's error text.
};

/// Returns the node's summary YAML, category → item → details: an item with
/// a problem maps to `{err: "..."}`, a fine one to `{}`; only categories that
/// ran appear (disk, net, mem, svc, custom first, others sorted). A check that
/// named no item counts as one item named after the check. Items reported by
/// several checks are merged. When the text would exceed `max_bytes`, fine
/// items are dropped first, then errors, and each shortened category gets a
/// `_truncated: "N items omitted"` marker.
std::string node_summary_yaml(const std::vector<check_result>& results,
                              const summary_limits& limits = {});

/// Returns one readable line for the pod log, e.g. `disk/usage ok 0.12s` or
/// `net/link PROBLEM eth2: link down (1 item) 0.05s`.
std::string log_line(const check_result& r);

/// Returns the errlog entry of a failed check: a header with the status, exit
/// and duration, the command, the reason (unknown) and the captured output.
std::string errlog_entry(const check_result& r, const std::string& timestamp);

/// Returns `s` as a double-quoted YAML scalar.
std::string yaml_quote(const std::string& s);

/// Returns a duration as seconds with two decimals ("0.12s").
std::string format_seconds(std::chrono::nanoseconds d);

} // namespace kc::checks
