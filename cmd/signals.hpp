#pragma once

namespace kc::cmd {

/// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts
/// afterwards. Call first in a subcommand that waits for a termination signal.
void block_termination_signals();

/// Waits until SIGINT or SIGTERM arrives (works without a terminal and without
/// stdin). Returns the signal number.
int wait_for_termination_signal();

} // namespace kc::cmd
