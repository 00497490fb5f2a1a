#pragma once

// `kubectl exec` for the process kubelet (ADR 0073): the WebSocket
// channel protocol v5/v4.channel.k8s.io (api:X2). RBAC: `create` on
// pods/exec, else 403 before the upgrade. The connection is served
// asynchronously on its strand; the command runs inside the namespaces and
// root of the container's process; stdin (channel 0, v5 close on 255),
// stdout/stderr on channels 1/2, a TTY with resize (channel 4), and the
// result (exit code) as a Status on channel 3.

#include "k8s/sim/session.hpp"

#include <string>

namespace kc::sim {

/// True if `msg` asks to upgrade .../namespaces/NS/pods/NAME/exec.
bool is_exec_upgrade(const http::request<http::string_body>& msg,
                     const std::string& path);

/// Authorizes and serves the exec (owns `stream` from now on).
template <class Stream>
void start_exec(Stream&& stream, http::request<http::string_body> msg,
                control_plane& cp, const api_request& req);

} // namespace kc::sim
