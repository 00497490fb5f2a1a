#pragma once

// Process plumbing for the check runner: spawning a check in its own session,
// checking it can be run at all, and turning raw output into report text.

#include "probes/check_result.hpp"

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace kc::checks {

/// A started child: its pid (also its process group and session id), a pidfd
/// that becomes readable when it exits, and the read ends of its stdout and
/// stderr pipes (non-blocking, close-on-exec).
struct child_process {
  pid_t pid = -1;
  int pidfd = -1;
  int out_fd = -1;
  int err_fd = -1;
};

/// Returns "" when `path` can be run, otherwise the reason it cannot
/// ("not executable", "script has CRLF line endings ...", "no such file").
std::string preflight(const std::string& path);

/// Starts `path args...` with stdin /dev/null, its directory as working
/// directory, default signal dispositions, no inherited descriptors and a new
/// session. `envp` is a null-terminated KEY=VALUE array. Returns the child or
/// sets `error` to a readable reason and returns pid -1.
child_process spawn_in_session(const std::string& path,
                               const std::vector<std::string>& args,
                               char* const* envp, std::string& error);

/// Replaces invalid UTF-8 and control characters other than tab and newline
/// with U+FFFD, and drops CRs before a newline.
std::string sanitize_utf8(std::string_view raw);

/// Parses `ITEM: TEXT` result lines (ADR 0040); `TEXT` "ok" gives an item with
/// an empty error. Duplicate items are merged (errors joined with "; ").
std::vector<check_item> parse_items(std::string_view stdout_text);

/// Sets status, items and reason of `r` from its exit code, signal, timeout
/// flag and the check's stdout, following ADR 0040.
void classify(check_result& r, std::string_view stdout_text);

/// Returns a readable "exit 3", "killed by SIGKILL" or "not run".
std::string describe_exit(const check_result& r);

} // namespace kc::checks
