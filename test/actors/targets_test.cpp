// The PINGER agent's TARGETS supervisor, TARGET actors and REPORTER under
// the deterministic fixture (issue 6): engine batches are split per target,
// each target's state machine decides, transitions reach the REPORTER once,
// pinger_targets counts follow, and the REPORTER turns them into
// TargetDown/TargetUp Events for the own Pod.

#include "actors/agent/agent.hpp"
#include "actors/agent/reporter.hpp"
#include "actors/agent/targets.hpp"
#include "messages/pinger_agent_types.hpp"
#include "telemetry/metrics.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "test/actors/support/deterministic_fixture.hpp"

using namespace std::chrono_literals;
using kc::probes::outcome;
using kc::probes::probe_result;

namespace {

constexpr uint8_t icmp = 0, tcp = 1;
constexpr uint8_t unknown = 0, up = 1, down = 2;

probe_result ok(uint32_t slot, int64_t at_s) {
  return {slot, outcome::ok, 64, 200'000, at_s * 1'000'000'000};
}
probe_result lost(uint32_t slot, int64_t at_s) {
  return {slot, outcome::timeout, 0, -1, at_s * 1'000'000'000};
}

struct targets_fixture : kc::test::deterministic_fixture {
  kc::runtime::actor_registry reg;
  kc::telemetry::registry metrics;
  kc::telemetry::family<kc::telemetry::gauge>& up_family
      = metrics.add_gauge_family("pinger_target_up", "h",
                                 {"protocol", "target"});
  kc::telemetry::family<kc::telemetry::gauge>& loss_family
      = metrics.add_gauge_family("pinger_target_loss_ratio", "h",
                                 {"protocol", "target"});
  kc::telemetry::family<kc::telemetry::gauge>& state_family
      = metrics.add_gauge_family("pinger_targets", "h", {"protocol", "state"});
  std::shared_ptr<kc::agent::actor_cell<kc::reporter_actor>> reporter
      = std::make_shared<kc::agent::actor_cell<kc::reporter_actor>>();

  kc::targets_actor spawn_targets(size_t max_series = 100) {
    kc::agent::targets_config cfg;
    cfg.health.fail_threshold = 3;
    cfg.health.recover_threshold = 2;
    cfg.initial = {{"10.0.0.1", icmp, 0, "flag"},
                   {"10.0.0.2", icmp, 1, "flag"},
                   {"db:5432", tcp, 0, "flag"}};
    // The test's own mailbox plays the REPORTER.
    reporter->set(caf::actor_cast<kc::reporter_actor>(self));
    cfg.reporter = reporter;
    cfg.target_up = &up_family;
    cfg.target_loss = &loss_family;
    cfg.by_state = &state_family;
    cfg.max_target_series = max_series;
    cfg.registry = &reg;
    return sys.spawn(kc::agent::targets, cfg, kc::runtime::entry_ptr{});
  }

  double state_count(const char* proto, const char* state) {
    return state_family.with({proto, state})->value();
  }

  std::vector<kc::target_transition> transitions() {
    std::vector<kc::target_transition> out;
    for (int i = 0; i < 100; ++i) {
      auto t = receive_one<kc::target_transition>();
      if (!t)
        break;
      out.push_back(std::get<0>(*t));
    }
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(targets, targets_fixture)

BOOST_AUTO_TEST_CASE(batches_are_split_per_target_and_transitions_reported) {
  auto t = spawn_targets();
  run();
  BOOST_TEST(reg.size() == 3u);
  BOOST_TEST(reg.find("target/icmp/10.0.0.2") != nullptr);
  BOOST_TEST(state_count("icmp", "unknown") == 2);
  // Round 1: .1 answers, .2 is lost, the TCP target answers.
  self->send(t, kc::atom::results_v, icmp,
             kc::probe_batch{ok(0, 1), lost(1, 1)});
  self->send(t, kc::atom::results_v, tcp, kc::probe_batch{ok(0, 1)});
  run();
  auto first = transitions();
  BOOST_REQUIRE_EQUAL(first.size(), 2u); // the quiet unknown → up, twice
  for (auto& tr : first)
    BOOST_TEST((tr.from == unknown && tr.to == up));
  BOOST_TEST(state_count("icmp", "up") == 1);
  BOOST_TEST(state_count("tcp", "up") == 1);
  // Rounds 2 and 3: .2 lost again → down after the third failure, once.
  self->send(t, kc::atom::results_v, icmp,
             kc::probe_batch{ok(0, 2), lost(1, 2)});
  run();
  BOOST_TEST(transitions().empty());
  self->send(t, kc::atom::results_v, icmp,
             kc::probe_batch{ok(0, 3), lost(1, 3), lost(7, 3)}); // 7: unknown
  run();
  auto down_tr = transitions();
  BOOST_REQUIRE_EQUAL(down_tr.size(), 1u);
  BOOST_TEST(down_tr[0].label == "10.0.0.2");
  BOOST_TEST((down_tr[0].from == unknown && down_tr[0].to == down));
  BOOST_TEST(down_tr[0].line.rfind("10.0.0.2 icmp unknown → down", 0) == 0,
             down_tr[0].line);
  BOOST_TEST(state_count("icmp", "down") == 1);
  BOOST_TEST(state_count("icmp", "unknown") == 0);
  BOOST_TEST(up_family.with({"icmp", "10.0.0.2"})->value() == 0);
  BOOST_TEST(up_family.with({"icmp", "10.0.0.1"})->value() == 1);
  BOOST_TEST(loss_family.with({"icmp", "10.0.0.2"})->value() == 1.0);
  // Repair: two answers bring it back up.
  self->send(t, kc::atom::results_v, icmp, kc::probe_batch{ok(1, 4)});
  run();
  BOOST_TEST(transitions().empty());
  self->send(t, kc::atom::results_v, icmp, kc::probe_batch{ok(1, 5)});
  run();
  auto up_tr = transitions();
  BOOST_REQUIRE_EQUAL(up_tr.size(), 1u);
  BOOST_TEST((up_tr[0].from == down && up_tr[0].to == up));
  BOOST_TEST(up_tr[0].line.find("down for 2.00s") != std::string::npos,
             up_tr[0].line);
  BOOST_TEST(state_count("icmp", "up") == 2);
  self->send(t, kc::atom::status_v);
  run();
  auto status = receive_one<std::string>();
  BOOST_REQUIRE(status);
  BOOST_TEST(std::get<0>(*status)
             == "3 targets, 4 transitions, 0 restarts, 1 results for "
                "unknown slots");
  self->send_exit(t, caf::exit_reason::user_shutdown);
  run();
  BOOST_TEST(reg.size() == 0u); // children stopped with their parent
}

BOOST_AUTO_TEST_CASE(targets_can_be_added_and_removed_at_run_time) {
  auto t = spawn_targets(1); // one per-target series only
  run();
  self->send(t, kc::atom::put_v, kc::target_def{"10.0.0.9", icmp, 2, "peer"});
  self->send(t, kc::atom::put_v, kc::target_def{"10.0.0.9", icmp, 2, "peer"});
  run();
  self->send(t, kc::atom::get_v);
  run();
  auto names = receive_one<std::string>();
  BOOST_REQUIRE(names);
  BOOST_TEST(std::get<0>(*names)
             == "target/icmp/10.0.0.1\ntarget/icmp/10.0.0.2\n"
                "target/icmp/10.0.0.9\ntarget/tcp/db:5432\n");
  self->send(t, kc::atom::remove_v, icmp, std::string{"10.0.0.2"});
  run();
  BOOST_TEST(reg.find("target/icmp/10.0.0.2") == nullptr);
  BOOST_TEST(reg.size() == 3u);
  BOOST_TEST(state_count("icmp", "unknown") == 2);
  // Slot 1 is free now: its results are counted as unknown, not delivered.
  self->send(t, kc::atom::results_v, icmp,
             kc::probe_batch{lost(1, 1), lost(1, 2), lost(1, 3)});
  run();
  BOOST_TEST(transitions().empty());
  // Only the first target got per-target series (cardinality bound).
  BOOST_TEST(up_family.size() == 1u);
}

BOOST_AUTO_TEST_CASE(reporter_records_target_events_on_the_own_pod) {
  auto recorder = std::make_shared<kc::agent::actor_cell<kc::recorder_actor>>();
  recorder->set(caf::actor_cast<kc::recorder_actor>(self));
  kc::agent::reporter_config rc;
  rc.pod = {"kube-system", "ping-abc", "uid-1"};
  rc.recorder = recorder;
  auto r = sys.spawn(kc::agent::reporter, rc, kc::runtime::entry_ptr{});
  run();
  self->send(
      r, kc::target_transition{"10.0.0.1", icmp, unknown, up, 1, "", "quiet"});
  self->send(r, kc::target_transition{"10.0.0.2", icmp, up, down, 2,
                                      "3 consecutive failures",
                                      "10.0.0.2 icmp up → down: loss 3.0%"});
  self->send(r, kc::target_transition{"10.0.0.2", icmp, down, up, 3,
                                      "2 consecutive successes",
                                      "10.0.0.2 icmp down → up: loss 2.0%"});
  run();
  auto e1 = receive_one<kc::event_request>();
  auto e2 = receive_one<kc::event_request>();
  BOOST_REQUIRE(e1);
  BOOST_REQUIRE(e2);
  BOOST_TEST(!receive_one<kc::event_request>()); // nothing for the quiet start
  auto& down_ev = std::get<0>(*e1);
  BOOST_TEST(down_ev.kind == "Pod");
  BOOST_TEST(down_ev.ns == "kube-system");
  BOOST_TEST(down_ev.name == "ping-abc");
  BOOST_TEST(down_ev.uid == "uid-1");
  BOOST_TEST(down_ev.type == "Warning");
  BOOST_TEST(down_ev.reason == "TargetDown");
  BOOST_TEST(down_ev.message == "10.0.0.2 icmp up → down: loss 3.0%");
  BOOST_TEST(std::get<0>(*e2).reason == "TargetUp");
  BOOST_TEST(std::get<0>(*e2).type == "Normal");
  self->send(r, kc::atom::status_v);
  run();
  auto status = receive_one<std::string>();
  BOOST_REQUIRE(status);
  BOOST_TEST(std::get<0>(*status) == "1 down, 1 up, 2 events sent");
}

BOOST_AUTO_TEST_CASE(agent_tree_routes_engine_batches) {
  kc::agent::agent_config cfg;
  cfg.targets.initial = {{"127.0.0.1", icmp, 0, "flag"}};
  cfg.targets.registry = &reg;
  kc::agent::pinger_agent agent{sys, cfg};
  run();
  BOOST_REQUIRE(agent.targets());
  BOOST_TEST(reg.find("target/icmp/127.0.0.1") != nullptr);
  std::vector<probe_result> batch{lost(0, 1)};
  for (int i = 1; i <= 3; ++i)
    agent.post(kc::probes::protocol::icmp, batch);
  run();
  auto rep = kc::runtime::global_actor_registry().find("reporter");
  BOOST_REQUIRE(rep);
  BOOST_TEST(rep->view().state == "1 down, 0 up, 0 events", rep->view().state);
  agent.shutdown();
  run();
  BOOST_TEST(reg.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
