#include "cmd/commands.hpp"

#include <iostream>

namespace kc::cmd {

int run_debugger(const arguments& args) {
  flag_set flags("debugger", "Runs node inspections.");
  if (auto rc = flags.parse(args))
    return *rc;
  std::cerr << "kubecombo debugger: not available in this build yet\n";
  return 1;
}

} // namespace kc::cmd
