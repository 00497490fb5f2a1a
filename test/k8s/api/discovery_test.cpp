#include "k8s/api/discovery.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s;

namespace {

json::object crd_with(const std::string& versions) {
  return json::parse(R"({"metadata":{"name":"debuggers.vpn-gw.kubecombo.com"},
    "spec":{"group":"vpn-gw.kubecombo.com","scope":"Namespaced",
    "names":{"plural":"debuggers","kind":"Debugger","shortNames":["dbg"]},
    "versions":)" + versions + "}}")
    .as_object();
}

const json::object* find_named(const json::array& a, std::string_view key,
                               std::string_view name) {
  for (auto& v : a)
    if (v.as_object().at(key).as_string() == name)
      return &v.as_object();
  return nullptr;
}

} // namespace

BOOST_AUTO_TEST_SUITE(discovery)

BOOST_AUTO_TEST_CASE(version_has_all_nine_fields) {
  auto v = version_info().as_object();
  for (auto key : {"major", "minor", "gitVersion", "gitCommit", "gitTreeState",
                   "buildDate", "goVersion", "compiler", "platform"})
    BOOST_TEST(v.at(key).is_string(), key);
  BOOST_TEST(v.size() == 9u);
  BOOST_TEST(v.at("minor") == "32");
  BOOST_TEST(v.at("gitVersion") == "v1.32.0-kubecombo");
}

BOOST_AUTO_TEST_CASE(legacy_documents) {
  kc::k8s::resource_registry reg;
  auto api = discovery_core_versions("127.0.0.1:6443").as_object();
  BOOST_TEST(api.at("kind") == "APIVersions");
  BOOST_TEST(api.at("serverAddressByClientCIDRs").at(0).at("serverAddress")
             == "127.0.0.1:6443");
  auto v1 = discovery_resources(reg, "", "v1").as_object();
  BOOST_TEST(v1.at("groupVersion") == "v1");
  auto& rs = v1.at("resources").as_array();
  auto pods = find_named(rs, "name", "pods");
  BOOST_REQUIRE(pods);
  BOOST_TEST(pods->at("singularName") == "pod");
  BOOST_TEST(pods->at("shortNames").at(0) == "po");
  auto st = find_named(rs, "name", "pods/status");
  BOOST_REQUIRE(st);
  BOOST_TEST(st->at("singularName") == "");
  BOOST_TEST(st->at("kind") == "Pod");
  auto ex = find_named(rs, "name", "pods/exec");
  BOOST_REQUIRE(ex);
  BOOST_TEST(ex->at("kind") == "PodExecOptions");
  BOOST_TEST(find_named(rs, "name", "pods/log"));
  BOOST_TEST(!find_named(rs, "name", "configmaps")->contains("categories"));
  auto apps = discovery_resources(reg, "apps", "v1").as_object();
  BOOST_TEST(apps.at("groupVersion") == "apps/v1");
  auto scale = find_named(apps.at("resources").as_array(), "name",
                          "deployments/scale");
  BOOST_REQUIRE(scale);
  BOOST_TEST(scale->at("group") == "autoscaling");
  BOOST_TEST(scale->at("kind") == "Scale");
  BOOST_TEST(discovery_resources(reg, "apps", "v2").is_null());
  BOOST_TEST(discovery_resources(reg, "nope.io", "v1").is_null());
  auto groups = discovery_groups(reg).as_object();
  auto& gs = groups.at("groups").as_array();
  BOOST_TEST(gs.size() == 8u);
  BOOST_TEST(gs.at(0).at("name") == "apps");
  BOOST_TEST(!find_named(gs, "name", ""));
}

BOOST_AUTO_TEST_CASE(crds_appear_with_preferred_version) {
  kc::k8s::resource_registry reg;
  BOOST_REQUIRE(reg.apply_crd(crd_with(R"([
    {"name":"v1beta1","served":true,"storage":false,
     "schema":{"openAPIV3Schema":{"type":"object"}}},
    {"name":"v1","served":true,"storage":true,
     "subresources":{"status":{},"scale":{}},
     "schema":{"openAPIV3Schema":{"type":"object"}}},
    {"name":"v1alpha1","served":true,"storage":false,
     "schema":{"openAPIV3Schema":{"type":"object"}}}])"))
                == "");
  auto groups = discovery_groups(reg).as_object();
  auto g = find_named(groups.at("groups").as_array(), "name",
                      "vpn-gw.kubecombo.com");
  BOOST_REQUIRE(g);
  BOOST_TEST(g->at("preferredVersion").at("version") == "v1");
  BOOST_TEST(g->at("versions").at(1).at("version") == "v1beta1");
  BOOST_TEST(g->at("versions").at(2).at("version") == "v1alpha1");
  auto rs = discovery_resources(reg, "vpn-gw.kubecombo.com", "v1").as_object();
  auto& list = rs.at("resources").as_array();
  BOOST_TEST(list.size() == 3u);
  BOOST_TEST(list.at(0).at("name") == "debuggers");
  BOOST_TEST(list.at(1).at("name") == "debuggers/scale");
  BOOST_TEST(list.at(2).at("name") == "debuggers/status");
}

BOOST_AUTO_TEST_CASE(aggregated_v2) {
  kc::k8s::resource_registry reg;
  BOOST_REQUIRE(reg.apply_crd(crd_with(R"([{"name":"v1","served":true,
    "storage":true,"subresources":{"status":{}},
    "schema":{"openAPIV3Schema":{"type":"object"}}}])")) == "");
  auto core = discovery_aggregated(reg, true).as_object();
  BOOST_TEST(core.at("kind") == "APIGroupDiscoveryList");
  BOOST_TEST(core.at("apiVersion") == "apidiscovery.k8s.io/v2");
  auto& items = core.at("items").as_array();
  BOOST_REQUIRE(items.size() == 1u);
  BOOST_TEST(items.at(0).at("metadata").at("name") == "");
  auto& v1 = items.at(0).at("versions").at(0).as_object();
  BOOST_TEST(v1.at("freshness") == "Current");
  auto pods = find_named(v1.at("resources").as_array(), "resource", "pods");
  BOOST_REQUIRE(pods);
  BOOST_TEST(pods->at("responseKind").at("kind") == "Pod");
  BOOST_TEST(pods->at("scope") == "Namespaced");
  BOOST_TEST(pods->at("singularResource") == "pod");
  auto& subs = pods->at("subresources").as_array();
  BOOST_TEST(subs.size() == 4u);
  for (auto& s : subs)
    BOOST_TEST(!s.at("responseKind").at("kind").as_string().empty());
  auto ns = find_named(v1.at("resources").as_array(), "resource", "namespaces");
  BOOST_TEST(ns->at("scope") == "Cluster");
  auto apis = discovery_aggregated(reg, false).as_object();
  auto& groups = apis.at("items").as_array();
  // + authentication.k8s.io, authorization.k8s.io (reviews, ADR 0007)
  BOOST_TEST(groups.size() == 9u);
  BOOST_TEST(groups.at(8).at("metadata").at("name") == "vpn-gw.kubecombo.com");
  for (auto& g : groups)
    for (auto& v : g.at("versions").as_array())
      for (auto& r : v.at("resources").as_array())
        BOOST_TEST(!r.at("responseKind").at("kind").as_string().empty());
}

BOOST_AUTO_TEST_CASE(accept_negotiation) {
  const std::string kubectl
    = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as="
      "APIGroupDiscoveryList,application/json";
  BOOST_TEST(wants_aggregated_discovery(kubectl));
  BOOST_TEST(wants_aggregated_discovery(
    "application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io"));
  BOOST_TEST(!wants_aggregated_discovery("application/json"));
  BOOST_TEST(!wants_aggregated_discovery(""));
  BOOST_TEST(!wants_aggregated_discovery("*/*"));
  BOOST_TEST(!wants_aggregated_discovery(
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"));
  BOOST_TEST(!wants_aggregated_discovery(
    "application/json,application/json;g=apidiscovery.k8s.io;v=v2;"
    "as=APIGroupDiscoveryList"));
  BOOST_TEST(!wants_aggregated_discovery(
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0"));
  BOOST_TEST(!wants_aggregated_discovery(",,;;=,"));
}

BOOST_AUTO_TEST_SUITE_END()
