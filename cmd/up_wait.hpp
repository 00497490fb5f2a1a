#pragma once

// Bounded, interruptible waits with progress lines for `kubecombo up`.
// SIGINT/SIGTERM are blocked (cmd/signals.hpp); a wait returns `stopped`
// as soon as one is pending, so Ctrl-C works during start-up too.

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

namespace kc::cmd::up {

/// SIGINT or SIGTERM if one arrives within `d` (consumed), else 0. Doubles
/// as the pause between polls.
int stop_signal_within(std::chrono::milliseconds d);

enum class wait_result { done, timed_out, stopped };

/// Polls `check` (returns "" when satisfied, else what is still missing)
/// every 250 ms for up to `timeout`. Prints "      <missing>" whenever it
/// changes, "      done in X.Ys" at the end, or on timeout one line
/// "kubecombo up: timed out after Ns waiting for <what>: <missing>" plus
/// `hint`. A pending stop signal ends the wait (stored in `signal`).
wait_result wait_for(std::ostream& out, const std::string& what,
                     std::chrono::seconds timeout,
                     const std::function<std::string()>& check, int& signal,
                     const std::string& hint = {});

} // namespace kc::cmd::up
