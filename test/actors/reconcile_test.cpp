// The per-key reconcile machinery (api:Q2–Q4) under the deterministic
// fixture: coalescing, one pass at a time, backoff 5 ms → …, requeue-after
// with superseded timers, terminal errors, error never with a requeue,
// retirement of deleted keys, mapping of secondary kinds, metrics.

#include "actors/runtime/reconcile_supervisor.hpp"
#include "test/actors/support/deterministic_fixture.hpp"

#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using namespace kc;
using namespace kc::runtime;

namespace {

/// Records every pass; answers with `next` (or keeps it open when hold).
struct recorder {
  std::vector<reconcile_request> passes;
  std::vector<caf::actor_clock::time_point> times;
  reconcile_result next = reconcile_result::ok();
  bool hold = false;
};

struct fixture : kc::test::deterministic_fixture {
  telemetry::registry metrics;
  actor_registry reg;
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  reconcile_supervisor_actor sup;

  reconcile_config config() {
    reconcile_config cfg;
    cfg.name = "debuggers";
    cfg.child_prefix = "debugger";
    cfg.primary_kind = "debuggers";
    cfg.metrics = &metrics;
    cfg.registry = &reg;
    auto r = rec;
    auto clock = &sched.clock();
    cfg.make = reconciler_from([r, clock](reconcile_request req) {
      r->times.push_back(clock->now());
      auto done = req.done;
      r->passes.push_back(std::move(req));
      if (!r->hold)
        done(r->next);
    });
    return cfg;
  }

  void start(reconcile_config cfg) {
    sup = spawn_reconcile_supervisor(sys, std::move(cfg));
    run();
  }

  static snapshot_ptr snap(int n) {
    return std::make_shared<const boost::json::object>(
      boost::json::object{{"n", n}});
  }

  void event(const std::string& name, snapshot_ptr s,
             std::string kind = "debuggers") {
    self->send(sup, resource_event{std::move(kind), {"default", name},
                                   std::move(s)});
  }

  size_t passes() const {
    return rec->passes.size();
  }

  double counter(const std::string& line) {
    auto text = metrics.expose();
    auto pos = text.find(line + " ");
    return pos == std::string::npos
             ? -1
             : std::stod(text.substr(pos + line.size() + 1));
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(reconcile)

BOOST_FIXTURE_TEST_CASE(burst_of_100_events_coalesces, fixture) {
  start(config());
  for (int i = 0; i < 100; ++i)
    event("d1", snap(i));
  run();
  BOOST_TEST(passes() >= 1u);
  BOOST_TEST(passes() <= 3u);
  // The last pass saw the latest snapshot (level-based).
  BOOST_TEST(rec->passes.back().snapshot->at("n").as_int64() == 99);
  BOOST_TEST(reg.find("debugger/default/d1") != nullptr);
}

BOOST_FIXTURE_TEST_CASE(one_pass_at_a_time_with_one_pending, fixture) {
  rec->hold = true;
  start(config());
  event("d1", snap(1));
  run();
  BOOST_TEST(passes() == 1u);
  for (int i = 2; i < 50; ++i)
    event("d1", snap(i));
  run();
  BOOST_TEST(passes() == 1u); // never a second pass while one runs
  rec->passes[0].done(reconcile_result::ok());
  run();
  BOOST_TEST(passes() == 2u);
  BOOST_TEST(rec->passes[1].snapshot->at("n").as_int64() == 49);
  rec->passes[1].done(reconcile_result::ok());
  run();
  advance(2000s);
  BOOST_TEST(passes() == 2u);
}

BOOST_FIXTURE_TEST_CASE(errors_back_off_exponentially_per_key, fixture) {
  rec->next = reconcile_result::failed("boom");
  start(config());
  event("d1", snap(1));
  run();
  std::vector<caf::timespan> expected{5ms, 10ms, 20ms, 40ms, 80ms};
  for (size_t i = 0; i < expected.size(); ++i) {
    auto before = passes();
    advance(expected[i] - 1ms);
    BOOST_TEST(passes() == before, "early retry " << i);
    advance(1ms);
    BOOST_TEST(passes() == before + 1, "retry " << i);
  }
  auto gaps = rec->times.back() - rec->times.front();
  BOOST_TEST((gaps == 155ms));
  // A second key is unaffected by the first one's backoff.
  rec->next = reconcile_result::ok();
  event("d2", snap(1));
  run();
  BOOST_TEST(rec->passes.back().key.name == "d2");
  auto e = reg.find("debugger/default/d1");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->last_error() == "boom");
  BOOST_TEST(counter(R"(kc_reconcile_errors_total{controller="debuggers"})")
             == 6);
}

BOOST_FIXTURE_TEST_CASE(success_resets_the_backoff, fixture) {
  rec->next = reconcile_result::failed("x");
  start(config());
  event("d1", snap(1));
  run();
  advance(5ms);
  advance(10ms);
  BOOST_TEST(passes() == 3u);
  rec->next = reconcile_result::ok();
  advance(20ms);
  BOOST_TEST(passes() == 4u);
  rec->next = reconcile_result::failed("y");
  event("d1", snap(2));
  run();
  BOOST_TEST(passes() == 5u);
  advance(5ms); // back to the first delay
  BOOST_TEST(passes() == 6u);
}

BOOST_FIXTURE_TEST_CASE(requeue_after_and_superseded_timers, fixture) {
  rec->next = reconcile_result::after(30s);
  start(config());
  event("d1", snap(1));
  run();
  advance(29s);
  BOOST_TEST(passes() == 1u);
  advance(1s);
  BOOST_TEST(passes() == 2u);
  // An event in between runs at once; its plain success cancels the timer.
  rec->next = reconcile_result::ok();
  advance(10s);
  event("d1", snap(2));
  run();
  BOOST_TEST(passes() == 3u);
  advance(60s);
  BOOST_TEST(passes() == 3u);
  BOOST_TEST(
    counter(R"(kc_reconcile_total{controller="debuggers",result="requeue_after"})")
    == 2);
}

BOOST_FIXTURE_TEST_CASE(an_error_never_carries_a_requeue, fixture) {
  rec->next = reconcile_result{reconcile_result::error, 1h, "both"};
  start(config());
  event("d1", snap(1));
  run();
  advance(5ms); // backoff, not the hour
  BOOST_TEST(passes() == 2u);
}

BOOST_FIXTURE_TEST_CASE(terminal_errors_are_recorded_not_retried, fixture) {
  rec->next = reconcile_result::terminal_error("bad spec");
  start(config());
  event("d1", snap(1));
  run();
  advance(2000s);
  BOOST_TEST(passes() == 1u);
  auto e = reg.find("debugger/default/d1");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->last_error() == "terminal: bad spec");
  BOOST_TEST(
    counter(R"(kc_reconcile_total{controller="debuggers",result="terminal_error"})")
    == 1);
  event("d1", snap(2)); // a new event runs again
  run();
  BOOST_TEST(passes() == 2u);
}

BOOST_FIXTURE_TEST_CASE(exceptions_count_as_errors, fixture) {
  auto cfg = config();
  cfg.make = reconciler_from([](reconcile_request) -> void {
    throw std::runtime_error("kaputt");
  });
  start(std::move(cfg));
  event("d1", snap(1));
  run();
  auto e = reg.find("debugger/default/d1");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->last_error() == "exception: kaputt");
  BOOST_TEST(e->restarts() == 0u);
}

BOOST_FIXTURE_TEST_CASE(deleted_objects_retire_their_actor, fixture) {
  start(config());
  event("d1", snap(1));
  event("d2", snap(1));
  run();
  BOOST_TEST(reg.size() == 3u); // debuggers + 2 keys
  event("d1", nullptr);
  run();
  BOOST_TEST(!rec->passes.back().snapshot);
  self->send(sup, atom::get_v);
  run();
  auto keys = receive_one<std::vector<object_key>>();
  BOOST_REQUIRE(keys);
  BOOST_REQUIRE(std::get<0>(*keys).size() == 1u);
  BOOST_TEST(std::get<0>(*keys)[0].name == "d2");
  BOOST_TEST(!reg.find("debugger/default/d1"));
  // Seen again: a fresh actor.
  event("d1", snap(5));
  run();
  BOOST_TEST(reg.find("debugger/default/d1") != nullptr);
}

BOOST_FIXTURE_TEST_CASE(secondary_kinds_map_to_owner_keys, fixture) {
  auto cfg = config();
  cfg.map = [](const resource_event& ev) -> std::vector<object_key> {
    if (ev.kind == "debuggers")
      return {ev.key};
    if (ev.kind == "pods" && ev.snapshot)
      return {{ev.key.ns, std::string(ev.snapshot->at("owner").as_string())}};
    return {};
  };
  start(std::move(cfg));
  event("d1", snap(1));
  run();
  BOOST_TEST(passes() == 1u);
  auto pod = std::make_shared<const boost::json::object>(
    boost::json::object{{"owner", "d1"}});
  self->send(sup, resource_event{"pods", {"default", "d1-pod"}, pod});
  run();
  BOOST_TEST(passes() == 2u);
  // The primary snapshot is kept, not replaced by the pod.
  BOOST_TEST(rec->passes.back().snapshot->at("n").as_int64() == 1);
  BOOST_TEST(rec->passes.back().key.name == "d1");
}

BOOST_FIXTURE_TEST_CASE(shutdown_stops_every_key, fixture) {
  start(config());
  event("d1", snap(1));
  event("d2", snap(1));
  run();
  self->monitor(sup);
  self->send(sup, atom::shutdown_v);
  run();
  BOOST_TEST(receive_one<caf::down_msg>().has_value());
  BOOST_TEST(reg.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
