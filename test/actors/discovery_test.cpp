// kc-test-labels: integration
// The PINGER agent's DISCOVERY (issue 6; DESIGN §3) against the in-process
// control plane: Ready pods labelled `debug=<debugger>` in the own
// namespace become ICMP and UDP targets of a real TARGETS supervisor; the
// own pod, unready pods and other Debuggers' pods do not; a pod that turns
// unready or is deleted is removed; an API that answers 503 at start is
// retried (no crash) and the peers arrive once it answers.

#include "actors/agent/discovery.hpp"
#include "k8s/client/request_builder.hpp"
#include "k8s/sim/fault.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <atomic>
#include <optional>

#include "test/actors/support/targets_fixture.hpp"

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr uint8_t icmp = 0, udp = 2;

struct fixture : kc::test::targets_fixture {
  caf::actor disc;

  void start_discovery(
      std::function<std::optional<uint32_t>(uint8_t, const std::string&)>
          slot_for
      = {}) {
    kc::agent::discovery_config dc;
    dc.slot_for = std::move(slot_for);
    dc.api = client;
    dc.ns = "default";
    dc.debugger = "dbg";
    dc.own_pod = "me";
    dc.probes = {{icmp, 0}, {udp, 7}};
    dc.targets = cell;
    disc = keep(sys.spawn(kc::agent::discovery, dc, kc::runtime::entry_ptr{}));
  }

  static kc::k8s::resource_ref pods(const std::string& name = {},
                                    const std::string& sub = {}) {
    return {"", "v1", "pods", true, "default", name, sub};
  }

  void create_pod(const std::string& name, const std::string& debugger) {
    json::object obj{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata",
         {{"name", name},
          {"namespace", "default"},
          {"labels", {{"debug", debugger}}}}},
        {"spec",
         {{"containers", json::array{{{"name", "ping"}, {"image", "x"}}}}}}};
    auto r = client->send_sync(kc::k8s::make_create(pods(), obj));
    BOOST_REQUIRE_MESSAGE(r.ok(),
                          "create " + name + ": " + r.error.to_string());
  }

  void set_status(const std::string& name, const std::string& ip, bool ready) {
    json::object status{
        {"phase", "Running"},
        {"podIP", ip},
        {"conditions", json::array{{{"type", "Ready"},
                                    {"status", ready ? "True" : "False"}}}}};
    json::object patch{{"status", status}};
    auto r = client->send_sync(kc::k8s::make_patch(pods(name, "status"),
                                                   kc::k8s::patch_type::merge,
                                                   json::serialize(patch)));
    BOOST_REQUIRE_MESSAGE(r.ok(),
                          "status " + name + ": " + r.error.to_string());
  }

  void delete_pod(const std::string& name) {
    auto r = client->send_sync(kc::k8s::make_delete(pods(name)));
    BOOST_REQUIRE_MESSAGE(r.ok(),
                          "delete " + name + ": " + r.error.to_string());
  }

  bool has(const std::string& name) {
    return running().find(name + "\n") != std::string::npos;
  }
};

const std::string a_targets = "target/icmp/10.1.0.1\ntarget/udp/10.1.0.1:7\n";
const std::string ab_targets = "target/icmp/10.1.0.1\ntarget/icmp/10.1.0.2\n"
                               "target/udp/10.1.0.1:7\ntarget/udp/10.1.0.2:7\n";
const std::string b_targets = "target/icmp/10.1.0.2\ntarget/udp/10.1.0.2:7\n";

} // namespace

BOOST_AUTO_TEST_SUITE(discovery)

BOOST_FIXTURE_TEST_CASE(ready_peers_become_targets_and_leave_again, fixture) {
  create_pod("me", "dbg");
  set_status("me", "10.1.0.9", true); // the own pod: never a target
  create_pod("a", "dbg");
  set_status("a", "10.1.0.1", true);
  create_pod("b", "dbg"); // not Ready yet
  set_status("b", "10.1.0.2", false);
  create_pod("other", "someone-else");
  set_status("other", "10.1.0.3", true);
  start_discovery();
  BOOST_REQUIRE_MESSAGE(wait_running(a_targets), running());
  // b turns Ready: added.
  set_status("b", "10.1.0.2", true);
  BOOST_REQUIRE_MESSAGE(wait_running(ab_targets), running());
  // a turns unready: removed; b stays.
  set_status("a", "10.1.0.1", false);
  BOOST_REQUIRE_MESSAGE(wait_running(b_targets), running());
  // b is deleted: removed.
  delete_pod("b");
  BOOST_REQUIRE_MESSAGE(wait_running(""), running());
  // a comes back: the same targets again.
  set_status("a", "10.1.0.1", true);
  BOOST_REQUIRE_MESSAGE(wait_running(a_targets), running());
  caf::scoped_actor self{sys};
  std::string peers;
  self->request(disc, 2s, caf::get_atom_v)
      .receive([&](const std::string& s) { peers = s; },
               [&](const caf::error&) {});
  BOOST_TEST(peers == "10.1.0.1\n");
}

BOOST_FIXTURE_TEST_CASE(api_failing_at_start_is_retried, fixture) {
  create_pod("a", "dbg");
  set_status("a", "10.1.0.1", true);
  kc::sim::fault_rule r;
  r.code = 503;
  r.count = 2;
  r.scope.verb = "list";
  r.scope.resource = "pods";
  server->faults().fail(r);
  start_discovery();
  // Both LISTs fail (backoff ~0.8 s, ~1.6 s); DISCOVERY lives and catches up.
  BOOST_REQUIRE_MESSAGE(wait_running(a_targets), running());
  auto faults = json::serialize(server->faults().describe());
  BOOST_TEST_MESSAGE("faults: " << faults);
  BOOST_TEST(faults.find("\"503\":2") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(peers_stay_while_the_api_is_unreachable, fixture) {
  create_pod("a", "dbg");
  set_status("a", "10.1.0.1", true);
  start_discovery();
  BOOST_REQUIRE_MESSAGE(wait_running(a_targets), running());
  for (auto verb : {"list", "watch"}) {
    kc::sim::fault_rule r;
    r.code = 503;
    r.scope.verb = verb;
    r.scope.resource = "pods";
    server->faults().fail(r);
  }
  server->faults().drop_watches(); // the informer must relist: it cannot
  BOOST_REQUIRE(wait_for(
      [&] {
        auto d = json::serialize(server->faults().describe());
        return d.find("\"503\":2") != std::string::npos
               || d.find("\"503\":3") != std::string::npos;
      },
      20s));
  BOOST_TEST(running() == a_targets); // the last known peers stay
  server->faults().clear();
  delete_pod("a"); // once the API answers again, the departure is seen
  BOOST_REQUIRE_MESSAGE(wait_running(""), running());
}

BOOST_FIXTURE_TEST_CASE(peers_without_an_engine_slot_are_not_probed, fixture) {
  create_pod("a", "dbg");
  set_status("a", "10.1.0.1", true);
  std::atomic<int> asked{0};
  start_discovery([&](uint8_t proto, const std::string&) {
    ++asked;
    return proto == icmp ? std::optional<uint32_t>{5} : std::nullopt;
  });
  BOOST_REQUIRE_MESSAGE(wait_running("target/icmp/10.1.0.1\n"), running());
  // The 5 s resync re-puts the peer without asking for the slots again.
  BOOST_TEST(asked.load() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
