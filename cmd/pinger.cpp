#include "cmd/commands.hpp"

#include <iostream>

namespace kc::cmd {

int run_pinger(const arguments& args) {
  flag_set flags("pinger", "Probes peers, gateway and targets.");
  if (auto rc = flags.parse(args))
    return *rc;
  std::cerr << "kubecombo pinger: not available in this build yet\n";
  return 1;
}

} // namespace kc::cmd
