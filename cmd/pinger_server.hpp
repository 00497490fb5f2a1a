#pragma once

// `kubecombo pinger --mode server` (ADR 0021, 0022): the engines of a
// pinger_session on the main thread's io_context, the agent's actor tree
// (root ── recorder ── reporter ── targets ── target/<proto>/<addr>) in a
// CAF system, the UDP echo responder and the admin listener. Runs until
// SIGINT/SIGTERM; never exits because probes fail.

#include "cmd/pinger_session.hpp"
#include "probes/target_state.hpp"

#include <string>

namespace kc::cmd {

/// What server mode needs beyond the session.
struct pinger_server_options {
  probes::health_config health;
  int64_t udp_echo_port = 0;
  bool enable_metrics = false;
  /// --legacy-metrics: upstream's series too (with --enable-metrics).
  bool legacy_metrics = false;
  /// --enable-node-ip-check: every node's InternalIP is an ICMP target.
  bool node_ip_check = false;
  int64_t port = 8080;
  /// Seconds per round, for the start line.
  double interval = 5;
  /// --kubeconfig; empty = in-cluster when KUBERNETES_SERVICE_HOST is set,
  /// else no API access (log only).
  std::string kubeconfig;
  /// --ds-namespace / --ds-name: the own DaemonSet's pods (`debug=<name>`)
  /// are discovered as peers (empty name: DEBUGGER_NAME, else none).
  std::string ds_namespace, ds_name;
};

/// Runs server mode on `session` (targets added, not started); returns the
/// exit code (0 after a termination signal, 2 when --port cannot be bound).
int run_pinger_server(boost::asio::io_context& io, pinger_session& session,
                      const pinger_server_options& opts);

} // namespace kc::cmd
