#pragma once

// `kubectl logs -f` for the process kubelet (ADR 0074): after the ordinary
// log answer was authorized and validated, the connection is taken over and
// the container's log file is streamed (chunked, text/plain) until the
// container stops running, the pod goes away, the client leaves or the
// server stops. Runs on the connection's strand; no thread of its own.

#include "k8s/sim/session.hpp"

namespace kc::sim {

/// True if `req` asks to follow a pod log (GET .../pods/NAME/log
/// ?follow=true) and the process kubelet keeps logs.
bool is_log_follow(const control_plane& cp, const api_request& req);

/// Streams the log (owns `stream` from now on).
template <class Stream>
void start_log_follow(Stream&& stream, control_plane& cp,
                      const api_request& req);

} // namespace kc::sim
