// The generic SUPERVISOR under the deterministic fixture: restart with
// backoff while siblings keep working, ordered shutdown, grace period,
// escalation, removal, and the registry entries it maintains.

#include "actors/runtime/supervisor.hpp"
#include "test/actors/support/deterministic_fixture.hpp"
#include "test/actors/support/test_actors.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/exit_reason.hpp>

using namespace std::chrono_literals;
using namespace kc;
using namespace kc::runtime;
using kc::test::deterministic_fixture;

namespace {

struct fixture : deterministic_fixture {
  actor_registry reg;
  std::shared_ptr<kc::test::child_log> log
    = std::make_shared<kc::test::child_log>();

  supervisor_config config(std::vector<std::string> names) {
    supervisor_config cfg;
    cfg.registry = &reg;
    cfg.grace = 5s;
    for (auto& n : names)
      cfg.children.push_back({n, kc::test::worker_factory(log)});
    return cfg;
  }

  /// A running child's handle, asked through the supervisor's interface.
  caf::actor child(const supervisor_actor& sup, const std::string& name) {
    self->send(sup, atom::get_v, name);
    run();
    auto r = receive_one<caf::actor>();
    return r ? std::get<0>(*r) : caf::actor{};
  }

  /// Sends `n` to a worker and returns its answer (the running sum), or
  /// -1 without an answer.
  int ask(const caf::actor& worker, int n) {
    self->send(worker, n);
    run();
    auto r = receive_one<int>();
    return r ? std::get<0>(*r) : -1;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(supervisor)

BOOST_FIXTURE_TEST_CASE(crashed_child_restarts_with_backoff, fixture) {
  auto sup = spawn_supervisor(sys, config({"a", "crasher", "b"}));
  run();
  BOOST_TEST(log->starts.at("crasher") == 1);
  auto a = child(sup, "a");
  auto crasher = child(sup, "crasher");
  BOOST_REQUIRE(a && crasher);
  BOOST_TEST(ask(a, 1) == 1);
  // First crash: restart after 100 ms; siblings keep processing meanwhile.
  self->send(crasher, kc::test::crash_v);
  run();
  BOOST_TEST(!child(sup, "crasher"));
  BOOST_TEST(ask(a, 2) == 3);
  BOOST_TEST(ask(child(sup, "b"), 5) == 5);
  advance(99ms);
  BOOST_TEST(!child(sup, "crasher"));
  BOOST_TEST(log->starts.at("crasher") == 1);
  advance(1ms);
  auto crasher2 = child(sup, "crasher");
  BOOST_REQUIRE(crasher2);
  BOOST_TEST(crasher2.id() != crasher.id());
  BOOST_TEST(log->starts.at("crasher") == 2);
  // Second crash: the delay doubles (200 ms).
  self->send(crasher2, kc::test::crash_v);
  run();
  advance(199ms);
  BOOST_TEST(log->starts.at("crasher") == 2);
  BOOST_TEST(ask(a, 3) == 6); // a still has its state: never restarted
  advance(1ms);
  BOOST_TEST(log->starts.at("crasher") == 3);
  BOOST_TEST(log->starts.at("a") == 1);
  BOOST_TEST(log->starts.at("b") == 1);
  // The registry shows the restarts and the cause.
  auto e = reg.find("crasher");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->restarts() == 2u);
  BOOST_TEST(e->last_error().find("boom") != std::string::npos,
             e->last_error());
  BOOST_TEST(e->parent() == "root");
  self->send(sup, atom::shutdown_v);
  run();
}

BOOST_FIXTURE_TEST_CASE(backoff_resets_after_a_stable_run, fixture) {
  auto cfg = config({"crasher"});
  cfg.stable_after = 1s;
  auto sup = spawn_supervisor(sys, std::move(cfg));
  run();
  self->send(child(sup, "crasher"), kc::test::crash_v);
  run();
  advance(100ms);
  BOOST_TEST(log->starts.at("crasher") == 2);
  advance(2s); // ran stably
  self->send(child(sup, "crasher"), kc::test::crash_v);
  run();
  advance(100ms); // back to the initial delay, not 200 ms
  BOOST_TEST(log->starts.at("crasher") == 3);
  self->send(sup, atom::shutdown_v);
  run();
}

BOOST_FIXTURE_TEST_CASE(ordered_shutdown_in_reverse_start_order, fixture) {
  auto sup = spawn_supervisor(sys, config({"first", "second", "third"}));
  run();
  self->monitor(sup);
  BOOST_TEST(reg.size() == 4u); // root and its children
  self->send(sup, atom::shutdown_v);
  run();
  std::vector<std::string> expected{"third", "second", "first"};
  BOOST_TEST(log->stops == expected, boost::test_tools::per_element());
  bool down = false;
  self->receive([&](caf::down_msg& m) { down = !m.reason; },
                caf::after(0s) >> [] {});
  BOOST_TEST(down);
  BOOST_TEST(reg.size() == 0u);
}

BOOST_FIXTURE_TEST_CASE(stubborn_child_is_killed_after_grace, fixture) {
  auto cfg = config({"first"});
  cfg.children.push_back({"stubborn", kc::test::stubborn_factory(log)});
  auto sup = spawn_supervisor(sys, std::move(cfg));
  run();
  self->monitor(sup);
  self->send(sup, atom::shutdown_v);
  run();
  BOOST_TEST(log->stops.empty()); // waits for stubborn, in order
  BOOST_TEST(!receive_one<caf::down_msg>());
  advance(4s);
  BOOST_TEST(!receive_one<caf::down_msg>());
  advance(1s);
  BOOST_TEST(receive_one<caf::down_msg>().has_value());
  BOOST_TEST(log->stops.size() == 2u); // stubborn (killed) and first
}

BOOST_FIXTURE_TEST_CASE(exit_message_starts_ordered_shutdown, fixture) {
  auto sup = spawn_supervisor(sys, config({"x", "y"}));
  run();
  self->monitor(sup);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  run();
  std::vector<std::string> expected{"y", "x"};
  BOOST_TEST(log->stops == expected, boost::test_tools::per_element());
  BOOST_TEST(receive_one<caf::down_msg>().has_value());
}

BOOST_FIXTURE_TEST_CASE(escalating_child_stops_the_supervisor, fixture) {
  auto cfg = config({"first", "second"});
  cfg.children[0].policy = restart_policy::escalate;
  auto sup = spawn_supervisor(sys, std::move(cfg));
  run();
  self->monitor(sup);
  self->send(child(sup, "first"), kc::test::crash_v);
  run();
  caf::error reason;
  self->receive([&](caf::down_msg& m) { reason = m.reason; },
                caf::after(0s) >> [] {});
  BOOST_TEST(static_cast<bool>(reason));
  BOOST_TEST(log->stops.size() == 2u);
  BOOST_TEST(log->starts.at("first") == 1);
}

BOOST_FIXTURE_TEST_CASE(removed_and_added_children, fixture) {
  auto sup = spawn_supervisor(sys, config({"a", "b"}));
  run();
  self->send(sup, atom::remove_v, std::string{"a"});
  run();
  advance(10s);
  BOOST_TEST(!child(sup, "a"));
  BOOST_TEST(log->starts.at("a") == 1);
  self->send(sup, atom::spawn_v,
             child_spec{"c", kc::test::worker_factory(log)});
  run();
  BOOST_TEST(ask(child(sup, "c"), 4) == 4);
  self->send(sup, atom::get_v);
  run();
  auto names = receive_one<std::vector<std::string>>();
  BOOST_REQUIRE(names);
  std::vector<std::string> expected{"b", "c"};
  BOOST_TEST(std::get<0>(*names) == expected,
             boost::test_tools::per_element());
  self->send(sup, atom::shutdown_v);
  run();
}

BOOST_FIXTURE_TEST_CASE(nested_supervisor_names_and_parents, fixture) {
  auto cfg = config({"api"});
  supervisor_config inner;
  inner.name = "debuggers";
  inner.registry = &reg;
  inner.children.push_back(
    {"debugger/default/d1", kc::test::worker_factory(log)});
  cfg.children.push_back(supervisor_child(inner));
  auto sup = spawn_supervisor(sys, std::move(cfg));
  run();
  auto d = reg.find("debugger/default/d1");
  BOOST_REQUIRE(d);
  BOOST_TEST(d->parent() == "debuggers");
  BOOST_REQUIRE(reg.find("debuggers"));
  BOOST_TEST(reg.find("debuggers")->parent() == "root");
  auto json = reg.to_json();
  BOOST_TEST(json.find(R"("name":"debugger/default/d1","parent":"debuggers")")
               != std::string::npos,
             json);
  // Shutdown reaches the grandchildren: debuggers stops its child first.
  self->send(sup, atom::shutdown_v);
  run();
  std::vector<std::string> expected{"debugger/default/d1", "api"};
  BOOST_TEST(log->stops == expected, boost::test_tools::per_element());
  BOOST_TEST(reg.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
