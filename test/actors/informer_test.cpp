// kc-test-labels: integration
// The INFORMER against the in-process control plane over HTTPS: initial
// sync, fan-out, selectors, dropped watches, a forced 410 while objects
// were created and deleted (synthesized deletes), an over-long watch line,
// and /debug/actors. Every wait is bounded.

#include "actors/runtime/informer.hpp"
#include "actors/runtime/supervisor.hpp"
#include "test/actors/support/sim_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

using namespace std::chrono_literals;
using namespace kc;
using namespace kc::runtime;
using kc::test::mirror;
using kc::test::sim_fixture;

namespace {

/// The cache, the subscriber's mirror and the server's list agree.
bool converged(sim_fixture& f, const informer_actor& inf,
               const mirror& m, const std::string& sel = {}) {
  auto server = f.server_list(sel);
  return m.copy() == server && f.informer_cache(inf) == server;
}

double metric(telemetry::registry& reg, const std::string& series) {
  auto text = reg.expose();
  auto pos = text.find(series + " ");
  return pos == std::string::npos
           ? -1
           : std::stod(text.substr(pos + series.size() + 1));
}

struct fixture : sim_fixture {
  telemetry::registry metrics;
  std::shared_ptr<mirror> seen = std::make_shared<mirror>();
  informer_actor inf;

  explicit fixture(size_t max_line = 16u << 20) : sim_fixture(max_line) {
  }
};

struct small_lines : fixture {
  small_lines() : fixture(4096) {
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(informer)

BOOST_FIXTURE_TEST_CASE(syncs_then_follows_the_watch, fixture) {
  create("a");
  create("b");
  auto cfg = informer(seen, &metrics);
  auto synced = std::make_shared<std::atomic<bool>>(false);
  cfg.synced = synced;
  inf = keep(spawn_informer(sys, cfg));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  BOOST_TEST(synced->load());
  BOOST_TEST(seen->copy().size() == 2u);
  create("c");
  update("a", "changed");
  remove("b");
  BOOST_TEST(wait_for([&] { return converged(*this, inf, *seen); }));
  BOOST_TEST(seen->deleted("default/b"));
  BOOST_TEST(metric(metrics, R"(kc_informer_synced{kind="configmaps"})") == 1);
  BOOST_TEST(metric(metrics,
                    R"(kc_informer_events_total{kind="configmaps",type="deleted"})")
             == 1);
}

BOOST_FIXTURE_TEST_CASE(late_subscribers_get_the_cache_replayed, fixture) {
  create("a");
  inf = keep(spawn_informer(sys, informer(seen, &metrics)));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  auto late = std::make_shared<mirror>();
  caf::anon_send(inf, atom::subscribe_v,
                 keep(kc::test::spawn_collector(sys, late)));
  BOOST_TEST(wait_for([&] { return late->is_synced(); }));
  BOOST_TEST(late->copy() == seen->copy());
}

BOOST_FIXTURE_TEST_CASE(label_selector_scopes_on_the_server, fixture) {
  create("mine", "x");
  create("other", "y");
  auto cfg = informer(seen, &metrics);
  cfg.label_selector = "app=x";
  inf = keep(spawn_informer(sys, cfg));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  create("mine2", "x");
  create("other2", "y");
  BOOST_TEST(
    wait_for([&] { return converged(*this, inf, *seen, "app=x"); }));
  auto cache = seen->copy();
  BOOST_TEST(cache.size() == 2u);
  BOOST_TEST(!cache.count("default/other2"));
}

BOOST_FIXTURE_TEST_CASE(dropped_watches_resume_from_the_last_rv, fixture) {
  for (int i = 0; i < 5; ++i)
    create("cm" + std::to_string(i));
  inf = keep(spawn_informer(sys, informer(seen, &metrics)));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  for (int round = 0; round < 3; ++round) {
    server->drop_watches();
    create("new" + std::to_string(round));
    remove("cm" + std::to_string(round));
    update("cm4", "round" + std::to_string(round));
    BOOST_TEST(wait_for([&] { return converged(*this, inf, *seen); }),
               "round " << round);
  }
  // Resumed watches, no relist: 410 never happened.
  BOOST_TEST(metric(metrics, R"(kc_informer_relists_total{kind="configmaps"})")
             == 0);
}

BOOST_FIXTURE_TEST_CASE(forced_410_relists_and_synthesizes_deletes, fixture) {
  create("keep");
  create("gone1");
  create("gone2");
  auto cfg = informer(seen, &metrics);
  cfg.rewatch_delay = 2s; // the window in which the faults happen
  inf = keep(spawn_informer(sys, cfg));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  BOOST_REQUIRE(wait_for([&] { return converged(*this, inf, *seen); }));
  server->drop_watches();
  // While no watch is open: create, modify and delete, then compact the
  // history so that resuming from the last RV gets 410 Gone.
  create("born");
  update("keep", "v2");
  remove("gone1");
  remove("gone2");
  create("short-lived");
  remove("short-lived");
  server->compact_history();
  BOOST_TEST(wait_for([&] { return converged(*this, inf, *seen); }));
  BOOST_TEST(seen->deleted("default/gone1"));
  BOOST_TEST(seen->deleted("default/gone2"));
  BOOST_TEST(!seen->copy().count("default/short-lived"));
  BOOST_TEST(metric(metrics, R"(kc_informer_relists_total{kind="configmaps"})")
             >= 1);
  // Still watching after the relist.
  create("after");
  BOOST_TEST(wait_for([&] { return seen->copy().count("default/after"); }));
}

BOOST_FIXTURE_TEST_CASE(over_long_watch_line_is_survived, small_lines) {
  create("small");
  inf = keep(spawn_informer(sys, informer(seen, &metrics)));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  create("big", {}, std::string(8000, 'x')); // longer than a 4 KiB line
  create("next");
  // Logged, counted, the watch restarted (via a relist): no crash, and the
  // cache converges, big object included.
  BOOST_TEST(wait_for([&] { return converged(*this, inf, *seen); }, 30s));
  BOOST_TEST(seen->copy().count("default/big") == 1u);
  BOOST_TEST(metric(metrics, R"(kc_informer_errors_total{kind="configmaps"})")
             >= 1);
}

BOOST_FIXTURE_TEST_CASE(supervised_informer_in_debug_actors, fixture) {
  create("a");
  actor_registry reg;
  supervisor_config sc;
  sc.registry = &reg;
  sc.children.push_back(informer_child(informer(seen, &metrics)));
  auto root = keep(spawn_supervisor(sys, std::move(sc)));
  BOOST_REQUIRE(wait_for([&] { return seen->is_synced(); }));
  BOOST_TEST(wait_for([&] {
    auto e = reg.find("informer/configmaps");
    return e && e->view().state.find("watching") == 0;
  }));
  auto json = reg.to_json();
  BOOST_TEST(json.find(R"("name":"informer/configmaps","parent":"root")")
               != std::string::npos,
             json);
  caf::anon_send(root, atom::shutdown_v);
  caf::scoped_actor self{sys};
  self->monitor(root);
  bool down = false;
  self->receive([&](caf::down_msg&) { down = true; },
                caf::after(10s) >> [] {});
  BOOST_TEST(down);
  BOOST_TEST(reg.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
