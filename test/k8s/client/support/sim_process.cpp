#include "test/k8s/client/support/sim_process.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace kc::test {

sim_process::sim_process() {
  const char* bin = std::getenv("KUBECOMBO");
  if (!bin || !*bin || !std::filesystem::exists(bin)) {
    reason_ = "KUBECOMBO is not set to a built kubecombo binary";
    return;
  }
  std::vector<std::string> args{bin, "sim", "--listen", "127.0.0.1:0",
                                "--kubeconfig-out", kubeconfig()};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, bin, nullptr, nullptr, argv.data(), environ) != 0) {
    reason_ = "cannot start kubecombo sim";
    return;
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(kubeconfig())) {
      ready_ = true;
      return;
    }
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      reason_ = "kubecombo sim exited early";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  reason_ = "kubecombo sim wrote no kubeconfig within 60 s";
}

sim_process::~sim_process() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  int st = 0;
  waitpid(pid_, &st, 0);
}

} // namespace kc::test
