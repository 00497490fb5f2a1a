// kc-test-labels: integration
// The control plane over HTTPS: auth, CRUD semantics, Status shapes.

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using kc::test::auth;
using kc::test::sim_client;

namespace {

struct fixture {
  fixture() {
    kc::sim::server_config cfg;
    cfg.nodes = 2;
    cfg.fault_api = true;
    srv = std::make_unique<kc::sim::server>(cfg);
    srv->start();
  }
  std::unique_ptr<kc::sim::server> srv;
};

std::string cm_body(const std::string& name, const std::string& extra = "") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")"
         + name + R"("},"data":{"a":"1"})" + extra + "}";
}

std::string str(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (auto p : path) {
    if (!cur->is_object() || !cur->as_object().contains(p))
      return "<missing>";
    cur = &cur->as_object().at(p);
  }
  if (cur->is_string())
    return std::string(cur->as_string());
  return json::serialize(*cur);
}

const char* cms = "/api/v1/namespaces/default/configmaps";

} // namespace

BOOST_FIXTURE_TEST_SUITE(server, fixture)

BOOST_AUTO_TEST_CASE(version_nodes_namespaces_and_kubeconfig) {
  sim_client c{*srv};
  auto v = c.get("/version");
  BOOST_TEST(v.status == 200u);
  BOOST_TEST(str(v.json(), {"major"}) == "1");
  auto nodes = c.get("/api/v1/nodes").json();
  BOOST_REQUIRE(nodes.as_object()["items"].as_array().size() == 2u);
  auto& n = nodes.as_object()["items"].as_array()[0];
  BOOST_TEST(str(n, {"metadata", "name"}) == "kubecombo-worker-1");
  BOOST_TEST(str(n, {"status", "nodeInfo", "kubeletVersion"}) == "v1.32.4");
  auto ns = c.get("/api/v1/namespaces/kube-node-lease");
  BOOST_TEST(str(ns.json(), {"status", "phase"}) == "Active");
  auto sa = c.get("/api/v1/namespaces/kube-system/serviceaccounts/default");
  BOOST_TEST(sa.status == 200u);
  BOOST_TEST(srv->kubeconfig().find("certificate-authority-data")
             != std::string::npos);
  BOOST_TEST(srv->kubeconfig().find("current-context: kubecombo\n")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(credentials) {
  BOOST_TEST(sim_client(*srv, auth::cert).get("/api/v1/nodes").status
             == 200u);
  for (auto how : {auth::none, auth::bad_token}) {
    auto r = sim_client(*srv, how).get("/api/v1/nodes");
    BOOST_TEST(r.status == 401u);
    BOOST_TEST(str(r.json(), {"reason"}) == "Unauthorized");
    BOOST_TEST(str(r.json(), {"code"}) == "401");
  }
  BOOST_TEST(sim_client(*srv, auth::none).get("/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(create_sets_system_fields) {
  sim_client c{*srv};
  auto r = c.request("POST", cms, cm_body("one"));
  BOOST_TEST(r.status == 201u);
  auto o = r.json();
  BOOST_TEST(str(o, {"metadata", "namespace"}) == "default");
  BOOST_TEST(str(o, {"metadata", "uid"}).size() == 36u);
  auto ts = str(o, {"metadata", "creationTimestamp"});
  BOOST_TEST(ts.size() == 20u);
  BOOST_TEST(ts.back() == 'Z');
  BOOST_TEST(str(o, {"metadata", "resourceVersion"}) != "<missing>");
  auto gen = c.request(
    "POST", cms,
    R"({"metadata":{"generateName":"gen-"},"data":{}})");
  BOOST_TEST(gen.status == 201u);
  BOOST_TEST(str(gen.json(), {"metadata", "name"}).size() == 9u);
  auto dup = c.request("POST", cms, cm_body("one"));
  BOOST_TEST(dup.status == 409u);
  BOOST_TEST(str(dup.json(), {"reason"}) == "AlreadyExists");
  BOOST_TEST(str(dup.json(), {"message"})
             == "configmaps \"one\" already exists");
}

BOOST_AUTO_TEST_CASE(update_conflict_and_noop) {
  sim_client c{*srv};
  auto created = c.request("POST", cms, cm_body("cc")).json();
  auto rv = str(created, {"metadata", "resourceVersion"});
  auto obj = created.as_object();
  obj["data"].as_object()["a"] = "2";
  auto put = c.request("PUT", std::string(cms) + "/cc", json::serialize(obj));
  BOOST_TEST(put.status == 200u);
  auto rv2 = str(put.json(), {"metadata", "resourceVersion"});
  BOOST_TEST(rv2 != rv);
  // Stale RV: 409 Conflict with the exact message, nothing changed.
  auto stale = c.request("PUT", std::string(cms) + "/cc", json::serialize(obj));
  BOOST_TEST(stale.status == 409u);
  BOOST_TEST(str(stale.json(), {"reason"}) == "Conflict");
  BOOST_TEST(str(stale.json(), {"message"})
             == "Operation cannot be fulfilled on configmaps \"cc\": the "
                "object has been modified; please apply your changes to the "
                "latest version and try again");
  // No-op update keeps the revision.
  auto same = put.json();
  auto rev_before = srv->revision();
  auto noop = c.request("PUT", std::string(cms) + "/cc", json::serialize(same));
  BOOST_TEST(noop.status == 200u);
  BOOST_TEST(str(noop.json(), {"metadata", "resourceVersion"}) == rv2);
  BOOST_TEST(srv->revision() == rev_before);
}

BOOST_AUTO_TEST_CASE(bad_input_statuses) {
  sim_client c{*srv};
  auto bad_json = c.request("POST", cms, "{\"metadata\":");
  BOOST_TEST(bad_json.status == 400u);
  BOOST_TEST(str(bad_json.json(), {"reason"}) == "BadRequest");
  auto mismatch = c.request(
    "POST", cms, R"({"metadata":{"name":"x","namespace":"other"}})");
  BOOST_TEST(mismatch.status == 400u);
  BOOST_TEST(str(mismatch.json(), {"message"})
             == "the namespace of the provided object does not match the "
                "namespace sent on the request");
  auto missing_ns = c.request("POST", "/api/v1/namespaces/nope/configmaps",
                              cm_body("x"));
  BOOST_TEST(missing_ns.status == 404u);
  BOOST_TEST(str(missing_ns.json(), {"message"})
             == "namespaces \"nope\" not found");
  auto bad_name = c.request("POST", cms, cm_body("Bad_Name"));
  BOOST_TEST(bad_name.status == 422u);
  BOOST_TEST(str(bad_name.json(), {"reason"}) == "Invalid");
  BOOST_TEST(str(bad_name.json(), {"details", "kind"}) == "ConfigMap");
  auto with_rv = c.request(
    "POST", cms, R"({"metadata":{"name":"rv","resourceVersion":"5"}})");
  BOOST_TEST(with_rv.status >= 400u);
  BOOST_TEST(c.get(std::string(cms) + "/rv").status == 404u);
  auto sel = c.get(std::string(cms) + "?labelSelector=a%20in%20(");
  BOOST_TEST(sel.status == 400u);
  auto big = c.request("POST", cms,
                       cm_body("big", ",\"x\":\"" + std::string(3200000, 'a')
                                        + "\""));
  BOOST_TEST(big.status == 413u);
  BOOST_TEST(str(big.json(), {"reason"}) == "RequestEntityTooLarge");
  auto unknown = c.get("/api/v1/namespaces/default/nothings");
  BOOST_TEST(unknown.status == 404u);
  BOOST_TEST(str(unknown.json(), {"message"})
             == "the server could not find the requested resource");
  auto nf = c.get(std::string(cms) + "/absent");
  BOOST_TEST(str(nf.json(), {"details", "kind"}) == "configmaps");
  // The server is still fine.
  BOOST_TEST(c.get("/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(field_validation_modes) {
  sim_client c{*srv};
  auto strict = c.request("POST", std::string(cms) + "?fieldValidation=Strict",
                          cm_body("fv", ",\"spec\":{\"foo\":1}"));
  BOOST_TEST(strict.status == 400u);
  BOOST_TEST(str(strict.json(), {"message"}).rfind(
               "strict decoding error: unknown field \"spec", 0)
             == 0u);
  auto warn = c.request("POST", std::string(cms) + "?fieldValidation=Warn",
                        cm_body("fv", ",\"spec\":{\"foo\":1}"));
  BOOST_TEST(warn.status == 201u);
  BOOST_TEST(warn.headers["warning"].rfind("299 - \"unknown field", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(delete_reads_options_and_dry_run_keeps_objects) {
  sim_client c{*srv};
  c.request("POST", cms, cm_body("del"));
  auto dry = c.request("DELETE", std::string(cms) + "/del?dryRun=All");
  BOOST_TEST(dry.status == 200u);
  BOOST_TEST(c.get(std::string(cms) + "/del").status == 200u);
  auto pre = c.request("DELETE", std::string(cms) + "/del",
                       R"({"preconditions":{"uid":"nope"}})");
  BOOST_TEST(pre.status == 409u);
  auto del = c.request("DELETE", std::string(cms) + "/del",
                       R"({"propagationPolicy":"Background"})");
  BOOST_TEST(del.status == 200u);
  BOOST_TEST(c.get(std::string(cms) + "/del").status == 404u);
}

BOOST_AUTO_TEST_CASE(list_has_items_and_selectors) {
  sim_client c{*srv};
  auto empty = c.get("/api/v1/namespaces/kube-public/configmaps").json();
  BOOST_TEST(empty.as_object()["items"].is_array());
  BOOST_TEST(str(empty, {"kind"}) == "ConfigMapList");
  c.request("POST", cms,
            R"({"metadata":{"name":"l1","labels":{"app":"x"}}})");
  c.request("POST", cms,
            R"({"metadata":{"name":"l2","labels":{"app":"y"}}})");
  auto sel = c.get(std::string(cms) + "?labelSelector=app%3Dx").json();
  BOOST_REQUIRE(sel.as_object()["items"].as_array().size() == 1u);
  auto fs = c.get(std::string(cms) + "?fieldSelector=metadata.name%3Dl2")
              .json();
  BOOST_TEST(fs.as_object()["items"].as_array().size() == 1u);
  auto too_large = c.get(std::string(cms) + "?resourceVersion=999999");
  BOOST_TEST(too_large.status == 504u);
}

BOOST_AUTO_TEST_SUITE_END()
