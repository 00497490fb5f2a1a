#include "cmd/up_wait.hpp"

#include <csignal>
#include <cstdio>
#include <ctime>

namespace kc::cmd::up {

int stop_signal_within(std::chrono::milliseconds d) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec ts{static_cast<time_t>(d.count() / 1000),
              static_cast<long>((d.count() % 1000) * 1'000'000)};
  int sig = ::sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

wait_result wait_for(std::ostream& out, const std::string& what,
                     std::chrono::seconds timeout,
                     const std::function<std::string()>& check, int& signal,
                     const std::string& hint) {
  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  std::string last;
  for (;;) {
    auto missing = check();
    auto elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (missing.empty()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "      done in %.1fs\n", elapsed);
      out << buf << std::flush;
      return wait_result::done;
    }
    if (missing != last) {
      out << "      " << missing << '\n' << std::flush;
      last = missing;
    }
    if (clock::now() - start >= timeout) {
      out << "kubecombo up: timed out after " << timeout.count()
          << "s waiting for " << what << ": " << missing << '\n';
      if (!hint.empty())
        out << "  look: " << hint << '\n';
      out << std::flush;
      return wait_result::timed_out;
    }
    if ((signal = stop_signal_within(std::chrono::milliseconds(250))))
      return wait_result::stopped;
  }
}

} // namespace kc::cmd::up
