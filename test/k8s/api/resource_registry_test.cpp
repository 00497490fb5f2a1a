#include "k8s/api/resource_registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace json = boost::json;
using namespace kc::k8s;

namespace {

json::object debugger_crd() {
  return json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "debuggers.vpn-gw.kubecombo.com"},
    "spec": {
      "group": "vpn-gw.kubecombo.com",
      "names": {"plural": "debuggers", "singular": "debugger",
                "kind": "Debugger", "shortNames": ["dbg"],
                "categories": ["all", "kubecombo"]},
      "scope": "Namespaced",
      "versions": [
        {"name": "v1", "served": true, "storage": true,
         "subresources": {"status": {}},
         "schema": {"openAPIV3Schema": {"type": "object"}},
         "additionalPrinterColumns": [
           {"name": "Ready", "type": "string", "jsonPath": ".status.ready"},
           {"name": "Node", "type": "string", "priority": 1,
            "jsonPath": ".spec.nodeName"}]},
        {"name": "v1beta1", "served": false, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}},
        {"name": "v2", "served": true, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}}
      ]
    }
  })").as_object();
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

BOOST_AUTO_TEST_SUITE(resource_registry)

BOOST_AUTO_TEST_CASE(builtins_have_exact_discovery_data) {
  kc::k8s::resource_registry reg;
  auto pods = reg.find("", "v1", "pods");
  BOOST_REQUIRE(pods);
  BOOST_TEST(pods->kind == "Pod");
  BOOST_TEST(pods->list_kind == "PodList");
  BOOST_TEST(pods->singular == "pod");
  BOOST_TEST(pods->namespaced);
  BOOST_TEST(pods->short_names == std::vector<std::string>{"po"});
  BOOST_TEST(pods->categories == std::vector<std::string>{"all"});
  BOOST_TEST(pods->has_subresource("status"));
  BOOST_TEST(pods->has_subresource("log"));
  BOOST_TEST(pods->has_subresource("exec"));
  BOOST_TEST(pods->verbs.size() == 8u);
  auto ns = reg.find("", "v1", "namespaces");
  BOOST_REQUIRE(ns);
  BOOST_TEST(!ns->namespaced);
  BOOST_TEST(!contains(ns->verbs, "deletecollection"));
  auto deploy = reg.find("apps", "v1", "deployments");
  BOOST_REQUIRE(deploy);
  BOOST_TEST(deploy->has_subresource("scale"));
  BOOST_TEST(deploy->group_resource() == "deployments.apps");
  BOOST_TEST(deploy->api_version() == "apps/v1");
  auto crd = reg.find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  BOOST_REQUIRE(crd);
  BOOST_TEST((crd->short_names == std::vector<std::string>{"crd", "crds"}));
  BOOST_TEST(reg.find("events.k8s.io", "v1", "events"));
  BOOST_TEST(reg.find_kind("coordination.k8s.io", "v1", "Lease"));
  BOOST_TEST(reg.find_kind("rbac.authorization.k8s.io", "v1",
                           "ClusterRoleBinding"));
  BOOST_TEST(reg.find_kind("admissionregistration.k8s.io", "v1",
                           "ValidatingWebhookConfiguration"));
  BOOST_TEST(!reg.find("", "v1", "deployments"));
  BOOST_TEST(reg.all().size() == 27u);
}

BOOST_AUTO_TEST_CASE(apply_crd_serves_only_served_versions) {
  kc::k8s::resource_registry reg;
  auto gen = reg.generation();
  BOOST_TEST(reg.apply_crd(debugger_crd()) == "");
  BOOST_TEST(reg.generation() > gen);
  auto v1 = reg.find("vpn-gw.kubecombo.com", "v1", "debuggers");
  BOOST_REQUIRE(v1);
  BOOST_TEST(v1->custom);
  BOOST_TEST(v1->kind == "Debugger");
  BOOST_TEST(v1->list_kind == "DebuggerList");
  BOOST_TEST(v1->has_subresource("status"));
  BOOST_TEST(v1->short_names == std::vector<std::string>{"dbg"});
  BOOST_REQUIRE(v1->schema);
  BOOST_REQUIRE(v1->columns.size() == 3u);
  BOOST_TEST(v1->columns[0].name == "Name");
  BOOST_TEST(v1->columns[0].format == "name");
  BOOST_TEST(v1->columns[2].priority == 1);
  BOOST_TEST(v1->columns[2].json_path == ".spec.nodeName");
  BOOST_TEST(!reg.find("vpn-gw.kubecombo.com", "v1beta1", "debuggers"));
  auto v2 = reg.find("vpn-gw.kubecombo.com", "v2", "debuggers");
  BOOST_REQUIRE(v2);
  BOOST_REQUIRE(v2->columns.size() == 2u);
  BOOST_TEST(v2->columns[1].name == "Age");
  BOOST_TEST(v2->columns[1].type == "date");
  BOOST_TEST(!v2->has_subresource("status"));
  // Re-applying replaces, never duplicates.
  gen = reg.generation();
  BOOST_TEST(reg.apply_crd(debugger_crd()) == "");
  BOOST_TEST(reg.generation() > gen);
  BOOST_TEST(reg.all().size() == 29u);
  gen = reg.generation();
  reg.remove_crd("debuggers.vpn-gw.kubecombo.com");
  BOOST_TEST(reg.generation() > gen);
  BOOST_TEST(!reg.find("vpn-gw.kubecombo.com", "v1", "debuggers"));
  gen = reg.generation();
  reg.remove_crd("debuggers.vpn-gw.kubecombo.com");
  BOOST_TEST(reg.generation() == gen);
}

BOOST_AUTO_TEST_CASE(invalid_crds_are_explained) {
  kc::k8s::resource_registry reg;
  auto gen = reg.generation();
  auto bad_name = debugger_crd();
  bad_name["metadata"].as_object()["name"] = "debuggers";
  BOOST_TEST(reg.apply_crd(bad_name)
             == "metadata.name: Invalid value: \"debuggers\": must be "
                "spec.names.plural+\".\"+spec.group");
  auto no_kind = debugger_crd();
  no_kind["spec"].as_object()["names"].as_object().erase("kind");
  BOOST_TEST(reg.apply_crd(no_kind) == "spec.names.kind: Required value");
  auto none_served = debugger_crd();
  for (auto& v : none_served["spec"].as_object()["versions"].as_array())
    v.as_object()["served"] = false;
  BOOST_TEST(reg.apply_crd(none_served).find("at least one served version")
             != std::string::npos);
  auto no_spec = json::object{{"metadata", json::object{{"name", "x"}}}};
  BOOST_TEST(reg.apply_crd(no_spec) == "spec: Required value");
  auto wrong_types = debugger_crd();
  wrong_types["spec"].as_object()["versions"] = json::array{1, "x"};
  BOOST_TEST(!reg.apply_crd(wrong_types).empty());
  BOOST_TEST(reg.generation() == gen);
  BOOST_TEST(reg.all().size() == 27u);
}

BOOST_AUTO_TEST_SUITE_END()
