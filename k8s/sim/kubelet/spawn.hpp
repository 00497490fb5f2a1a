#pragma once

// Starting one container process of the process kubelet (ADR 0071): fork,
// own process group, optional network namespace of the node, a private
// mount namespace whose root is an overlay of the host's / with the pod's
// volumes bound at their mount paths, stdout/stderr into pipes.

#include <string>
#include <sys/types.h>
#include <vector>

namespace kc::sim::kubelet_spawn {

/// One bind mount into the container's root.
struct bind_mount {
  std::string source;
  std::string target;
  bool read_only = false;
};

/// Everything needed to start the process (resolved before fork).
struct spec {
  /// Absolute path of the executable.
  std::string exe;
  std::vector<std::string> argv;
  /// "NAME=value".
  std::vector<std::string> env;
  std::string working_dir;
  std::vector<bind_mount> mounts;
  /// Empty directory for the container's root (used only with `sandbox`).
  std::string scratch;
  /// Private mount namespace + overlay root (root only).
  bool sandbox = false;
  /// Path of a network namespace to enter ("" = the host's).
  std::string netns;
};

/// A started process.
struct process {
  pid_t pid = -1;
  /// pidfd: readable when the process exits.
  int pidfd = -1;
  /// Read ends of stdout and stderr.
  int out = -1;
  int err = -1;
};

/// Starts `s`. On failure returns pid -1 and sets `error` to the reason a
/// runtime would print (exec: "x": executable file not found in $PATH).
process start(const spec& s, std::string& error);

/// The executable for `cmd` (absolute, or looked up in `path_env`); ""
/// if none.
std::string find_executable(const std::string& cmd,
                            const std::string& path_env);

/// True if this process may create namespaces and mounts.
bool can_sandbox();

} // namespace kc::sim::kubelet_spawn
