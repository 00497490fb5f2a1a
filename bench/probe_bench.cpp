// probe_bench: kubecombo's ICMP engine alone, for bench/probe_bench.py.
//
//   probe_bench TARGETS INTERVAL_S ROUNDS [TIMEOUT_S] [--stats]
//
// Probes 127.x.y.z loopback addresses (TARGETS of them, from 127.1.0.1 on)
// ROUNDS times, one probe per target per INTERVAL_S, spread evenly. With
// --stats every target also keeps a probes::target_stats (as the agent
// does), so RSS is the agent's. Prints one line of key=value results; CPU is
// getrusage(RUSAGE_SELF) over the probing only.
#include "probes/icmp_engine.hpp"
#include "probes/target_stats.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace kc::probes;

struct counting_sink : result_sink {
  std::vector<target_stats> stats;
  uint64_t ok = 0, failed = 0, batches = 0;
  void on_results(protocol, std::span<const probe_result> batch) override {
    ++batches;
    for (auto& r : batch) {
      (r.result == outcome::ok ? ok : failed)++;
      if (!stats.empty())
        stats[r.slot].record(r);
    }
  }
};

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)
               * 1e-6;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atol(line.c_str() + 6);
  return -1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: probe_bench TARGETS INTERVAL_S ROUNDS [TIMEOUT_S] "
                 "[--stats]\n");
    return 2;
  }
  auto n = static_cast<uint32_t>(std::atol(argv[1]));
  double interval = std::atof(argv[2]);
  auto rounds = static_cast<uint64_t>(std::atoll(argv[3]));
  double timeout
      = argc > 4 && argv[4][0] != '-' ? std::atof(argv[4]) : interval;
  bool with_stats = std::strcmp(argv[argc - 1], "--stats") == 0;

  asio::io_context io;
  counting_sink sink;
  icmp_engine engine(io, sink, icmp_engine::mode::raw);
  if (!engine.error().empty()) {
    std::fprintf(stderr, "probe_bench: %s\n", engine.error().c_str());
    return 1;
  }
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t host = i + 1; // 127.1.0.1 ...
    asio::ip::address_v4::bytes_type b{
        127, static_cast<uint8_t>(1 + (host >> 16)),
        static_cast<uint8_t>(host >> 8), static_cast<uint8_t>(host)};
    if (b[3] == 0 || b[3] == 255) { // skip .0 and .255 for readability
      ++n;
      continue;
    }
    engine.add(asio::ip::address_v4(b));
  }
  if (with_stats)
    sink.stats.assign(engine.size(), target_stats(stats_config{}));
  long rss_setup = rss_kib();
  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  engine.on_finished([&] { io.stop(); });
  engine.start({std::chrono::nanoseconds{static_cast<int64_t>(interval * 1e9)},
                std::chrono::nanoseconds{static_cast<int64_t>(timeout * 1e9)},
                rounds});
  io.run();
  double cpu = cpu_seconds() - cpu0;
  double wall
      = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
  auto& c = engine.counters();
  std::printf("targets=%u sent=%llu ok=%llu lost=%llu late=%llu "
              "send_errors=%llu foreign=%llu cpu_s=%.4f wall_s=%.2f "
              "cpu_us_per_probe=%.3f max_lag_ms=%.2f rss_setup_kib=%ld "
              "rss_kib=%ld\n",
              engine.size(), (unsigned long long)c.sent,
              (unsigned long long)sink.ok, (unsigned long long)sink.failed,
              (unsigned long long)c.late, (unsigned long long)c.send_errors,
              (unsigned long long)c.foreign, cpu, wall,
              c.sent ? cpu / static_cast<double>(c.sent) * 1e6 : 0.0,
              static_cast<double>(c.max_lag_ns) * 1e-6, rss_setup, rss_kib());
  return 0;
}
