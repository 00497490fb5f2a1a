// NODES (`--enable-node-ip-check`): every node's InternalIP becomes an ICMP
// target of TARGETS (source "node") by watch; a deleted node's target goes
// and its engine slot is released; a changed address moves the target.
#include "actors/agent/nodes.hpp"
#include "k8s/client/request_builder.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <mutex>

#include "test/actors/support/targets_fixture.hpp"

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

struct fixture : kc::test::targets_fixture {
  std::mutex mtx;
  std::vector<uint32_t> released;

  fixture() {
    kc::agent::nodes_config nc;
    nc.api = client;
    nc.targets = cell;
    nc.release = [this](uint8_t, uint32_t slot) {
      std::lock_guard<std::mutex> g{mtx};
      released.push_back(slot);
    };
    keep(sys.spawn(kc::agent::nodes, nc, kc::runtime::entry_ptr{}));
  }

  static kc::k8s::resource_ref nodes(const std::string& name = {},
                                     const std::string& sub = {}) {
    return {"", "v1", "nodes", false, "", name, sub};
  }

  void put_node(const std::string& name, const std::string& ip, bool create) {
    json::object status{
        {"addresses", json::array{{{"type", "Hostname"}, {"address", name}},
                                  {{"type", "InternalIP"}, {"address", ip}}}}};
    if (create) {
      json::object obj{{"apiVersion", "v1"},
                       {"kind", "Node"},
                       {"metadata", {{"name", name}}}};
      auto r = client->send_sync(kc::k8s::make_create(nodes(), obj));
      BOOST_REQUIRE_MESSAGE(r.ok(),
                            "create " + name + ": " + r.error.to_string());
    }
    json::object patch{{"status", status}};
    auto r = client->send_sync(kc::k8s::make_patch(nodes(name, "status"),
                                                   kc::k8s::patch_type::merge,
                                                   json::serialize(patch)));
    BOOST_REQUIRE_MESSAGE(r.ok(),
                          "status " + name + ": " + r.error.to_string());
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(target_nodes)

BOOST_AUTO_TEST_CASE(internal_ip_prefers_ipv4) {
  auto n = json::parse(R"({"status":{"addresses":[
    {"type":"Hostname","address":"n1"},
    {"type":"InternalIP","address":"fd00::1"},
    {"type":"InternalIP","address":"10.0.0.7"}]}})")
               .as_object();
  BOOST_TEST(kc::agent::node_internal_ip(n).value_or("") == "10.0.0.7");
  BOOST_TEST(!kc::agent::node_internal_ip(json::object{}).has_value());
}

BOOST_FIXTURE_TEST_CASE(nodes_become_icmp_targets_by_watch, fixture) {
  put_node("n1", "10.2.0.1", true);
  put_node("n2", "10.2.0.2", true);
  BOOST_REQUIRE_MESSAGE(
      wait_running("target/icmp/10.2.0.1\ntarget/icmp/10.2.0.2\n"), running());
  put_node("n2", "10.2.0.3", false); // address changed: the target moves
  BOOST_REQUIRE_MESSAGE(
      wait_running("target/icmp/10.2.0.1\ntarget/icmp/10.2.0.3\n"), running());
  auto r = client->send_sync(kc::k8s::make_delete(nodes("n1")));
  BOOST_REQUIRE(r.ok());
  BOOST_REQUIRE_MESSAGE(wait_running("target/icmp/10.2.0.3\n"), running());
  std::lock_guard<std::mutex> g{mtx};
  BOOST_TEST(released.size() == 2u); // 10.2.0.2 and 10.2.0.1
}

BOOST_AUTO_TEST_SUITE_END()
