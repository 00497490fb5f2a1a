// kc-test-labels: integration
// Server-side apply over HTTP (ADR 0006): create, change removes fields the
// manager stopped applying, a repeat is a no-op, conflicts and force; Update
// managers; patch error Statuses (api:S1).

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using kc::test::sim_client;

namespace {

struct fixture {
  fixture() {
    srv = kc::test::started_server();
  }
  std::unique_ptr<kc::sim::server> srv;
};

const std::string cm = "/api/v1/namespaces/default/configmaps/ssa";
const std::map<std::string, std::string> apply_ct{
  {"Content-Type", "application/apply-patch+yaml"}};

std::string body(const std::string& data) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa"},)"
         R"("data":)"
         + data + "}";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(apply_http, fixture)

BOOST_AUTO_TEST_CASE(apply_lifecycle) {
  sim_client c{*srv};
  auto first = c.request("PATCH", cm + "?fieldManager=a",
                         body(R"({"x":"1","y":"1"})"), apply_ct);
  BOOST_TEST(first.status == 201u);
  auto mf = first.json().at("metadata").at("managedFields").at(0);
  BOOST_TEST(mf.at("manager").as_string() == "a");
  BOOST_TEST(mf.at("operation").as_string() == "Apply");
  BOOST_TEST(json::serialize(mf.at("fieldsV1"))
             == R"({"f:data":{".":{},"f:x":{},"f:y":{}}})");
  auto changed = c.request("PATCH", cm + "?fieldManager=a",
                           body(R"({"x":"1","z":"1"})"), apply_ct);
  BOOST_TEST(changed.status == 200u);
  BOOST_TEST(json::serialize(changed.json().at("data"))
             == R"({"x":"1","z":"1"})");
  auto rv = changed.json().at("metadata").at("resourceVersion");
  auto again = c.request("PATCH", cm + "?fieldManager=a",
                         body(R"({"x":"1","z":"1"})"), apply_ct);
  BOOST_TEST((again.json().at("metadata").at("resourceVersion") == rv));
  auto clash = c.request("PATCH", cm + "?fieldManager=b",
                         body(R"({"x":"2"})"), apply_ct);
  BOOST_TEST(clash.status == 409u);
  BOOST_TEST(clash.json().at("message").as_string()
             == "Apply failed with 1 conflict: conflict with \"a\": .data.x");
  auto forced = c.request("PATCH", cm + "?fieldManager=b&force=true",
                          body(R"({"x":"2"})"), apply_ct);
  BOOST_TEST(forced.status == 200u);
  BOOST_TEST(forced.json().at("data").at("x").as_string() == "2");
  auto upd = c.request("PATCH", cm + "?fieldManager=editor",
                       R"({"data":{"w":"1"}})",
                       {{"Content-Type", "application/merge-patch+json"}});
  bool editor = false;
  auto updated = upd.json();
  for (auto& e : updated.at("metadata").at("managedFields").as_array())
    editor = editor
             || (e.at("manager").as_string() == "editor"
                 && e.at("operation").as_string() == "Update");
  BOOST_TEST(editor);
}

BOOST_AUTO_TEST_CASE(patch_errors) {
  sim_client c{*srv};
  BOOST_REQUIRE(c.request("PATCH", cm + "?fieldManager=a", body("{}"),
                          apply_ct)
                  .status
                == 201u);
  auto notarray = c.request("PATCH", cm, R"({"op":"add"})",
                            {{"Content-Type", "application/json-patch+json"}});
  BOOST_TEST(notarray.status == 400u);
  auto missing = c.request(
    "PATCH", cm, R"([{"op":"replace","path":"/data/nope","value":"1"}])",
    {{"Content-Type", "application/json-patch+json"}});
  BOOST_TEST(missing.status == 422u);
  BOOST_TEST(missing.json().at("message").as_string()
             == "the server rejected our request due to an error in our "
                "request");
  auto force = c.request("PATCH", cm + "?force=true", "{}",
                         {{"Content-Type", "application/merge-patch+json"}});
  BOOST_TEST(force.status == 422u);
  auto noman = c.request("PATCH", cm, body("{}"), apply_ct);
  BOOST_TEST(noman.status == 422u);
}

BOOST_AUTO_TEST_SUITE_END()
