#pragma once

#include "k8s/client/kubeconfig.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace kc::k8s {

/// Everything the client needs to talk to one API server: the resolved
/// context of a kubeconfig, or the in-cluster configuration.
struct client_config {
  /// "https://host:port" or "http://host:port" (the sim's --insecure-http).
  std::string server;
  /// Parsed from `server`: "https"/"http", host without brackets, port.
  std::string scheme;
  std::string host;
  std::string port;
  /// Optional path prefix of the server URL (without trailing '/').
  std::string base_path;
  /// PEM bundle of trusted CAs; empty = the system default paths.
  std::string ca_pem;
  bool insecure_skip_tls_verify = false;
  /// Overrides the name verified and sent as SNI.
  std::string tls_server_name;
  bool disable_compression = false;
  /// Static client certificate and key (PEM).
  std::string client_cert_pem;
  std::string client_key_pem;
  /// Static bearer token.
  std::string token;
  /// Token file, re-read every `token_reread_interval` and once on 401.
  std::string token_file;
  std::string username;
  std::string password;
  std::optional<exec_config> exec;
  /// Default namespace of the context (or in-cluster namespace).
  std::string ns = "default";
  /// Human description, e.g. "kubeconfig /x/config context kind-a".
  std::string source;

  // --- tuning ---------------------------------------------------------
  /// Default timeout of one request (connect + TLS + write + read).
  std::chrono::milliseconds request_timeout{30'000};
  /// Maximum idle keep-alive connections kept per server.
  size_t max_idle_connections = 8;
  /// Client-side rate limit; qps <= 0 disables it (controller-runtime).
  double qps = 0;
  int burst = 10;
  /// Retries of 429/5xx-with-Retry-After (api:S3).
  int max_retries = 10;
  /// Cap on a single Retry-After sleep.
  std::chrono::milliseconds max_retry_after{60'000};
  std::chrono::seconds token_reread_interval{60};
  std::chrono::milliseconds exec_timeout{30'000};
  /// Maximum length of one watch line (pitfall 30).
  size_t max_watch_line = 16u << 20;
};

/// Splits `server` into scheme/host/port/base_path; throws config_error
/// naming `file` and `field` if it is not an http(s) URL.
void parse_server_url(client_config& c, const std::string& file,
                      const std::string& field);

/// Resolves a context (empty = current-context) of a merged kubeconfig into
/// a client configuration, reading certificate and key files. Throws
/// config_error naming the file and the field (unknown context, cluster or
/// user, unreadable files, unsupported proxy-url or auth-provider).
client_config resolve_context(const kubeconfig& kc, const std::string& context);

/// Where the configuration comes from (tests override the defaults).
struct config_sources {
  /// --kubeconfig; used alone when set.
  std::string explicit_path;
  /// --context; empty = current-context.
  std::string context;
  /// ServiceAccount directory for in-cluster config.
  std::string incluster_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

/// Default order: explicit path, in-cluster (when KUBERNETES_SERVICE_HOST
/// is set), $KUBECONFIG (merged first-wins), ~/.kube/config. Throws
/// config_error.
client_config load_client_config(const config_sources& src = {});

} // namespace kc::k8s
