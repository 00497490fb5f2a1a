#pragma once

// The HTTPS client of admission webhooks (ADR 0008): a blocking POST with
// an overall deadline, the server verified against clientConfig.caBundle.

#include "k8s/sim/control_plane.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace kc::sim {

/// Where a webhook is reached.
struct webhook_target {
  /// Address to connect to (IP or host name) and port.
  std::string host;
  uint16_t port = 443;
  /// Name the certificate must carry (and SNI/Host header).
  std::string server_name;
  /// Path and query.
  std::string target = "/";
  /// The URL for messages ("https://svc.ns.svc:443/path").
  std::string url;
};

/// The answer of a call.
struct webhook_reply {
  /// Empty on success; otherwise why the call failed.
  std::string error;
  unsigned status = 0;
  std::string body;
};

/// Resolves clientConfig (url or service) to a target; on failure returns
/// nullopt and sets `error`. A Service resolves to a Ready pod it selects
/// (podIP:targetPort).
std::optional<webhook_target> resolve_webhook(control_plane& cp,
                                              const json::object& client_config,
                                              std::string& error);

/// POSTs `body` (JSON) to `t`, trusting only `ca_pem` (or the system roots
/// when empty), within `timeout`.
webhook_reply post_webhook(const webhook_target& t, const std::string& ca_pem,
                           const std::string& body,
                           std::chrono::milliseconds timeout);

} // namespace kc::sim
