// kc-test-labels: integration
// WATCH over HTTPS (api:W1–W8, api:C7): framing, RV semantics, 410,
// bookmarks, selectors, the fault endpoints.

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

namespace json = boost::json;
using kc::test::sim_client;
using namespace std::chrono_literals;

namespace {

struct fixture {
  fixture() {
    auto cfg = kc::test::one_node();
    cfg.fault_api = true;
    srv = kc::test::started_server(cfg);
  }
  std::unique_ptr<kc::sim::server> srv;
};

const std::string cms = "/api/v1/namespaces/default/configmaps";

std::string create(sim_client& c, const std::string& name,
                   const std::string& labels = "{}") {
  auto r = c.request("POST", cms,
                     R"({"metadata":{"name":")" + name + R"(","labels":)"
                       + labels + "}}");
  BOOST_REQUIRE(r.status == 201u);
  return std::string(
    r.json().at("metadata").at("resourceVersion").as_string());
}

json::object parse(const std::string& line) {
  return json::parse(line).as_object();
}

std::string type_of(const std::string& line) {
  return std::string(parse(line).at("type").as_string());
}

/// Runs `fn` after a short delay on another thread.
struct later {
  template <class F>
  explicit later(F fn) : t([fn] {
      std::this_thread::sleep_for(300ms);
      fn();
    }) {
  }
  ~later() {
    t.join();
  }
  std::thread t;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(watch, fixture)

BOOST_AUTO_TEST_CASE(initial_state_then_changes_one_compact_line_each) {
  sim_client c{*srv};
  create(c, "w1");
  later writer([&] {
    sim_client w{*srv};
    create(w, "w2");
    w.request("DELETE", cms + "/w1");
  });
  unsigned status = 0;
  // Python's spelling of the flag (api:W1).
  auto lines = c.watch(cms + "?watch=True", 3, 5s, &status);
  BOOST_TEST(status == 200u);
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(type_of(lines[0]) == "ADDED");
  BOOST_TEST(type_of(lines[1]) == "ADDED");
  BOOST_TEST(type_of(lines[2]) == "DELETED");
  for (auto& l : lines)
    BOOST_TEST(l.find('\n') == std::string::npos);
  auto obj = parse(lines[2]).at("object").as_object();
  BOOST_TEST(obj.at("kind").as_string() == "ConfigMap");
  BOOST_TEST(obj.at("apiVersion").as_string() == "v1");
}

BOOST_AUTO_TEST_CASE(from_rv_only_later_changes) {
  sim_client c{*srv};
  create(c, "a");
  auto rv = create(c, "b");
  later writer([&] {
    sim_client w{*srv};
    create(w, "c");
  });
  auto lines = c.watch(cms + "?watch=true&resourceVersion=" + rv, 1, 5s);
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(parse(lines[0]).at("object").at("metadata").at("name")
               .as_string()
             == "c");
}

BOOST_AUTO_TEST_CASE(expired_rv_is_one_error_event) {
  sim_client c{*srv};
  auto rv = create(c, "old");
  create(c, "new");
  BOOST_TEST(c.request("POST", "/fault/v1/compact").status == 200u);
  bool ended = false;
  unsigned status = 0;
  auto lines = c.watch(cms + "?watch=1&resourceVersion=" + rv, 5, 5s, &status,
                       &ended);
  BOOST_TEST(status == 200u);
  BOOST_TEST(ended);
  BOOST_REQUIRE(lines.size() == 1u);
  auto ev = parse(lines[0]);
  BOOST_TEST(ev.at("type").as_string() == "ERROR");
  auto& st = ev.at("object").as_object();
  BOOST_TEST(st.at("code").as_int64() == 410);
  BOOST_TEST(st.at("reason").as_string() == "Expired");
  BOOST_TEST(std::string(st.at("message").as_string())
                 .rfind("too old resource version: " + rv, 0)
             == 0u);
}

BOOST_AUTO_TEST_CASE(timeout_ends_with_bookmark_only_when_asked) {
  sim_client c{*srv};
  auto rv = create(c, "bm");
  bool ended = false;
  auto lines = c.watch(cms + "?watch=true&timeoutSeconds=1&resourceVersion="
                         + rv + "&allowWatchBookmarks=true",
                       5, 5s, nullptr, &ended);
  BOOST_TEST(ended);
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(type_of(lines[0]) == "BOOKMARK");
  BOOST_TEST(parse(lines[0]).at("object").at("metadata")
               .at("resourceVersion").as_string()
             == rv);
  auto plain = c.watch(cms + "?watch=true&timeoutSeconds=1&resourceVersion="
                         + rv,
                       5, 5s, nullptr, &ended);
  BOOST_TEST(ended);
  BOOST_TEST(plain.empty());
}

BOOST_AUTO_TEST_CASE(send_initial_events_ends_with_marked_bookmark) {
  sim_client c{*srv};
  create(c, "si");
  auto bad = c.get(cms + "?watch=true&sendInitialEvents=true");
  BOOST_TEST(bad.status == 422u);
  auto lines = c.watch(cms + "?watch=true&sendInitialEvents=true&"
                             "resourceVersionMatch=NotOlderThan&"
                             "allowWatchBookmarks=true",
                       2, 5s);
  BOOST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(type_of(lines[0]) == "ADDED");
  BOOST_TEST(type_of(lines[1]) == "BOOKMARK");
  BOOST_TEST(lines[1].find("k8s.io/initial-events-end") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(selector_transitions_are_added_and_deleted) {
  sim_client c{*srv};
  auto rv = create(c, "sel", R"({"app":"x"})");
  later writer([&] {
    sim_client w{*srv};
    auto cur = w.get(cms + "/sel").json().as_object();
    cur["metadata"].as_object()["labels"] = json::object{{"app", "y"}};
    auto r = w.request("PUT", cms + "/sel", json::serialize(cur));
    cur = r.json().as_object();
    cur["metadata"].as_object()["labels"] = json::object{{"app", "x"}};
    w.request("PUT", cms + "/sel", json::serialize(cur));
  });
  auto lines = c.watch(cms + "?watch=true&labelSelector=app%3Dx&"
                             "resourceVersion="
                         + rv,
                       2, 5s);
  BOOST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(type_of(lines[0]) == "DELETED");
  BOOST_TEST(type_of(lines[1]) == "ADDED");
}

BOOST_AUTO_TEST_CASE(drop_watches_ends_streams) {
  sim_client c{*srv};
  later writer([&] {
    sim_client w{*srv};
    w.request("POST", "/fault/v1/drop-watches");
  });
  bool ended = false;
  auto start = std::chrono::steady_clock::now();
  c.watch(cms + "?watch=true&resourceVersion=1", 1, 5s, nullptr, &ended);
  BOOST_TEST(ended);
  BOOST_TEST((std::chrono::steady_clock::now() - start < 4s));
}

BOOST_AUTO_TEST_SUITE_END()
