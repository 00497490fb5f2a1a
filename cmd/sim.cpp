#include "cmd/commands.hpp"

#include <iostream>

namespace kc::cmd {

int run_sim(const arguments& args) {
  flag_set flags("sim", "Runs the embedded Kubernetes-compatible control plane.");
  if (auto rc = flags.parse(args))
    return *rc;
  std::cerr << "kubecombo sim: not available in this build yet\n";
  return 1;
}

} // namespace kc::cmd
