#pragma once

#include "test/k8s/client/support/temp_dir.hpp"

#include <string>

namespace kc::test {

/// `$KUBECOMBO sim --listen 127.0.0.1:0 --kubeconfig-out <tmp>/kubeconfig`
/// as a child process; stopped (SIGTERM, then SIGKILL) on destruction.
class sim_process {
public:
  sim_process();
  ~sim_process();
  sim_process(const sim_process&) = delete;
  sim_process& operator=(const sim_process&) = delete;

  /// False (with reason()) when KUBECOMBO is unset or the sim did not come up.
  bool running() const { return pid_ > 0 && ready_; }
  const std::string& reason() const { return reason_; }
  /// The kubeconfig the sim wrote.
  std::string kubeconfig() const { return dir_.path() + "/kubeconfig"; }
  const temp_dir& dir() const { return dir_; }

private:
  temp_dir dir_;
  int pid_ = -1;
  bool ready_ = false;
  std::string reason_;
};

} // namespace kc::test
