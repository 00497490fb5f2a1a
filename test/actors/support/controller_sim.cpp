#include "test/actors/support/controller_sim.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char** environ;

namespace kc::test {

controller_sim::controller_sim() {
  const char* bin = std::getenv("KUBECOMBO");
  if (!bin || !*bin || !std::filesystem::exists(bin)) {
    reason_ = "KUBECOMBO is not set to a built kubecombo binary";
    return;
  }
  auto tmpl = (std::filesystem::temp_directory_path() / "kc-ctl-sim-XXXXXX")
                  .string();
  if (!mkdtemp(tmpl.data())) {
    reason_ = "cannot create a temp dir";
    return;
  }
  dir_ = tmpl;
  std::vector<std::string> args{bin,           "sim",         "--listen",
                                "127.0.0.1:0", "--nodes",     "1",
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

void controller_sim::pause() {
  if (pid_ > 0)
    kill(pid_, SIGSTOP);
}

void controller_sim::resume() {
  if (pid_ > 0)
    kill(pid_, SIGCONT);
}

controller_sim::~controller_sim() {
  if (pid_ > 0) {
    kill(pid_, SIGCONT);
    kill(pid_, SIGTERM);
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
      int st = 0;
      gone = waitpid(pid_, &st, WNOHANG) == pid_;
      if (!gone)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!gone) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

} // namespace kc::test
