#pragma once

// The process of one `kubectl exec` (ADR 0073): started inside the network
// and mount namespaces and the root of a container's process, with the
// container's environment; stdin a pipe (-i), stdout/stderr pipes, or one
// pseudo-terminal for all three (-t).

#include <sys/types.h>

#include <string>
#include <vector>

namespace kc::sim::kubelet_exec {

/// What the exec asks for.
struct exec_options {
  bool stdin = false;
  bool tty = false;
};

/// A started exec process. With a TTY, `out` is the terminal's master
/// side (read) and `in` a duplicate of it (write); `err` is -1.
struct exec_child {
  pid_t pid = -1;
  int in = -1;
  int out = -1;
  int err = -1;
  int pidfd = -1;
};

/// Starts `cmd` next to the container process `target` (its own process
/// group / session). On failure pid is -1 and `error` says why, as
/// containerd would.
exec_child start_exec_child(pid_t target, const std::vector<std::string>& cmd,
                            const exec_options& o, std::string& error);

/// Sets the terminal size of a TTY exec (`fd` = its master side).
void resize_terminal(int fd, unsigned width, unsigned height);

} // namespace kc::sim::kubelet_exec
