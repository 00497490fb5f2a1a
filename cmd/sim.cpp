// `kubecombo sim`: the embedded Kubernetes-compatible control plane
// (CONTRACT.md).

#include "cmd/commands.hpp"
#include "cmd/signals.hpp"
#include "k8s/sim/server.hpp"

#include <csignal>
#include <iostream>

#include <pthread.h>

namespace kc::cmd {

int run_sim(const arguments& args) {
  flag_set flags("sim",
                 "Runs the embedded Kubernetes-compatible control plane.");
  std::string listen = "127.0.0.1:6443";
  int64_t nodes = 3;
  std::string kubeconfig_out = "./kubecombo.kubeconfig";
  bool insecure = false;
  bool fault_api = false;
  std::string kubelet = "stage";
  flags.add("listen", &listen, "HOST:PORT to serve on (port 0 = ephemeral)");
  flags.add("nodes", &nodes, "number of Ready, untainted worker nodes", 0,
            5000);
  flags.add("kubeconfig-out", &kubeconfig_out,
            "where to write the kubeconfig once the server accepts requests");
  flags.add("insecure-http", &insecure,
            "serve plain HTTP without authentication (debugging only)");
  flags.add("fault-api", &fault_api, "enable the /fault/v1/ test endpoints");
  flags.add_custom("kubelet", "stage|process",
                   "stage: move pods through their phases; process: run "
                   "containers as local processes",
                   [&](const std::string& v) -> std::string {
                     if (v != "stage" && v != "process")
                       return "must be stage or process";
                     kubelet = v;
                     return "";
                   });
  if (auto rc = flags.parse(args))
    return *rc;
  if (!flags.positional().empty())
    return usage_error("sim", "unexpected argument \""
                                + flags.positional().front() + "\"");
  // Block the stop signals in every thread; this one waits for them.
  block_termination_signals();

  sim::server_config cfg;
  cfg.listen = listen;
  cfg.nodes = static_cast<int>(nodes);
  cfg.insecure_http = insecure;
  cfg.fault_api = fault_api;
  cfg.kubelet = kubelet;
  cfg.kubeconfig_out = kubeconfig_out;
  sim::server srv{cfg};
  try {
    srv.start();
  } catch (const std::exception& e) {
    std::cerr << "kubecombo sim: " << e.what() << '\n';
    return 1;
  }
  std::cout << "kubecombo sim: serving " << srv.url() << " with "
            << cfg.nodes << " nodes; kubeconfig " << srv.kubeconfig_path()
            << std::endl;
  int sig = wait_for_termination_signal();
  std::cerr << "kubecombo sim: stopping (signal " << sig << ")\n";
  srv.stop();
  return 0;
}

} // namespace kc::cmd
