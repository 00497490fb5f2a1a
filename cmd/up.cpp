// `kubecombo up`: the embedded default (CONTRACT.md). Today it starts the
// control plane with its nodes and prints what to do next; the controller,
// agents and samples join it as their issues land.

#include "cmd/commands.hpp"
#include "cmd/signals.hpp"
#include "k8s/sim/server.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace kc::cmd {

namespace {

void print_next_steps(const sim::server& srv, int nodes) {
  auto kubeconfig = std::filesystem::absolute(srv.kubeconfig_path())
                      .lexically_normal()
                      .string();
  std::cout
    << "\nkubecombo is up: control plane " << srv.url() << " with " << nodes
    << " node(s).\n\nNext steps (in another terminal):\n"
    << "  export KUBECONFIG=" << kubeconfig << "\n"
    << "  kubectl get nodes -o wide\n"
    << "  kubectl api-resources\n"
    << "  kubectl apply -f deploy/crd/\n"
    << "  kubectl get crd\n"
    << "  kubectl create configmap demo --from-literal=hello=world\n"
    << "  kubectl get configmaps -w\n"
    << "\nPress Ctrl-C (or send SIGTERM) to stop; nothing is left behind.\n"
    << std::flush;
}

} // namespace

int run_up(const arguments& args) {
  int64_t nodes = 3;
  std::string listen = "127.0.0.1:6443";
  std::string kubeconfig_out = "./kubecombo.kubeconfig";
  flag_set flags("up", "Runs the whole product on this machine: the embedded "
                       "control plane with its nodes.");
  flags.add("nodes", &nodes, "number of simulated worker nodes [3]", 1, 1000);
  flags.add("listen", &listen, "control plane HOST:PORT [127.0.0.1:6443]");
  flags.add("kubeconfig-out", &kubeconfig_out,
            "where to write the kubeconfig [./kubecombo.kubeconfig]");
  if (auto rc = flags.parse(args))
    return *rc;
  if (!flags.positional().empty())
    return usage_error("up", "unexpected argument \"" + flags.positional()[0]
                               + "\"");
  block_termination_signals();
  sim::server_config cfg;
  cfg.listen = listen;
  cfg.nodes = static_cast<int>(nodes);
  cfg.kubeconfig_out = kubeconfig_out;
  sim::server srv{cfg};
  std::cout << "[1/2] starting the control plane on " << listen << " ...\n"
            << std::flush;
  try {
    srv.start();
  } catch (const std::exception& e) {
    std::cerr << "kubecombo up: " << e.what() << '\n';
    return 1;
  }
  std::cout << "[2/2] " << nodes << " node(s) Ready; kubeconfig written to "
            << srv.kubeconfig_path() << '\n';
  print_next_steps(srv, static_cast<int>(nodes));
  int sig = wait_for_termination_signal();
  std::cout << "\nkubecombo up: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
            << " received, stopping ...\n"
            << std::flush;
  srv.stop();
  std::cout << "kubecombo up: stopped\n";
  return 0;
}

} // namespace kc::cmd
