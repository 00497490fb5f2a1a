// Benchmark: the check runner's own CPU for trivial checks (issue 8: 50
// trivial checks per node per minute must cost < 2 % of a core in the agent,
// excluding the checks' own work). Measures the runner process's utime+stime
// (RUSAGE_SELF, which excludes children), not the checks'.
//
//   checks_bench [--checks 50] [--batches 5] [--minute]
//
// Burst: all checks back to back (concurrency 4), cost per batch extrapolated
// to one batch per minute. --minute: one real minute, starts spread by a 60 s
// jitter, measured directly (includes every idle wake-up).

#include "probes/runner.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono;
using namespace kc::checks;

namespace {

double cpu_seconds(int who) {
  rusage ru{};
  getrusage(who, &ru);
  auto s = [](timeval t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

struct sample {
  double self = 0;
  double children = 0;
  double wall = 0;
  std::size_t ok = 0;
};

sample measure(const std::vector<check_spec>& specs,
               const runner_options& opt) {
  auto self0 = cpu_seconds(RUSAGE_SELF);
  auto child0 = cpu_seconds(RUSAGE_CHILDREN);
  auto t0 = steady_clock::now();
  auto results = run_checks(specs, opt);
  sample s;
  s.wall = duration<double>(steady_clock::now() - t0).count();
  s.self = cpu_seconds(RUSAGE_SELF) - self0;
  s.children = cpu_seconds(RUSAGE_CHILDREN) - child0;
  for (auto& r : results)
    s.ok += r.status == check_status::ok;
  return s;
}

} // namespace

int main(int argc, char** argv) {
  int n = 50;
  int batches = 5;
  bool minute = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--checks") && i + 1 < argc)
      n = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--batches") && i + 1 < argc)
      batches = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--minute"))
      minute = true;
    else {
      std::fprintf(
          stderr,
          "usage: checks_bench [--checks N] [--batches N] [--minute]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/kc-checks-bench-XXXXXX";
  fs::path dir = ::mkdtemp(tmpl);
  std::vector<check_spec> specs;
  for (int i = 0; i < n; ++i) {
    auto name = "c" + std::to_string(i);
    std::ofstream(dir / name)
        << "#!/bin/sh\necho \"item" << i << ": ok\"\nexit 0\n";
    ::chmod((dir / name).c_str(), 0755);
    specs.push_back({"bench", name, (dir / name).string(), {}});
  }
  runner_options opt;
  opt.concurrency = 4;
  opt.env = {"HOST_ROOT=/", "NODE_NAME=bench", "RUN_ID=20261128-160000",
             "CHECK_TIMEOUT=30"};
  measure(specs, opt); // warm-up
  std::vector<sample> runs;
  for (int b = 0; b < batches; ++b)
    runs.push_back(measure(specs, opt));
  std::sort(runs.begin(), runs.end(),
            [](auto& a, auto& b) { return a.self < b.self; });
  auto med = runs[runs.size() / 2];
  std::printf("burst: %d trivial checks per batch, %d batches, concurrency 4\n",
              n, batches);
  std::printf("  median batch: agent self CPU %.1f ms (%.3f ms/check), checks' "
              "CPU %.1f ms, "
              "wall %.0f ms, %zu ok\n",
              med.self * 1e3, med.self * 1e3 / n, med.children * 1e3,
              med.wall * 1e3, med.ok);
  std::printf(
      "  one batch per minute => agent %.3f %% of a core (target < 2 %%)\n",
      med.self / 60.0 * 100.0);
  if (minute) {
    opt.start_jitter = seconds(60);
    opt.deadline = seconds(90);
    auto s = measure(specs, opt);
    std::printf("minute: %d checks spread over 60 s by start jitter\n", n);
    std::printf("  agent self CPU %.1f ms over %.1f s wall => %.3f %% of a "
                "core; checks' CPU "
                "%.1f ms; %zu ok\n",
                s.self * 1e3, s.wall, s.self / std::max(s.wall, 60.0) * 100.0,
                s.children * 1e3, s.ok);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
