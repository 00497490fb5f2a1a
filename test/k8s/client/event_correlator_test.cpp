// client-go's event correlator (api:E3) without I/O: dedup into count+1
// patches, aggregation from the 10th similar message within 10 minutes,
// and the spam filter (burst 25, one token per 5 minutes).

#include "k8s/client/event_correlator.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::chrono_literals;
using kc::k8s::correlated_event;

using kc::k8s::event_input;

namespace {

kc::k8s::correlator_options opts() {
  kc::k8s::correlator_options o;
  o.host = "host-1";
  o.instance = "host-1_abc";
  return o;
}

event_input ev(std::string msg, std::string name = "d1") {
  event_input e;
  e.object = {"Debugger", "vpn-gw.kubecombo.com/v1", "ns1", std::move(name),
              "uid-1", "12", ""};
  e.type = "Warning";
  e.reason = "ReconcileFailed";
  e.message = std::move(msg);
  return e;
}

auto t0 = std::chrono::system_clock::time_point{} + 1'795'881'600s;

} // namespace

BOOST_AUTO_TEST_SUITE(event_correlator)

BOOST_AUTO_TEST_CASE(first_event_is_a_full_create) {
  kc::k8s::event_correlator c{opts()};
  auto r = c.correlate(ev("boom"), t0);
  BOOST_REQUIRE(r.what == correlated_event::create);
  BOOST_TEST(r.ns == "ns1");
  BOOST_TEST(r.name.rfind("d1.", 0) == 0);
  auto& b = r.body;
  BOOST_TEST(b.at("count").as_int64() == 1);
  BOOST_TEST(b.at("involvedObject").at("apiVersion").as_string()
             == "vpn-gw.kubecombo.com/v1");
  BOOST_TEST(b.at("involvedObject").at("kind").as_string() == "Debugger");
  BOOST_TEST(b.at("reportingComponent").as_string() == "kubecombo-controller");
  BOOST_TEST(b.at("reportingInstance").as_string() == "host-1_abc");
  BOOST_TEST(b.at("source").at("component").as_string()
             == "kubecombo-controller");
  BOOST_TEST(b.at("source").at("host").as_string() == "host-1");
  BOOST_TEST(b.at("firstTimestamp").as_string() == "2026-11-28T16:00:00Z");
  BOOST_TEST(b.at("lastTimestamp").as_string() == "2026-11-28T16:00:00Z");
  BOOST_TEST(b.at("type").as_string() == "Warning");
}

BOOST_AUTO_TEST_CASE(identical_events_patch_count_plus_one) {
  kc::k8s::event_correlator c{opts()};
  auto first = c.correlate(ev("boom"), t0);
  c.update_state(first.key, first.name, 1);
  auto second = c.correlate(ev("boom"), t0 + 3s);
  BOOST_REQUIRE(second.what == correlated_event::patch);
  BOOST_TEST(second.name == first.name);
  BOOST_TEST(second.count == 2);
  auto p = boost::json::parse(second.patch_body).as_object();
  BOOST_TEST(p.at("count").as_int64() == 2);
  BOOST_TEST(p.at("lastTimestamp").as_string() == "2026-11-28T16:00:03Z");
  BOOST_TEST(p.at("series").at("count").as_int64() == 2);
  BOOST_TEST(second.body.at("firstTimestamp").as_string()
             == "2026-11-28T16:00:00Z");
}

BOOST_AUTO_TEST_CASE(hundred_identical_events_spam_filtered) {
  kc::k8s::event_correlator c{opts()};
  int creates = 0, patches = 0, skips = 0, last_count = 0;
  std::string name;
  for (int i = 0; i < 100; ++i) {
    auto r = c.correlate(ev("boom"), t0 + i * 500ms);
    if (r.what == correlated_event::create) {
      ++creates;
      name = r.name;
    } else if (r.what == correlated_event::patch) {
      ++patches;
      BOOST_TEST(r.name == name);
      last_count = r.count;
    } else {
      ++skips;
    }
    if (r.what != correlated_event::skip)
      c.update_state(r.key, r.name, r.count);
  }
  BOOST_TEST(creates == 1);
  BOOST_TEST(patches == 24); // burst 25 in total
  BOOST_TEST(skips == 75);
  BOOST_TEST(last_count == 25);
  // One token comes back after 5 minutes; the patch carries the true count.
  auto later = c.correlate(ev("boom"), t0 + 50s + 300s);
  BOOST_TEST(later.what == correlated_event::patch);
  BOOST_TEST(c.correlate(ev("boom"), t0 + 351s).what == correlated_event::skip);
  // Another object has its own bucket.
  BOOST_TEST(c.correlate(ev("boom", "d2"), t0 + 351s).what
             == correlated_event::create);
}

BOOST_AUTO_TEST_CASE(tenth_similar_message_aggregates) {
  kc::k8s::event_correlator c{opts()};
  std::set<std::string> names;
  std::string aggregate;
  for (int i = 0; i < 30; ++i) {
    auto r = c.correlate(ev("probe " + std::to_string(i) + " failed"),
                         t0 + i * 1s);
    if (i < 9) {
      BOOST_TEST(r.what == correlated_event::create);
      BOOST_TEST(r.body.at("message").as_string().find("combined") == std::string::npos);
    } else if (i == 9) {
      BOOST_REQUIRE(r.what == correlated_event::create);
      BOOST_TEST(r.body.at("message").as_string()
                 == "(combined from similar events): probe 9 failed");
      aggregate = r.name;
    } else if (i < 25) {
      BOOST_REQUIRE(r.what == correlated_event::patch);
      BOOST_TEST(r.name == aggregate);
      BOOST_TEST(r.count == i - 8);
    } else {
      BOOST_TEST(r.what == correlated_event::skip); // spam filter: 25 used
    }
    if (r.what != correlated_event::skip) {
      c.update_state(r.key, r.name, r.count);
      names.insert(r.name);
    }
  }
  BOOST_TEST(names.size() == 10u);
}

BOOST_AUTO_TEST_CASE(aggregation_window_is_ten_minutes) {
  kc::k8s::event_correlator c{opts()};
  for (int i = 0; i < 9; ++i)
    c.correlate(ev("m" + std::to_string(i)), t0 + i * 1s);
  // The 10th similar message more than 10 minutes after the last one starts
  // a fresh window: no aggregation.
  auto r = c.correlate(ev("m9"), t0 + 8s + 601s);
  BOOST_TEST(r.body.at("message").as_string() == "m9");
  // Within the window the 10th aggregates.
  kc::k8s::event_correlator d{opts()};
  for (int i = 0; i < 9; ++i)
    d.correlate(ev("m" + std::to_string(i)), t0 + i * 60s);
  auto s = d.correlate(ev("m9"), t0 + 9 * 60s);
  BOOST_TEST(s.body.at("message").as_string()
             == "(combined from similar events): m9");
}

BOOST_AUTO_TEST_SUITE_END()
