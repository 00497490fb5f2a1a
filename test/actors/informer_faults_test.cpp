// kc-test-labels: integration
// The INFORMER under the control plane's injected faults (ADR 0012, in
// process: server->faults()): after each fault — 429 and 503 bursts on
// lists and watches, connection resets, delayed delivery with dropped
// watches, a 410 whose relist meets errors — the cache equals the server's
// LIST within a bounded wait; a 403 on a watch (or a list) ends the
// informer at once with its cause. Each case first waits until the server
// really served the fault, so it cannot pass without it.

#include "actors/runtime/informer.hpp"
#include "actors/runtime/supervisor.hpp"
#include "test/actors/support/raw_http_server.hpp"
#include "test/actors/support/sim_fixture.hpp"

#include "k8s/client/client_config.hpp"
#include "k8s/sim/fault.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/scoped_actor.hpp>

#include <map>
#include <mutex>

using namespace std::chrono_literals;
using namespace kc;
using namespace kc::runtime;
using kc::test::mirror;
using kc::test::sim_fixture;

namespace {

double metric(telemetry::registry& reg, const std::string& series) {
  auto text = reg.expose();
  auto pos = text.find(series + " ");
  return pos == std::string::npos
           ? -1
           : std::stod(text.substr(pos + series.size() + 1));
}

const std::string relists = R"(kc_informer_relists_total{kind="configmaps"})";
const std::string errors = R"(kc_informer_errors_total{kind="configmaps"})";

struct fixture : sim_fixture {
  telemetry::registry metrics;
  std::shared_ptr<mirror> seen = std::make_shared<mirror>();
  informer_actor inf;

  /// Faulted answers the server gave so far ("429", "503", "reset", ...).
  uint64_t served(const std::string& code) {
    auto d = server->faults().describe();
    auto& s = d.at("served").as_object();
    auto p = s.if_contains(code);
    return p ? p->to_number<uint64_t>() : 0;
  }

  /// Waits until the server served `n` faults of `code`.
  bool served_at_least(const std::string& code, uint64_t n) {
    return wait_for([&] { return served(code) >= n; });
  }

  /// The cache, the subscriber's mirror and the server's list agree.
  bool converged() {
    auto server_state = server_list();
    return seen->copy() == server_state
           && informer_cache(inf) == server_state;
  }

  /// A quick backoff so that bursts of faults take seconds, not minutes.
  informer_config fast() {
    auto cfg = informer(seen, &metrics);
    cfg.backoff = {20ms, 500ms, 2.0, 1.0};
    return cfg;
  }

  void start(informer_config cfg) {
    inf = keep(spawn_informer(sys, std::move(cfg)));
    BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
    BOOST_REQUIRE(wait_for([&] { return converged(); }));
  }

  /// Creates, modifies and deletes while a fault is in effect.
  void churn(const std::string& tag) {
    create(tag + "-a");
    create(tag + "-b");
    update(tag + "-a", "v2");
    remove(tag + "-b");
  }
};

sim::fault_rule rule(unsigned code, uint64_t count, const std::string& verb) {
  sim::fault_rule r;
  r.code = code;
  r.count = count;
  r.scope.verb = verb;
  r.scope.resource = "configmaps";
  return r;
}


/// A fake API server (raw bytes) whose watches carry bad lines: the first
/// an invalid JSON line, the second one longer than the client's limit.
/// Each LIST answers the current state; later watches stay open, silent.
struct bad_lines_api {
  std::mutex mtx;
  std::map<std::string, int> objects{{"a", 1}};
  int list_rv = 5;
  std::atomic<int> watches{0};

  static std::string object(const std::string& name, int rv) {
    return R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":")"
           + name + R"(","namespace":"default","resourceVersion":")"
           + std::to_string(rv) + R"("}})";
  }
  static std::string event(const char* type, const std::string& name,
                           int rv) {
    return std::string{R"({"type":")"} + type + R"(","object":)"
           + object(name, rv) + "}\n";
  }

  kc::test::raw_reply operator()(const std::string&, const std::string& t) {
    std::lock_guard guard{mtx};
    if (t.find("watch=true") == std::string::npos) {
      std::string items;
      for (auto& [name, rv] : objects)
        items += (items.empty() ? "" : ",") + object(name, rv);
      return {kc::test::json_response(
        200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":)"
               R"({"resourceVersion":")"
               + std::to_string(list_rv) + R"("},"items":[)" + items + "]}")};
    }
    auto out = kc::test::chunked_head();
    switch (++watches) {
      case 1: // a good event, then an invalid line
        out += kc::test::chunk(event("ADDED", "b", 6));
        out += kc::test::chunk("{not json at all\n");
        objects["b"] = 6;
        objects["c"] = 7; // changed while the watch was broken
        list_rv = 7;
        break;
      case 2: // a good event, then an over-long line
        out += kc::test::chunk(event("MODIFIED", "a", 8));
        out += kc::test::chunk(std::string(8000, 'x') + "\n");
        objects["a"] = 8;
        objects["d"] = 9;
        list_rv = 9;
        break;
      default:
        break;
    }
    return {std::move(out), true};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(informer_faults)

BOOST_FIXTURE_TEST_CASE(watch_429_and_503_bursts_resume_the_watch, fixture) {
  create("a");
  start(fast());
  server->faults().fail(rule(429, 3, "watch"));
  server->faults().fail(rule(503, 3, "watch"));
  server->drop_watches(); // the re-watch meets the burst
  churn("burst");
  BOOST_REQUIRE(served_at_least("429", 3));
  BOOST_REQUIRE(served_at_least("503", 3));
  BOOST_TEST(wait_for([&] { return converged(); }));
  BOOST_TEST(metric(metrics, errors) >= 6);
  // Each failed watch resumed from the last RV: no relist was needed.
  BOOST_TEST(metric(metrics, relists) == 0);
}

BOOST_FIXTURE_TEST_CASE(list_503_burst_before_the_first_sync, fixture) {
  create("a");
  create("b");
  server->faults().fail(rule(503, 3, "list")); // no Retry-After: not retried
  inf = keep(spawn_informer(sys, fast()));
  BOOST_REQUIRE(served_at_least("503", 3));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  BOOST_TEST(wait_for([&] { return converged(); }));
  BOOST_TEST(metric(metrics, errors) >= 3);
  churn("after");
  BOOST_TEST(wait_for([&] { return converged(); }));
}

BOOST_FIXTURE_TEST_CASE(list_429_burst_is_retried_by_the_client, fixture) {
  create("a");
  auto r = rule(429, 2, "list");
  r.retry_after = 0; // the client waits Retry-After; keep the test quick
  server->faults().fail(r);
  inf = keep(spawn_informer(sys, fast()));
  BOOST_REQUIRE(served_at_least("429", 2));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  BOOST_TEST(wait_for([&] { return converged(); }));
  // The client absorbed the 429s (Retry-After): the informer saw none.
  BOOST_TEST(metric(metrics, errors) == 0);
}

BOOST_FIXTURE_TEST_CASE(forced_410_whose_relist_meets_503_and_resets,
                        fixture) {
  create("keep");
  create("gone");
  start(fast());
  // The relist will meet two 503s and two resets (only the informer lists
  // until the test waits for them below).
  server->faults().fail(rule(503, 2, "list"));
  sim::fault_rule reset;
  reset.count = 2;
  reset.scope.verb = "list";
  reset.scope.resource = "configmaps";
  server->faults().reset_connections(reset);
  // Ten 429s keep the informer from watching (≥ 2.5 s of backoff) while
  // objects are created, modified and deleted and the history is
  // compacted: its re-watch from the last RV then gets 410 → relist.
  server->faults().fail(rule(429, 10, "watch"));
  server->drop_watches();
  churn("window");
  remove("gone");
  server->compact_history();
  BOOST_REQUIRE(served_at_least("429", 10));
  BOOST_REQUIRE(served_at_least("503", 2));
  BOOST_REQUIRE(served_at_least("reset", 2));
  BOOST_TEST(wait_for([&] { return converged(); }));
  BOOST_TEST(seen->deleted("default/gone"));
  BOOST_TEST(seen->deleted("default/window-b") == false); // never seen
  BOOST_TEST(metric(metrics, relists) >= 1);
}

BOOST_FIXTURE_TEST_CASE(watch_connection_resets_resume_the_watch, fixture) {
  create("a");
  start(fast());
  sim::fault_rule reset;
  reset.count = 4;
  reset.watch_only = true;
  server->faults().reset_connections(reset);
  server->drop_watches();
  churn("reset");
  BOOST_REQUIRE(served_at_least("reset", 4));
  BOOST_TEST(wait_for([&] { return converged(); }));
  BOOST_TEST(metric(metrics, errors) >= 4);
  BOOST_TEST(metric(metrics, relists) == 0);
}

BOOST_FIXTURE_TEST_CASE(delayed_delivery_with_dropped_watches, fixture) {
  create("a");
  start(fast());
  server->faults().delay_watches(300ms);
  auto before = seen->event_count();
  for (int round = 0; round < 3; ++round) {
    churn("delay" + std::to_string(round));
    // Drops the watch while delayed events are still in flight: they are
    // lost on the wire and must come again from the last RV.
    server->drop_watches();
  }
  BOOST_TEST(wait_for([&] { return converged(); }, 40s));
  BOOST_TEST(seen->event_count() > before);
  server->faults().delay_watches(0ms);
  churn("undelayed");
  BOOST_TEST(wait_for([&] { return converged(); }));
}

BOOST_FIXTURE_TEST_CASE(watch_403_fails_fast_with_its_cause, fixture) {
  create("a");
  server->faults().deny("watch", "configmaps");
  auto t0 = std::chrono::steady_clock::now();
  auto h = keep(spawn_informer(sys, fast()));
  caf::scoped_actor self{sys};
  self->monitor(h);
  std::string reason;
  self->receive(
    [&](caf::down_msg& d) { reason = sys.render(d.reason); },
    caf::after(10s) >> [&] { reason = "still running after 10 s"; });
  auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(served("403") == 1u); // one try, no silent retry loop
  BOOST_TEST(reason.find("forbidden") != std::string::npos, reason);
  bool cause = reason.find("cannot watch resource \\\"configmaps\\\"")
                 != std::string::npos
               || reason.find("cannot watch resource \"configmaps\"")
                    != std::string::npos;
  BOOST_TEST(cause, reason);
  BOOST_TEST((took < 5s));
  BOOST_TEST(seen->is_synced()); // the LIST was allowed
}

BOOST_FIXTURE_TEST_CASE(supervised_403_is_recorded_and_recovers, fixture) {
  create("a");
  server->faults().deny("watch", "configmaps");
  actor_registry reg;
  supervisor_config sc;
  sc.registry = &reg;
  sc.restart_backoff = {100ms, 1s, 2.0, 0.0};
  sc.children.push_back(informer_child(fast()));
  auto root = keep(spawn_supervisor(sys, std::move(sc)));
  // The cause is visible in /debug/actors, not a silent stall.
  BOOST_TEST(wait_for([&] {
    auto e = reg.find("informer/configmaps");
    return e && e->view().last_error.find("forbidden") != std::string::npos;
  }));
  BOOST_TEST(served("403") >= 1u);
  server->faults().clear(); // RBAC fixed: the restarted informer follows
  create("b");
  BOOST_TEST(wait_for([&] {
    auto e = reg.find("informer/configmaps");
    return e && e->view().state.find("watching") == 0
           && seen->copy() == server_list();
  }));
  // Stop the tree while `reg` still exists.
  caf::scoped_actor self{sys};
  self->monitor(root);
  caf::anon_send(root, atom::shutdown_v);
  bool down = false;
  self->receive([&](caf::down_msg&) { down = true; },
                caf::after(10s) >> [] {});
  BOOST_TEST(down);
}

BOOST_AUTO_TEST_CASE(invalid_and_over_long_watch_lines_relist_no_crash) {
  auto api = std::make_shared<bad_lines_api>();
  kc::test::raw_http_server srv(
    [api](const std::string& m, const std::string& t) { return (*api)(m, t); });
  k8s::client_config cc;
  cc.server = srv.url();
  k8s::parse_server_url(cc, "test", "server");
  cc.max_watch_line = 4096;
  kc::test::threaded_config cfg;
  caf::actor_system sys{cfg};
  telemetry::registry metrics;
  auto seen = std::make_shared<mirror>();
  informer_config ic;
  ic.kind = "configmaps";
  ic.resource = sim_fixture::configmaps();
  ic.client = std::make_shared<k8s::api_client>(cc);
  auto collector = kc::test::spawn_collector(sys, seen);
  ic.subscribers.push_back(collector);
  ic.metrics = &metrics;
  ic.backoff = {20ms, 500ms, 2.0, 1.0};
  ic.seed = 7;
  auto inf = spawn_informer(sys, ic);
  std::map<std::string, std::string> want{{"default/a", "8"},
                                          {"default/b", "6"},
                                          {"default/c", "7"},
                                          {"default/d", "9"}};
  auto cache = [&] {
    std::map<std::string, std::string> out;
    caf::scoped_actor self{sys};
    self->request(inf, 5s, atom::get_v)
      .receive(
        [&](std::vector<resource_event>& v) {
          for (auto& ev : v)
            out[ev.key.ns + "/" + ev.key.name] = std::string(
              ev.snapshot->at("metadata").at("resourceVersion").as_string());
        },
        [&](caf::error&) { out.clear(); });
    return out;
  };
  // Each bad line: logged and counted, the watch restarted via a relist
  // (the LIST is not line-bounded), and the informer still answers.
  BOOST_TEST(sim_fixture::wait_for([&] {
    return api->watches >= 3 && cache() == want && seen->copy() == want;
  }));
  BOOST_TEST(srv.requests("watch=true") >= 3u);
  BOOST_TEST(srv.requests("watch=true") + 3u <= srv.requests("configmaps"));
  BOOST_TEST(metric(metrics, errors) >= 2);
  caf::scoped_actor self{sys};
  for (auto a : {caf::actor_cast<caf::actor>(inf), collector}) {
    self->monitor(a);
    self->send_exit(a, caf::exit_reason::user_shutdown);
    self->receive([](caf::down_msg&) {}, caf::after(10s) >> [] {});
  }
  srv.stop();
}

BOOST_AUTO_TEST_SUITE_END()
