#pragma once

#include "k8s/client/kubeconfig.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace kc::k8s {

/// The status of an ExecCredential printed by a credential plugin.
struct exec_credential {
  std::string token;
  /// PEM client certificate and key (both or neither).
  std::string client_certificate_data;
  std::string client_key_data;
  /// status.expirationTimestamp; nullopt = valid until a 401.
  std::optional<std::chrono::system_clock::time_point> expiry;
};

/// What the plugin may learn about the cluster (provideClusterInfo).
struct exec_cluster_info {
  std::string server;
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  /// PEM; sent base64-encoded as certificate-authority-data.
  std::string certificate_authority_data;
};

/// Runs the plugin without a shell: argv = command + args, environment =
/// ours + exec.env + KUBERNETES_EXEC_INFO, stdin = /dev/null, bounded by
/// `timeout`. Returns false with a one-line `error` (including the
/// installHint when the command is missing, and the plugin's stderr).
bool run_exec_plugin(const exec_config& exec, const exec_cluster_info& cluster,
                     std::chrono::milliseconds timeout, exec_credential& out,
                     std::string& error);

/// Parses the plugin's stdout (an ExecCredential of exec.api_version).
bool parse_exec_credential(const std::string& json,
                           const std::string& api_version,
                           exec_credential& out, std::string& error);

/// Parses an RFC 3339 timestamp ("2026-11-28T17:00:00Z", fractions and
/// offsets allowed).
std::optional<std::chrono::system_clock::time_point>
parse_rfc3339(const std::string& s);

} // namespace kc::k8s
