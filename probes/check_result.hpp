#pragma once

// The vocabulary of node inspection checks
// (docs/adr/0040-check-result-contract.md).

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kc::checks {

/// One executable to run: `<category>/<name>` at `path`.
struct check_spec {
  std::string category; ///< disk, net, mem, svc or custom.
  std::string name;     ///< The file name.
  std::string path;     ///< Absolute or relative path of the executable.
  std::vector<std::string> args;
};

/// The outcome of one check: exit 0 ok, 1 problem, anything else unknown.
enum class check_status { ok, problem, unknown };

/// Returns "ok", "problem" or "unknown".
const char* to_string(check_status s);

/// One named item a check reported; an empty `error` means the item is fine.
struct check_item {
  std::string name;
  std::string error;
  friend bool operator==(const check_item&, const check_item&) = default;
};

/// Everything known about one finished (or never started) check.
struct check_result {
  check_spec spec;
  check_status status = check_status::unknown;
  int exit_code = -1;  ///< Exit status, or -1 when killed or never run.
  int term_signal = 0; ///< The signal that ended it, 0 if none.
  std::chrono::nanoseconds duration{0};
  std::vector<check_item> items; ///< Items in output order (see ADR 0040).
  std::string output;            ///< stdout then stderr, capped, valid UTF-8.
  uint64_t output_dropped = 0;   ///< Bytes beyond the cap, counted not kept.
  std::string reason;            ///< Why the status is unknown ("" otherwise).
  bool timed_out = false;
  /// Returns the items with an error.
  std::vector<check_item> failed_items() const;
};

} // namespace kc::checks
