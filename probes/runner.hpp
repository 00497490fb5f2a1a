#pragma once

// The check runner: runs check executables with a concurrency limit, a
// per-check timeout that kills the whole process group, output caps, start
// jitter and an overall deadline. Plain POSIX (posix_spawn, pidfd, poll); one
// thread, no busy waiting. A hanging or crashing check never stops the others.

#include "probes/check_result.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace kc::checks {

/// How to run one batch of checks.
struct runner_options {
  std::size_t concurrency = 4;
  std::chrono::milliseconds check_timeout{30'000};
  /// Time between SIGTERM and SIGKILL to the check's process group.
  std::chrono::milliseconds kill_grace{2'000};
  /// Each check starts after a random delay in [0, start_jitter).
  std::chrono::milliseconds start_jitter{0};
  /// Overall deadline from the call; 0 means none. Checks still running are
  /// killed, checks not started are reported unknown.
  std::chrono::milliseconds deadline{0};
  /// Bytes of stdout + stderr kept per check; the rest is counted.
  std::size_t output_cap = 64 * 1024;
  /// How long to keep reading a check's pipes after it exited (descendants
  /// that left its process group may hold them open).
  std::chrono::milliseconds drain{200};
  /// KEY=VALUE pairs added to (and overriding) the agent's environment.
  std::vector<std::string> env;
  /// Called in the runner's thread as each check finishes.
  std::function<void(const check_result&)> on_result;
  /// When set and true, running checks are killed and the rest not started.
  const std::atomic<bool>* cancel = nullptr;
};

/// Runs `checks` and returns one result per check, in the same order.
std::vector<check_result> run_checks(const std::vector<check_spec>& checks,
                                     const runner_options& options);

} // namespace kc::checks
