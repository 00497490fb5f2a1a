// Micro-benchmarks of kc_telemetry's metrics registry:
//   counter increments/s (1 and 2 threads, shared and private counters),
//   histogram observes/s, child lookup, and exposition time for 10,000 series.
// Each hot-path number is printed beside a peer: the same update under a
// std::mutex (what a naive registry does). Run: build-g/bench/telemetry_metrics

#include "telemetry/metrics.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace kc::telemetry;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr long ops_per_thread = 20'000'000;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec)
         + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Wall-clock rate and CPU cost of one run. The machine is shared, so the
/// CPU nanoseconds per operation are the steadier number.
struct result {
  double ops_per_s;
  double cpu_ns_per_op;
};

/// Runs `body(thread_index, ops)` on `threads` threads.
template <class F>
result rate(int threads, long ops, F body) {
  std::vector<std::thread> pool;
  auto cpu = cpu_seconds();
  auto start = clock_type::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { body(t, ops); });
  for (auto& th : pool)
    th.join();
  std::chrono::duration<double> d = clock_type::now() - start;
  auto total = static_cast<double>(ops) * threads;
  return {total / d.count(), (cpu_seconds() - cpu) * 1e9 / total};
}

struct mutex_counter { // the peer
  std::mutex mtx;
  double value = 0;
  void inc() {
    std::lock_guard lock{mtx};
    value += 1;
  }
};

struct alignas(64) padded_counter {
  counter c;
};

void line(const char* what, result ours, result peer) {
  std::printf("%-44s %7.1f M/s %6.1f ns CPU | mutex peer %6.1f M/s %6.1f ns "
              "CPU | peer/ours CPU %4.1fx\n",
              what, ours.ops_per_s / 1e6, ours.cpu_ns_per_op,
              peer.ops_per_s / 1e6, peer.cpu_ns_per_op,
              peer.cpu_ns_per_op / ours.cpu_ns_per_op);
}

} // namespace

int main() {
  std::printf("kc_telemetry metrics micro-benchmarks (%u hardware threads)\n",
              std::thread::hardware_concurrency());
  for (int threads : {1, 2}) {
    counter shared;
    mutex_counter peer;
    auto ours = rate(threads, ops_per_thread, [&](int, long n) {
      for (long i = 0; i < n; ++i)
        shared.inc();
    });
    auto theirs = rate(threads, ops_per_thread / 4, [&](int, long n) {
      for (long i = 0; i < n; ++i)
        peer.inc();
    });
    auto label = "counter.inc(), one shared counter, " + std::to_string(threads)
                 + " thr";
    line(label.c_str(), ours, theirs);
    if (shared.value() != double(threads * ops_per_thread))
      std::printf("  LOST UPDATES: %f\n", shared.value());
  }
  {
    padded_counter own[2];
    mutex_counter peers[2];
    auto ours = rate(2, ops_per_thread, [&](int t, long n) {
      for (long i = 0; i < n; ++i)
        own[t].c.inc();
    });
    auto theirs = rate(2, ops_per_thread / 4, [&](int t, long n) {
      for (long i = 0; i < n; ++i)
        peers[t].inc();
    });
    line("counter.inc(), a counter per thread, 2 thr", ours, theirs);
  }
  for (int threads : {1, 2}) {
    histogram h{rtt_buckets()};
    std::mutex mtx;
    histogram peer{rtt_buckets()};
    auto ours = rate(threads, ops_per_thread / 2, [&](int, long n) {
      for (long i = 0; i < n; ++i)
        h.observe(static_cast<double>(i & 1023) * 1e-5);
    });
    auto theirs = rate(threads, ops_per_thread / 8, [&](int, long n) {
      for (long i = 0; i < n; ++i) {
        std::lock_guard lock{mtx};
        peer.observe(static_cast<double>(i & 1023) * 1e-5);
      }
    });
    auto label = "histogram.observe(), 17 buckets, " + std::to_string(threads)
                 + " thr";
    line(label.c_str(), ours, theirs);
  }
  {
    registry reg;
    auto& fam = reg.add_counter_family("bench_lookup", "", {"proto", "target"});
    for (int i = 0; i < 1000; ++i)
      fam.with({"icmp", "10.0." + std::to_string(i / 256) + "."
                            + std::to_string(i % 256)});
    auto ours = rate(1, 2'000'000, [&](int, long n) {
      for (long i = 0; i < n; ++i)
        fam.with({"icmp", "10.0.1.17"})->inc();
    });
    std::printf("%-44s %7.1f M/s %6.1f ns CPU (shared lock + map find)\n",
                "family.with() of an existing child, 1000",
                ours.ops_per_s / 1e6, ours.cpu_ns_per_op);
  }
  // Exposition: 10,000 counter series with two labels, and 1,000 histogram
  // series with 17 buckets (21,000 lines).
  {
    registry reg;
    auto& fam = reg.add_counter_family("bench_probes", "Probes.",
                                       {"proto", "target"});
    for (int i = 0; i < 10'000; ++i)
      fam.with({"icmp", "10." + std::to_string(i / 65536) + "."
                            + std::to_string((i / 256) % 256) + "."
                            + std::to_string(i % 256)})
          ->inc(i);
    std::string out;
    constexpr int rounds = 50;
    auto start = clock_type::now();
    for (int r = 0; r < rounds; ++r) {
      out.clear();
      reg.expose(out);
    }
    std::chrono::duration<double, std::milli> d = clock_type::now() - start;
    std::printf("%-44s %9.2f ms per scrape, %zu bytes\n",
                "expose 10,000 counter series", d.count() / rounds, out.size());
  }
  {
    registry reg;
    auto& fam = reg.add_histogram_family("bench_rtt_seconds", "RTT.",
                                         {"target"}, rtt_buckets());
    for (int i = 0; i < 1000; ++i)
      fam.with({"t" + std::to_string(i)})->observe(i * 1e-4);
    std::string out;
    constexpr int rounds = 50;
    auto start = clock_type::now();
    for (int r = 0; r < rounds; ++r) {
      out.clear();
      reg.expose(out);
    }
    std::chrono::duration<double, std::milli> d = clock_type::now() - start;
    std::printf("%-44s %9.2f ms per scrape, %zu bytes\n",
                "expose 1,000 histograms (21,000 lines)", d.count() / rounds,
                out.size());
  }
  return 0;
}
