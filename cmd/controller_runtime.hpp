#pragma once

// `kubecombo controller` after flag parsing: the actor system, the LEADER,
// the RECORDER, the admin listeners and the writers (DESIGN.md §3), and the
// process lifecycle (SIGTERM/SIGINT → ordered shutdown, exit 0; leadership
// lost → writers stopped, exit 1).

#include "k8s/client/client_config.hpp"

#include <chrono>
#include <string>

namespace kc::cmd {

/// Everything run_controller parsed and resolved.
struct controller_options {
  k8s::client_config client;
  std::string metrics_addr = ":8080";
  std::string health_addr = ":8081";
  bool leader_elect = false;
  std::string leader_ns = "default";
  bool webhooks = false;
  std::string webhook_addr = ":9443";
  std::string webhook_cert_dir;
  /// Budget of the ordered shutdown.
  std::chrono::milliseconds grace{10'000};
};

/// Runs the controller until a termination signal (0) or lost leadership
/// (1); 2 when a listener address cannot be bound.
int run_controller_runtime(const controller_options& opts);

} // namespace kc::cmd
