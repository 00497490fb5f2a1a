#pragma once

// `kubectl exec` for the process kubelet (ADR 0073): the WebSocket
// channel protocol v5/v4.channel.k8s.io (api:X2). The connection is taken
// over by a thread of its own; the command runs inside the namespaces and
// root of the container's process; stdout/stderr go out on channels 1/2 and
// the result (exit code) as a Status on channel 3. No stdin, no TTY.

#include "k8s/sim/session.hpp"

#include <string>

namespace kc::sim {

/// True if `msg` asks to upgrade .../namespaces/NS/pods/NAME/exec.
bool is_exec_upgrade(const http::request<http::string_body>& msg,
                     const std::string& path);

/// Serves the exec on a detached thread (owns `stream` from now on).
template <class Stream>
void start_exec(Stream&& stream, http::request<http::string_body> msg,
                control_plane& cp, const api_request& req);

} // namespace kc::sim
