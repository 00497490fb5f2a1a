#pragma once

// `$KUBECOMBO sim` as a child process for the LEADER and RECORDER
// integration tests (its own temp dir; SIGSTOP/SIGCONT to simulate an
// unreachable API server).

#include <string>

namespace kc::test {

class controller_sim {
public:
  controller_sim();
  ~controller_sim();
  controller_sim(const controller_sim&) = delete;
  controller_sim& operator=(const controller_sim&) = delete;

  /// False (with reason()) when KUBECOMBO is unset or the sim did not start.
  bool running() const { return pid_ > 0 && ready_; }
  const std::string& reason() const { return reason_; }
  std::string kubeconfig() const { return dir_ + "/kubeconfig"; }
  /// SIGSTOP / SIGCONT the server.
  void pause();
  void resume();

private:
  std::string dir_;
  int pid_ = -1;
  bool ready_ = false;
  std::string reason_;
};

} // namespace kc::test
