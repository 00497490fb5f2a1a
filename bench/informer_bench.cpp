// Informer benchmark (issue 4): events decoded and delivered per second to
// 10 subscribers, and memory per cached object, against the in-process
// control plane over HTTPS.
//
//   ninja -C build informer_bench && build/bench/informer_bench [N] [M]
//
// Phase 1 (LIST): N ConfigMaps exist; an informer with 10 counting
// subscribers lists them; time from spawn until every subscriber saw N
// events, and the heap growth (mallinfo2) per cached object.
// Phase 2 (WATCH): M ConfigMaps are created with 64 requests in flight;
// time until every subscriber saw M more events, and the create rate for
// comparison (the informer keeps up if both match).

#include "actors/runtime/informer.hpp"
#include "k8s/client/client_config.hpp"
#include "k8s/client/kubeconfig.hpp"
#include "k8s/sim/server.hpp"
#include "messages/type_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <boost/json/object.hpp>

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

using namespace kc;
using clk = std::chrono::steady_clock;
namespace json = boost::json;

namespace {

struct counter_state {
  std::atomic<uint64_t> events{0};
};

caf::behavior counting(caf::event_based_actor*,
                       std::shared_ptr<counter_state> c) {
  return {
    [c](const resource_event&) { c->events.fetch_add(1); },
    [](atom::synced, const std::string&) {},
  };
}

struct config : caf::actor_system_config {
  config() {
    add_message_types<caf::id_block::kc_types>();
    add_message_types<caf::id_block::kc_runtime>();
  }
};

k8s::resource_ref cms() {
  return {"", "v1", "configmaps", true, "default", "", ""};
}

json::object make_cm(size_t i) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata",
           json::object{{"name", "cm-" + std::to_string(i)},
                        {"namespace", "default"},
                        {"labels", json::object{{"app", "bench"}}}}},
          {"data", json::object{{"key", std::string(100, 'x')}}}};
}

/// Creates [from, to) with `inflight` requests outstanding.
double create_all(k8s::api_client& c, size_t from, size_t to,
                  size_t inflight) {
  std::mutex mtx;
  std::condition_variable cv;
  size_t outstanding = 0, failed = 0;
  auto t0 = clk::now();
  for (size_t i = from; i < to; ++i) {
    std::unique_lock lock{mtx};
    cv.wait(lock, [&] { return outstanding < inflight; });
    ++outstanding;
    lock.unlock();
    c.create(cms(), make_cm(i), i, [&](uint64_t, k8s::http_result r) {
      std::lock_guard guard{mtx};
      failed += r.ok() ? 0 : 1;
      --outstanding;
      cv.notify_all();
    });
  }
  std::unique_lock lock{mtx};
  cv.wait(lock, [&] { return outstanding == 0; });
  if (failed)
    std::printf("  (%zu creates failed)\n", failed);
  return std::chrono::duration<double>(clk::now() - t0).count();
}

bool wait_all(const std::vector<std::shared_ptr<counter_state>>& subs,
              uint64_t target, std::chrono::seconds limit) {
  auto deadline = clk::now() + limit;
  for (auto& s : subs)
    while (s->events.load() < target) {
      if (clk::now() > deadline)
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::stoul(argv[1]) : 10000;
  size_t m = argc > 2 ? std::stoul(argv[2]) : 10000;
  const size_t subscribers = 10;
  sim::server_config sc;
  sc.nodes = 0;
  sim::server srv{sc};
  srv.start();
  auto kc = k8s::load_kubeconfig({srv.kubeconfig_path()}, true);
  auto client = std::make_shared<k8s::api_client>(k8s::resolve_context(kc, ""));
  std::printf("creating %zu ConfigMaps...\n", n);
  create_all(*client, 0, n, 64);
  config cfg;
  caf::actor_system sys{cfg};
  std::vector<std::shared_ptr<counter_state>> counts;
  runtime::informer_config ic;
  ic.kind = "configmaps";
  ic.resource = cms();
  ic.client = client;
  ic.metrics = nullptr;
  for (size_t i = 0; i < subscribers; ++i) {
    counts.push_back(std::make_shared<counter_state>());
    ic.subscribers.push_back(sys.spawn(counting, counts.back()));
  }
  malloc_trim(0);
  auto heap0 = mallinfo2().uordblks;
  auto t0 = clk::now();
  auto inf = runtime::spawn_informer(sys, ic);
  if (!wait_all(counts, n, std::chrono::seconds{120})) {
    std::printf("LIST phase timed out\n");
    return 1;
  }
  auto list_s = std::chrono::duration<double>(clk::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  malloc_trim(0);
  auto heap1 = mallinfo2().uordblks;
  std::printf("LIST  %zu objects -> %zu subscribers: %.3f s, %.0f objects/s "
              "decoded, %.0f deliveries/s\n",
              n, subscribers, list_s, n / list_s, n * subscribers / list_s);
  std::printf("MEMORY heap growth %.1f MiB = %.0f bytes per cached object "
              "(list body shared by aliasing snapshots)\n",
              (heap1 - heap0) / 1048576.0,
              static_cast<double>(heap1 - heap0) / static_cast<double>(n));
  auto t1 = clk::now();
  auto create_s = create_all(*client, n, n + m, 64);
  if (!wait_all(counts, n + m, std::chrono::seconds{120})) {
    std::printf("WATCH phase timed out\n");
    return 1;
  }
  auto watch_s = std::chrono::duration<double>(clk::now() - t1).count();
  std::printf("WATCH %zu creates (%.0f creates/s) -> %zu subscribers: "
              "%.3f s, %.0f events/s decoded, %.0f deliveries/s\n",
              m, m / create_s, subscribers, watch_s, m / watch_s,
              m * subscribers / watch_s);
  caf::anon_send_exit(inf, caf::exit_reason::user_shutdown);
  for (auto& a : ic.subscribers)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return 0;
}
