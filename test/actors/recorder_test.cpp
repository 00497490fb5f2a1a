// kc-test-labels: integration
// The RECORDER against a real `kubecombo sim` over HTTPS (api:E3): 100
// identical failures within a minute become ONE Event whose count the spam
// filter limits to 25; 30 distinct similar messages aggregate into
// "(combined from similar events): ..." after the 9th.

#include "actors/runtime/recorder.hpp"
#include "messages/type_ids.hpp"
#include "test/actors/support/controller_sim.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>

using namespace std::chrono_literals;

namespace {

struct recorder_fixture {
  kc::test::controller_sim sim;
  std::shared_ptr<kc::k8s::api_client> api;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;

  recorder_fixture() {
    if (!sim.running())
      return;
    kc::k8s::config_sources src;
    src.explicit_path = sim.kubeconfig();
    api = std::make_shared<kc::k8s::api_client>(kc::k8s::load_client_config(src));
    cfg.add_message_types<caf::id_block::kc_types>();
    cfg.add_message_types<caf::id_block::kc_controller_rt>();
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  ~recorder_fixture() {
    sys.reset(); // waits for the actors, which release their api references
    api.reset();
  }

  kc::recorder_actor spawn() {
    kc::runtime::recorder_config rc;
    rc.correlator.host = "test-host";
    rc.correlator.instance = "test-host_0001";
    rc.retry_delay = 200ms;
    return sys->spawn(kc::runtime::recorder, api, rc, kc::runtime::entry_ptr{});
  }

  /// Waits until the recorder wrote everything; returns its status text.
  std::string flush(const kc::recorder_actor& rec) {
    caf::scoped_actor self{*sys};
    bool drained = false;
    self->request(rec, 60s, kc::atom::shutdown_v)
        .receive([&](bool b) { drained = b; },
                 [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
    BOOST_TEST(drained);
    std::string status;
    self->request(rec, 5s, kc::atom::status_v)
        .receive([&](std::string& s) { status = s; },
                 [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
    return status;
  }

  /// The Events in `default` about the object `name`.
  std::vector<boost::json::object> events_about(const std::string& name) {
    kc::k8s::resource_ref r;
    r.resource = "events";
    r.ns = "default";
    auto res = api->send_sync(kc::k8s::make_list(r));
    BOOST_REQUIRE_MESSAGE(res.ok(), res.error.to_string());
    std::vector<boost::json::object> out;
    for (auto& item : res.object->at("items").as_array()) {
      auto& o = item.as_object();
      if (o.at("involvedObject").at("name").as_string() == name)
        out.push_back(o);
    }
    return out;
  }

  static kc::event_request failure(std::string object, std::string message) {
    kc::event_request ev;
    ev.kind = "Debugger";
    ev.api_version = "vpn-gw.kubecombo.com/v1";
    ev.ns = "default";
    ev.name = std::move(object);
    ev.uid = "0b8e8a52-0000-4000-8000-000000000001";
    ev.type = "Warning";
    ev.reason = "ReconcileFailed";
    ev.message = std::move(message);
    return ev;
  }
};

#define KC_REQUIRE_SIM()                                                       \
  if (!sim.running()) {                                                        \
    BOOST_TEST_MESSAGE("SKIP: " << sim.reason());                              \
    return;                                                                    \
  }

} // namespace

BOOST_FIXTURE_TEST_SUITE(recorder, recorder_fixture)

BOOST_AUTO_TEST_CASE(hundred_identical_failures_make_one_event) {
  KC_REQUIRE_SIM();
  auto rec = spawn();
  for (int i = 0; i < 100; ++i)
    caf::anon_send(rec, failure("flood", "pulling image: connection refused"));
  auto status = flush(rec);
  BOOST_TEST_MESSAGE("recorder: " << status);
  BOOST_TEST(status.find("written=25 skipped=75 dropped=0 failed=0")
             != std::string::npos, status);
  auto evs = events_about("flood");
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  auto& e = evs.front();
  BOOST_TEST(e.at("count").as_int64() == 25);
  BOOST_TEST(e.at("message").as_string() == "pulling image: connection refused");
  BOOST_TEST(e.at("type").as_string() == "Warning");
  BOOST_TEST(e.at("reason").as_string() == "ReconcileFailed");
  BOOST_TEST(e.at("involvedObject").at("apiVersion").as_string()
             == "vpn-gw.kubecombo.com/v1");
  BOOST_TEST(e.at("reportingComponent").as_string() == "kubecombo-controller");
  BOOST_TEST(e.at("reportingInstance").as_string() == "test-host_0001");
  BOOST_TEST(e.at("source").at("component").as_string()
             == "kubecombo-controller");
  BOOST_TEST(e.at("firstTimestamp").as_string()
             <= e.at("lastTimestamp").as_string());
  caf::anon_send_exit(rec, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(thirty_similar_messages_aggregate) {
  KC_REQUIRE_SIM();
  auto rec = spawn();
  for (int i = 0; i < 30; ++i)
    caf::anon_send(rec, failure("similar", "target 198.18.0." + std::to_string(i)
                                               + " unreachable"));
  auto status = flush(rec);
  BOOST_TEST_MESSAGE("recorder: " << status);
  auto evs = events_about("similar");
  BOOST_TEST(evs.size() == 10u); // 9 single + 1 aggregate (spam: 25 total)
  int combined = 0;
  for (auto& e : evs) {
    std::string msg{e.at("message").as_string()};
    if (msg.rfind("(combined from similar events): ", 0) == 0) {
      ++combined;
      BOOST_TEST(e.at("count").as_int64() == 16);
    } else {
      BOOST_TEST(e.at("count").as_int64() == 1);
    }
  }
  BOOST_TEST(combined == 1);
  caf::anon_send_exit(rec, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(patch_of_a_deleted_event_creates_it_anew) {
  KC_REQUIRE_SIM();
  auto rec = spawn();
  caf::anon_send(rec, failure("gone", "disk full"));
  flush(rec);
  auto evs = events_about("gone");
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  kc::k8s::resource_ref r;
  r.resource = "events";
  r.ns = "default";
  r.name = std::string(evs[0].at("metadata").at("name").as_string());
  BOOST_REQUIRE(api->send_sync(kc::k8s::make_delete(r)).ok());
  caf::anon_send(rec, failure("gone", "disk full"));
  auto status = flush(rec);
  BOOST_TEST(status.find("failed=0") != std::string::npos, status);
  evs = events_about("gone");
  BOOST_REQUIRE_EQUAL(evs.size(), 1u);
  BOOST_TEST(evs[0].at("count").as_int64() == 2);
  caf::anon_send_exit(rec, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
