// kubecombo: one binary, one subcommand per process role (DESIGN.md §1).

#include "cmd/commands.hpp"

#include <cstring>
#include <iostream>

#ifndef KC_VERSION
#  define KC_VERSION "0.0.0"
#endif

namespace {

struct subcommand {
  const char* name;
  const char* summary;
  int (*run)(const kc::cmd::arguments&);
};

constexpr subcommand subcommands[] = {
  {"up", "run the whole product on this machine (control plane, nodes, "
         "controller, agents, samples)",
   kc::cmd::run_up},
  {"link", "break or repair a node's network path under `up` (nftables)",
   kc::cmd::run_link},
  {"sim", "run the embedded Kubernetes-compatible control plane",
   kc::cmd::run_sim},
  {"controller", "reconcile Debugger and Pinger resources",
   kc::cmd::run_controller},
  {"pinger", "probe peers, gateway and targets (the `ping` container)",
   kc::cmd::run_pinger},
  {"debugger", "run node inspections (the `debug` container)",
   kc::cmd::run_debugger},
};

void print_usage(std::ostream& os) {
  os << "Usage: kubecombo SUBCOMMAND [flags]\n\n"
        "Runs Debugger and Pinger resources on Kubernetes.\n\n"
        "Subcommands:\n";
  for (auto& s : subcommands)
    os << "  " << s.name << std::string(12 - std::strlen(s.name), ' ')
       << s.summary << '\n';
  os << "  version     print the version\n\n"
        "Run `kubecombo SUBCOMMAND --help` for a subcommand's flags.\n";
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (name == "version" || name == "--version") {
    std::cout << "kubecombo " << KC_VERSION << '\n';
    return 0;
  }
  kc::cmd::arguments args(argv + 2, argv + argc);
  for (auto& s : subcommands)
    if (name == s.name)
      return s.run(args);
  std::cerr << "kubecombo: unknown subcommand \"" << name
            << "\" (see kubecombo --help)\n";
  return 2;
}
