#include "cmd/commands.hpp"
#include "cmd/controller_runtime.hpp"
#include "cmd/signals.hpp"
#include "k8s/client/config_error.hpp"
#include "telemetry/logging.hpp"

#include <fstream>
#include <iostream>

namespace kc::cmd {

namespace {

/// The pod's namespace in-cluster, else "default" (CONTRACT.md).
std::string in_cluster_namespace() {
  if (std::getenv("KUBERNETES_SERVICE_HOST")) {
    std::ifstream in{"/var/run/secrets/kubernetes.io/serviceaccount/namespace"};
    std::string ns;
    if (in >> ns && !ns.empty())
      return ns;
  }
  return "default";
}

} // namespace

int run_controller(const arguments& args) {
  std::string kubeconfig;
  std::string metrics_addr = ":8080";
  std::string health_addr = ":8081";
  bool leader_elect = false;
  std::string leader_ns;
  bool webhooks = false;
  std::string webhook_addr = ":9443";
  std::string webhook_cert_dir;
  std::string log_format = "text";
  int64_t verbosity = 0;
  flag_set flags("controller", "Reconciles Debugger and Pinger resources.");
  flags.add("kubeconfig", &kubeconfig,
            "kubeconfig file [in-cluster, else $KUBECONFIG, else "
            "~/.kube/config]");
  flags.add("metrics-bind-address", &metrics_addr,
            "serves /metrics and /debug/actors [:8080]");
  flags.add("health-probe-bind-address", &health_addr,
            "serves /healthz and /readyz [:8081]");
  flags.add("leader-elect", &leader_elect, "enable leader election [false]");
  flags.add("leader-election-namespace", &leader_ns,
            "namespace of the Lease [pod namespace, else default]");
  flags.add("enable-webhooks", &webhooks, "serve admission webhooks [false]");
  flags.add("webhook-bind-address", &webhook_addr, "webhook listener [:9443]");
  flags.add("webhook-cert-dir", &webhook_cert_dir,
            "tls.crt and tls.key; if absent, a generated certificate is "
            "written there with ca.crt (the caBundle)");
  flags.add_custom("log-format", "text|json", "log format [text]",
                   [&](const std::string& v) -> std::string {
                     if (v != "text" && v != "json")
                       return "must be text or json, not \"" + v + "\"";
                     log_format = v;
                     return {};
                   });
  flags.add("v", &verbosity, "log verbosity [0]", 0, 10);
  if (auto rc = flags.parse(args))
    return *rc;
  telemetry::log_options lo;
  lo.format = *telemetry::parse_log_format(log_format);
  lo.verbosity = static_cast<int>(verbosity);
  telemetry::init_logging(lo);
  controller_options opts;
  try {
    k8s::config_sources src;
    src.explicit_path = kubeconfig;
    opts.client = k8s::load_client_config(src);
  } catch (const k8s::config_error& e) {
    return usage_error("controller", e.what());
  } catch (const std::exception& e) {
    return usage_error("controller", std::string{"kubeconfig: "} + e.what());
  }
  opts.metrics_addr = metrics_addr;
  opts.health_addr = health_addr;
  opts.leader_elect = leader_elect;
  opts.webhooks = webhooks;
  opts.webhook_addr = webhook_addr;
  opts.webhook_cert_dir = webhook_cert_dir;
  opts.leader_ns = leader_ns.empty() ? in_cluster_namespace() : leader_ns;
  // Signals are taken synchronously by the main loop (sigtimedwait); block
  // them before any thread starts so no other thread receives them.
  block_termination_signals();
  return run_controller_runtime(opts);
}

} // namespace kc::cmd
