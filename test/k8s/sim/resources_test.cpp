// kc-test-labels: integration
// Resource specifics: CRDs and custom resources (served at once, status
// subresource, generation, removal), Events as two views of one store with
// their TTL, pods' log, protobuf-free JSON paths.

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
    cfg.event_ttl = std::chrono::seconds(1);
    srv = kc::test::started_server(cfg);
  }
  std::unique_ptr<kc::sim::server> srv;
};

const char* crd = R"({
  "apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
  "metadata":{"name":"gadgets.example.com"},
  "spec":{"group":"example.com","scope":"Namespaced",
    "names":{"plural":"gadgets","singular":"gadget","kind":"Gadget"},
    "versions":[{"name":"v1","served":true,"storage":true,
      "subresources":{"status":{}},
      "schema":{"openAPIV3Schema":{"type":"object","properties":{
        "spec":{"type":"object","properties":{"size":{"type":"integer"}}},
        "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}
      }}}}]}})";

const std::string gadgets = "/apis/example.com/v1/namespaces/default/gadgets";

std::string str(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (auto p : path) {
    if (!cur->is_object() || !cur->as_object().contains(p))
      return "<missing>";
    cur = &cur->as_object().at(p);
  }
  return cur->is_string() ? std::string(cur->as_string())
                          : json::serialize(*cur);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(resources, fixture)

BOOST_AUTO_TEST_CASE(crd_lifecycle) {
  sim_client c{*srv};
  auto created = c.request(
    "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  BOOST_TEST(created.status == 201u);
  BOOST_TEST(created.body.find("\"Established\"") != std::string::npos);
  auto cr = c.request("POST", gadgets,
                      R"({"apiVersion":"example.com/v1","kind":"Gadget",)"
                      R"("metadata":{"name":"g1"},"spec":{"size":1},)"
                      R"("status":{"ready":true}})");
  BOOST_REQUIRE(cr.status == 201u);
  auto o = cr.json();
  BOOST_TEST(str(o, {"metadata", "generation"}) == "1");
  BOOST_TEST(str(o, {"status"}) == "<missing>");
  // A main write ignores status; a spec change bumps generation.
  auto obj = o.as_object();
  obj["spec"].as_object()["size"] = 2;
  obj["status"] = json::object{{"ready", true}};
  auto upd = c.request("PUT", gadgets + "/g1", json::serialize(obj)).json();
  BOOST_TEST(str(upd, {"metadata", "generation"}) == "2");
  BOOST_TEST(str(upd, {"status"}) == "<missing>");
  // /status writes only status and keeps generation.
  auto st = upd.as_object();
  st["status"] = json::object{{"ready", true}};
  st["spec"].as_object()["size"] = 9;
  auto s = c.request("PUT", gadgets + "/g1/status", json::serialize(st));
  BOOST_TEST(s.status == 200u);
  BOOST_TEST(str(s.json(), {"status", "ready"}) == "true");
  BOOST_TEST(str(s.json(), {"spec", "size"}) == "2");
  BOOST_TEST(str(s.json(), {"metadata", "generation"}) == "2");
  // Deleting the CRD removes its objects and stops serving them.
  auto del = c.request(
    "DELETE",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
    "gadgets.example.com");
  BOOST_TEST(del.status == 200u);
  BOOST_TEST(c.get(gadgets).status == 404u);
  auto again = c.request(
    "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  BOOST_TEST(again.status == 201u);
  BOOST_TEST(c.get(gadgets).json().at("items").as_array().empty());
}

BOOST_AUTO_TEST_CASE(invalid_crd_is_422) {
  sim_client c{*srv};
  auto r = c.request(
    "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    R"({"metadata":{"name":"x.example.com"},"spec":{"group":"example.com"}})");
  BOOST_TEST(r.status == 422u);
  BOOST_TEST(str(r.json(), {"reason"}) == "Invalid");
}

BOOST_AUTO_TEST_CASE(events_two_views_validation_and_ttl) {
  sim_client c{*srv};
  auto core = c.request(
    "POST", "/api/v1/namespaces/default/events",
    R"({"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p",)"
    R"("namespace":"default"},"reason":"R","message":"hello","type":"Normal",)"
    R"("reportingComponent":"ctl"})");
  BOOST_REQUIRE(core.status == 201u);
  BOOST_TEST(str(core.json(), {"eventTime"}) == "null");
  auto v1 = c.get("/apis/events.k8s.io/v1/namespaces/default/events/e1");
  BOOST_TEST(v1.status == 200u);
  BOOST_TEST(str(v1.json(), {"note"}) == "hello");
  BOOST_TEST(str(v1.json(), {"regarding", "name"}) == "p");
  BOOST_TEST(str(v1.json(), {"reportingController"}) == "ctl");
  BOOST_TEST(str(v1.json(), {"apiVersion"}) == "events.k8s.io/v1");
  auto bad = c.request("POST", "/apis/events.k8s.io/v1/namespaces/default/events",
                       R"({"metadata":{"name":"e2"},"type":"Normal"})");
  BOOST_TEST(bad.status == 422u);
  auto good = c.request(
    "POST", "/apis/events.k8s.io/v1/namespaces/default/events",
    R"({"metadata":{"name":"e3"},"eventTime":"2026-11-28T17:00:00.000000Z",)"
    R"("type":"Normal","reason":"R","action":"A","reportingController":)"
    R"("x.io/c","reportingInstance":"i","note":"n","regarding":{"kind":"Pod",)"
    R"("name":"p","namespace":"default"}})");
  BOOST_TEST(good.status == 201u);
  auto as_core = c.get("/api/v1/namespaces/default/events/e3");
  BOOST_TEST(str(as_core.json(), {"message"}) == "n");
  BOOST_TEST(str(as_core.json(), {"involvedObject", "name"}) == "p");
  auto mismatch = c.request(
    "POST", "/api/v1/namespaces/default/events",
    R"({"metadata":{"name":"e4"},"involvedObject":{"namespace":"other"}})");
  BOOST_TEST(mismatch.status == 422u);
  // TTL 1 s here: gone within a few seconds.
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::this_thread::sleep_for(100ms);
    gone = c.get("/api/v1/namespaces/default/events/e1").status == 404u;
  }
  BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(pod_log_container_rule_and_patch) {
  sim_client c{*srv};
  const std::string pods = "/api/v1/namespaces/default/pods";
  auto p = c.request("POST", pods,
                     R"({"metadata":{"name":"two"},"spec":{"containers":[)"
                     R"({"name":"a","image":"x"},{"name":"b","image":"x"}]}})");
  BOOST_REQUIRE(p.status == 201u);
  BOOST_TEST(str(p.json(), {"status", "phase"}) == "Pending");
  auto log = c.get(pods + "/two/log");
  BOOST_TEST(log.status == 400u);
  BOOST_TEST(str(log.json(), {"message"})
             == "a container name must be specified for pod two, choose one "
                "of: [a b]");
  BOOST_TEST(c.get(pods + "/two/log?container=b").status == 200u);
  auto merged = c.request("PATCH", pods + "/two",
                          R"({"metadata":{"labels":{"k":"v"}}})",
                          {{"Content-Type", "application/merge-patch+json"}});
  BOOST_TEST(merged.status == 200u);
  BOOST_TEST(str(merged.json(), {"metadata", "labels", "k"}) == "v");
  auto jp = c.request("PATCH", pods + "/two",
                      R"([{"op":"replace","path":"/metadata/labels/k",)"
                      R"("value":"w"}])",
                      {{"Content-Type", "application/json-patch+json"}});
  BOOST_TEST(str(jp.json(), {"metadata", "labels", "k"}) == "w");
  auto smp = c.request(
    "PATCH", pods + "/two",
    R"({"spec":{"containers":[{"name":"b","image":"y"}]}})",
    {{"Content-Type", "application/strategic-merge-patch+json"}});
  BOOST_TEST(smp.json().at("spec").at("containers").as_array().size() == 2u);
  auto bad = c.request("PATCH", pods + "/two", "{}",
                       {{"Content-Type", "text/plain"}});
  BOOST_TEST(bad.status == 415u);
}

BOOST_AUTO_TEST_CASE(write_normalisation) {
  sim_client c{*srv};
  auto secret = c.request("POST", "/api/v1/namespaces/default/secrets",
                          R"({"metadata":{"name":"s"},"stringData":{"a":"b"}})");
  BOOST_TEST(str(secret.json(), {"data", "a"}) == "Yg==");
  BOOST_TEST(str(secret.json(), {"stringData"}) == "<missing>");
  BOOST_TEST(str(secret.json(), {"type"}) == "Opaque");
  auto lease = c.request(
    "POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases",
    R"({"metadata":{"name":"l"},"spec":{"holderIdentity":"h",)"
    R"("acquireTime":"2026-11-28T18:00:00.5Z",)"
    R"("renewTime":"2026-11-28T20:07:44.666715+02:00"}})");
  BOOST_TEST(str(lease.json(), {"spec", "acquireTime"})
             == "2026-11-28T18:00:00.500000Z");
  BOOST_TEST(str(lease.json(), {"spec", "renewTime"})
             == "2026-11-28T18:07:44.666715Z");
  // Strict decoding fails before validation (400, not 422).
  auto typo = c.request(
    "POST", "/api/v1/namespaces/default/pods?fieldValidation=Strict",
    R"({"metadata":{"name":"typo"},"spec":{"containers":[)"
    R"({"name":"c","imagee":"x"}]}})");
  BOOST_TEST(typo.status == 400u);
  auto dup = c.request(
    "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
    R"({"metadata":{"name":"d"},"data":{"a":"1"},"data":{"b":"2"}})");
  BOOST_TEST(dup.status == 400u);
  BOOST_TEST(str(dup.json(), {"message"})
             == "strict decoding error: duplicate field \"data\"");
  BOOST_TEST(c.get("/api/v1/namespaces/default/configmaps/d").status == 404u);
}

BOOST_AUTO_TEST_SUITE_END()
