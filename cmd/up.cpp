#include "cmd/commands.hpp"

#include <iostream>

namespace kc::cmd {

int run_up(const arguments& args) {
  flag_set flags("up", "Runs the whole product on this machine.");
  if (auto rc = flags.parse(args))
    return *rc;
  std::cerr << "kubecombo up: not available in this build yet\n";
  return 1;
}

} // namespace kc::cmd
