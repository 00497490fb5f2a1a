#include "k8s/api/jsonpath.hpp"
#include "k8s/api/resource_registry.hpp"
#include "k8s/api/table.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using kc::k8s::eval_jsonpath;

namespace {

const json::value doc = json::parse(R"({
  "metadata": {"name": "d", "labels": {"app.kubernetes.io/name": "k"}},
  "spec": {"targets": [{"host": "h1", "port": 80}, {"host": "h2", "port": 81}]},
  "status": {"conditions": [
    {"type": "Available", "status": "False"},
    {"type": "Ready", "status": "True", "reason": "Synced"},
    {"type": "Degraded", "status": "False", "message": "a ] b"},
    {"type": "Ready", "status": "Unknown"}]}})");

/// The value at `path` as text ("<none>" if absent).
std::string at(const std::string& path) {
  auto v = eval_jsonpath(doc, path);
  if (!v)
    return "<none>";
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

} // namespace

BOOST_AUTO_TEST_SUITE(jsonpath)

BOOST_AUTO_TEST_CASE(plain_paths) {
  BOOST_TEST(at(".metadata.name") == "d");
  BOOST_TEST(at("{.metadata.name}") == "d");
  BOOST_TEST(at("$.metadata.name") == "d");
  BOOST_TEST(at(".spec.targets[1].host") == "h2");
  BOOST_TEST(at(".spec.targets[-1].port") == "81");
  BOOST_TEST(at(".spec.targets[2].host") == "<none>");
  BOOST_TEST(at(".metadata.labels['app.kubernetes.io/name']") == "k");
  BOOST_TEST(at(R"(.metadata.labels.app\.kubernetes\.io/name)") == "k");
  BOOST_TEST(at(".status.missing.x") == "<none>");
  BOOST_TEST(at(".metadata.name[0]") == "<none>");
}

BOOST_AUTO_TEST_CASE(filters_select_the_first_match) {
  // The CRD printer column of Debuggers and Pingers.
  BOOST_TEST(at(R"(.status.conditions[?(@.type=="Ready")].status)") == "True");
  BOOST_TEST(at(R"({.status.conditions[?(@.type == 'Ready')].reason})")
             == "Synced");
  BOOST_TEST(at(R"(.status.conditions[?(@.type=="Degraded")].message)")
             == "a ] b");
  BOOST_TEST(at(R"(.status.conditions[?(@.type=="Gone")].status)") == "<none>");
  // The first element where the rest of the path exists.
  BOOST_TEST(at(R"(.status.conditions[?(@.status=="False")].message)")
             == "a ] b");
  BOOST_TEST(at(R"(.status.conditions[?(@.type!="Available")].type)")
             == "Ready");
  BOOST_TEST(at(R"(.spec.targets[?(@.port==81)].host)") == "h2");
  BOOST_TEST(at(R"(.status.conditions[?(@.message)].type)") == "Degraded");
  BOOST_TEST(at(R"(.status.conditions[?(@.type=="Ready")])")
             == R"({"type":"Ready","status":"True","reason":"Synced"})");
  // Malformed filters select nothing (no throw).
  BOOST_TEST(at(R"(.status.conditions[?(@.type=="Ready"].status)") == "<none>");
  BOOST_TEST(at(R"(.status.conditions[?(@.type==Ready)].status)") == "<none>");
  BOOST_TEST(at(R"(.metadata[?(@.x=="y")])") == "<none>");
}

BOOST_AUTO_TEST_CASE(table_renders_a_filtered_printer_column) {
  kc::k8s::resource_registry reg;
  BOOST_REQUIRE(reg.apply_crd(json::parse(R"({"metadata":{"name":
    "debuggers.vpn-gw.kubecombo.com"},"spec":{"group":"vpn-gw.kubecombo.com",
    "scope":"Namespaced","names":{"plural":"debuggers","kind":"Debugger"},
    "versions":[{"name":"v1","served":true,"storage":true,
    "schema":{"openAPIV3Schema":{"type":"object"}},
    "additionalPrinterColumns":[{"name":"Ready","type":"string",
      "jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}]}]}})")
                                  .as_object())
                == "");
  std::vector<std::shared_ptr<const json::object>> objs{
      std::make_shared<const json::object>(doc.as_object()),
      std::make_shared<const json::object>(
          json::parse(R"({"metadata":{"name":"new"}})").as_object())};
  auto t = kc::k8s::make_table(
      *reg.find("vpn-gw.kubecombo.com", "v1", "debuggers"), objs,
      kc::k8s::include_object::none, true, "1",
      std::chrono::system_clock::now());
  auto& rows = t.at("rows").as_array();
  BOOST_TEST(rows.at(0).at("cells").at(1) == "True");
  BOOST_TEST(rows.at(1).at("cells").at(1).is_null());
}

BOOST_AUTO_TEST_SUITE_END()
