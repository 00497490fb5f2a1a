// The Pinger status roll-up as pure functions (ADR 0043).
#include "actors/controller/pinger_reconciler.hpp"
#include "actors/controller/pinger_status.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::controller;

namespace {

json::object pod(const std::string& name, const std::string& pinger,
                 const std::string& summary = "", const std::string& phase
                                                  = "Running") {
  json::object md{{"name", name}, {"namespace", "ns"}};
  if (!summary.empty())
    md["annotations"] = {{std::string(pinger_summary_annotation), summary}};
  json::array env{json::object{{"name", "NODE_NAME"}, {"value", "n1"}}};
  if (!pinger.empty())
    env.push_back(json::object{{"name", "PINGER_NAME"}, {"value", pinger}});
  return {{"metadata", md},
          {"spec",
           {{"containers",
             json::array{json::object{{"name", "debug"}},
                         json::object{{"name", "ping"}, {"env", env}}}}}},
          {"status", {{"phase", phase}}}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(pinger_status)

BOOST_AUTO_TEST_CASE(agents_are_pods_naming_the_pinger) {
  BOOST_TEST(runs_pinger(pod("a", "p"), "p"));
  BOOST_TEST(!runs_pinger(pod("a", "q"), "p"));
  BOOST_TEST(!runs_pinger(pod("a", ""), "p"));
  BOOST_TEST(!runs_pinger(pod("a", "p", "", "Succeeded"), "p"));
  auto gone = pod("a", "p");
  gone["metadata"].as_object()["deletionTimestamp"] = "2026-11-29T00:00:00Z";
  BOOST_TEST(!runs_pinger(gone, "p"));
}

BOOST_AUTO_TEST_CASE(summaries_are_parsed_strictly) {
  auto a = read_agent_summary(
    pod("a", "p", R"({"targets":5,"unhealthy":2,"down":["icmp/1.1.1.1","tcp/h:80"]})"));
  BOOST_TEST(a.reported);
  BOOST_TEST(a.targets == 5);
  BOOST_TEST(a.unhealthy == 2);
  BOOST_TEST(a.down.size() == 2u);
  for (auto bad : {"", "not json", "[]", R"({"targets":1})",
                   R"({"targets":1,"unhealthy":2})",
                   R"({"targets":-1,"unhealthy":0})",
                   R"({"targets":"3","unhealthy":0})"})
    BOOST_TEST(!read_agent_summary(pod("a", "p", bad)).reported, bad);
}

BOOST_AUTO_TEST_CASE(rollup_conditions) {
  auto none = rollup_pinger(1, "", {});
  BOOST_TEST(none.ready.reason == "NoAgents");
  BOOST_TEST(!none.ready.status);
  BOOST_TEST(!none.degraded.status);

  agent_summary silent{"a", false, 0, 0, {}};
  agent_summary ok{"b", true, 4, 0, {}};
  agent_summary sick{"c", true, 4, 1, {"icmp/10.0.0.9"}};
  auto waiting = rollup_pinger(2, "", {silent, ok});
  BOOST_TEST(waiting.ready.reason == "WaitingForAgents");
  BOOST_TEST(waiting.progressing.status);
  BOOST_TEST(waiting.ready.message == "1 of 2 agents reported");

  auto s = rollup_pinger(3, "", {sick, ok});
  BOOST_TEST(s.observed_generation == 3);
  BOOST_TEST(s.agents == 2);
  BOOST_TEST(s.targets == 8);
  BOOST_TEST(s.unhealthy == 1);
  BOOST_TEST(s.ready.status);
  BOOST_TEST(s.degraded.status);
  BOOST_TEST(s.degraded.reason == "TargetsUnhealthy");
  BOOST_TEST(s.degraded.message == "1 of 8 targets down: c: icmp/10.0.0.9");
  BOOST_REQUIRE(s.down.size() == 1u);
  BOOST_TEST(s.down[0] == "c: icmp/10.0.0.9");

  auto bad = rollup_pinger(4, "spec.tcpPing: Invalid value", {ok});
  BOOST_TEST(bad.degraded.reason == "InvalidSpec");
  BOOST_TEST(!bad.ready.status);
}

BOOST_AUTO_TEST_CASE(down_list_is_bounded) {
  agent_summary many{"a", true, 100, 100, {}};
  for (int i = 0; i < 100; ++i)
    many.down.push_back("icmp/10.0.0." + std::to_string(i));
  auto s = rollup_pinger(1, "", {many});
  BOOST_TEST(s.down.size() == max_listed_down);
  BOOST_TEST(s.degraded.message.ends_with(", ..."));
}

BOOST_AUTO_TEST_CASE(steady_state_needs_no_write) {
  agent_summary ok{"b", true, 4, 0, {}};
  auto s = rollup_pinger(1, "", {ok});
  BOOST_TEST(!same_pinger_status(s, nullptr));
  auto written = render_pinger_status(s, nullptr, "2026-11-29T02:00:00Z");
  // Through JSON text, as the informer delivers it.
  auto old = json::parse(json::serialize(written)).as_object();
  BOOST_TEST(same_pinger_status(s, &old));
  auto again = render_pinger_status(s, &old, "2026-11-29T03:00:00Z");
  BOOST_TEST(again == written); // timestamps kept
  agent_summary sick{"b", true, 4, 1, {"icmp/x"}};
  auto changed = rollup_pinger(1, "", {sick});
  BOOST_TEST(!same_pinger_status(changed, &old));
  auto next = render_pinger_status(changed, &old, "2026-11-29T03:00:00Z");
  auto& conds = next.at("conditions").as_array();
  BOOST_TEST(conds[0].at("lastTransitionTime") == "2026-11-29T02:00:00Z"); // Ready stays True
  BOOST_TEST(conds[2].at("lastTransitionTime") == "2026-11-29T03:00:00Z"); // Degraded flips
}

BOOST_AUTO_TEST_CASE(mapping_sends_pods_to_their_pinger) {
  object_cache cache;
  agent_index index;
  auto snap = [](json::object o) {
    return std::make_shared<const json::object>(std::move(o));
  };
  auto keys = map_pinger_event(cache, index, {pinger_agents_kind, {"ns", "a"},
                                       snap(pod("a", "p"))});
  BOOST_REQUIRE(keys.size() == 1u);
  BOOST_TEST(keys[0].name == "p");
  BOOST_TEST(index.pods({"ns", "p"}) == std::vector<std::string>{"a"});
  map_pinger_event(cache, index, {pinger_agents_kind, {"ns", "c"},
                                  snap(pod("c", "p"))});
  map_pinger_event(cache, index, {pinger_agents_kind, {"other", "d"},
                                  snap(pod("d", "p"))});
  BOOST_TEST((index.pods({"ns", "p"}) == std::vector<std::string>{"a", "c"}));
  // A delete maps through the last state.
  keys = map_pinger_event(cache, index, {pinger_agents_kind, {"ns", "a"}, nullptr});
  BOOST_REQUIRE(keys.size() == 1u);
  BOOST_TEST(keys[0].name == "p");
  BOOST_TEST(index.pods({"ns", "p"}) == std::vector<std::string>{"c"});
  BOOST_TEST(map_pinger_event(cache, index, {pinger_agents_kind, {"ns", "b"},
                                      snap(pod("b", ""))})
               .empty());
  keys = map_pinger_event(cache, index, {pinger_specs_kind, {"ns", "p"},
                                  snap(json::object{})});
  BOOST_TEST(keys.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
