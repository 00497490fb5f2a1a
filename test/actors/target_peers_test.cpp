// DISCOVERY's pure part: which pods of the own DaemonSet are probe peers.
#include "actors/agent/peers.hpp"
#include "actors/agent/summary.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace {

boost::json::object pod(const char* text) {
  return boost::json::parse(text).as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(target_peers)

BOOST_AUTO_TEST_CASE(selector_is_the_debug_label) {
  BOOST_TEST(kc::agent::peer_selector("inspector") == "debug=inspector");
}

BOOST_AUTO_TEST_CASE(only_ready_running_other_pods_with_an_ip) {
  using kc::agent::ready_peer_ip;
  auto ready = pod(R"({"metadata":{"name":"p1"},"status":{"phase":"Running",
    "podIP":"10.1.0.7","conditions":[{"type":"Ready","status":"True"}]}})");
  BOOST_TEST(ready_peer_ip(ready, "me").value_or("") == "10.1.0.7");
  BOOST_TEST(!ready_peer_ip(ready, "p1").has_value()); // itself
  auto not_ready = pod(R"({"metadata":{"name":"p2"},"status":{"phase":"Running",
    "podIP":"10.1.0.8","conditions":[{"type":"Ready","status":"False"}]}})");
  BOOST_TEST(!ready_peer_ip(not_ready, "me").has_value());
  auto pending = pod(R"({"metadata":{"name":"p3"},"status":{"phase":"Pending",
    "conditions":[{"type":"Ready","status":"True"}]}})");
  BOOST_TEST(!ready_peer_ip(pending, "me").has_value());
  auto deleting = pod(R"({"metadata":{"name":"p4","deletionTimestamp":"x"},
    "status":{"phase":"Running","podIP":"10.1.0.9",
    "conditions":[{"type":"Ready","status":"True"}]}})");
  BOOST_TEST(!ready_peer_ip(deleting, "me").has_value());
  auto no_ip = pod(R"({"metadata":{"name":"p5"},"status":{"phase":"Running",
    "conditions":[{"type":"Ready","status":"True"}]}})");
  BOOST_TEST(!ready_peer_ip(no_ip, "me").has_value());
  BOOST_TEST(!ready_peer_ip(pod("{}"), "me").has_value());
}

BOOST_AUTO_TEST_CASE(summary_annotation_lists_at_most_20_down_sorted) {
  using kc::agent::pinger_summary_json;
  BOOST_TEST(pinger_summary_json(3, {}) == R"({"targets":3,"unhealthy":0,"down":[]})");
  BOOST_TEST(pinger_summary_json(5, {"tcp/x:80", "icmp/10.0.0.1"})
             == R"({"targets":5,"unhealthy":2,"down":["icmp/10.0.0.1","tcp/x:80"]})");
  std::vector<std::string> many;
  for (int i = 0; i < 30; ++i)
    many.push_back("icmp/10.0.0." + std::to_string(100 + i));
  auto v = boost::json::parse(pinger_summary_json(40, many)).as_object();
  BOOST_TEST(v["unhealthy"].as_int64() == 30);
  BOOST_TEST(v["down"].as_array().size() == 20u);
  BOOST_TEST(v["down"].as_array()[0].as_string() == "icmp/10.0.0.100");
}

BOOST_AUTO_TEST_SUITE_END()
