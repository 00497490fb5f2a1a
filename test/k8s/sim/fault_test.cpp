// kc-test-labels: integration
// The test and fault API (ADR 0012) against the in-process server over
// HTTPS: error answers, deny, connection resets, watch delay, pod status
// faults, write counters, bad input.

#include "k8s/sim/fault.hpp"
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

std::string create(sim_client& c, const std::string& name) {
  auto r = c.request("POST", cms, R"({"metadata":{"name":")" + name + "\"}}");
  BOOST_REQUIRE(r.status == 201u);
  return std::string(r.json().at("metadata").at("resourceVersion").as_string());
}

/// A pod bound to a node no kubelet serves, so only faults change it.
std::string create_pod(sim_client& c, const std::string& name) {
  auto r = c.request(
    "POST", "/api/v1/namespaces/default/pods",
    R"({"metadata":{"name":")" + name
      + R"("},"spec":{"nodeName":"no-such-node","containers":[)"
        R"({"name":"main","image":"busybox"},{"name":"side","image":"nginx"}]}})");
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  return std::string(r.json().at("metadata").at("resourceVersion").as_string());
}

int64_t served(sim_client& c, const char* what) {
  auto f = c.get("/fault/v1/faults").json().at("served").as_object();
  auto v = f.if_contains(what);
  return v ? v->as_int64() : 0;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(fault, fixture)

BOOST_AUTO_TEST_CASE(count_of_429_plain_text_with_retry_after_scoped_to_verb) {
  sim_client c{*srv};
  create(c, "a");
  auto set = c.request("POST", "/fault/v1/errors",
                       R"({"code":429,"count":2,"verb":"list",)"
                       R"("resource":"configmaps","retryAfterSeconds":2})");
  BOOST_TEST(set.status == 200u);
  BOOST_TEST(c.get(cms + "/a").status == 200u); // get: not in scope
  for (int i = 0; i < 2; ++i) {
    auto r = c.get(cms);
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(r.headers["retry-after"] == "2");
    BOOST_TEST(r.headers["content-type"] == "text/plain; charset=utf-8");
    BOOST_TEST(r.body == "Too many requests, please try again later.\n");
  }
  BOOST_TEST(c.get(cms).status == 200u);
  BOOST_TEST(served(c, "429") == 2);
  BOOST_TEST(c.get("/fault/v1/faults").json().at("errors").as_array().empty());
}

BOOST_AUTO_TEST_CASE(fraction_of_503_and_500_by_path_prefix_in_process) {
  sim_client c{*srv};
  kc::sim::fault_rule r;
  r.code = 503;
  r.fraction = 0.5;
  r.scope.path_prefix = "/api/v1/namespaces/default/configmaps";
  srv->faults().fail(r);
  std::vector<unsigned> codes;
  for (int i = 0; i < 4; ++i)
    codes.push_back(c.get(cms).status);
  BOOST_TEST((codes == std::vector<unsigned>{200, 503, 200, 503}));
  auto r503 = c.get(cms);
  r503 = r503.status == 503 ? r503 : c.get(cms);
  BOOST_TEST(r503.json().at("reason").as_string() == "ServiceUnavailable");
  BOOST_TEST(r503.headers.count("retry-after") == 0u);
  BOOST_TEST(c.get("/api/v1/namespaces").status == 200u); // other path
  srv->faults().clear();
  kc::sim::fault_rule e;
  e.code = 500;
  e.count = 1;
  srv->faults().fail(e);
  auto r500 = c.get("/api/v1/namespaces");
  BOOST_TEST(r500.status == 500u);
  BOOST_TEST(r500.json().at("reason").as_string() == "InternalError");
  BOOST_TEST(c.get("/api/v1/namespaces").status == 200u);
}

BOOST_AUTO_TEST_CASE(deny_answers_the_rbac_forbidden_status) {
  sim_client c{*srv};
  BOOST_TEST(c.request("POST", "/fault/v1/deny",
                       R"({"verb":"create","resource":"configmaps"})")
               .status
             == 200u);
  BOOST_TEST(c.request("POST", "/fault/v1/deny",
                       R"({"verb":"get","resource":"deployments"})")
               .status
             == 200u);
  auto r = c.request("POST", cms, R"({"metadata":{"name":"x"}})");
  BOOST_TEST(r.status == 403u);
  auto b = r.json().as_object();
  BOOST_TEST(b.at("kind").as_string() == "Status");
  BOOST_TEST(b.at("reason").as_string() == "Forbidden");
  BOOST_TEST(b.at("code").as_int64() == 403);
  BOOST_TEST(b.at("message").as_string()
             == "configmaps is forbidden: User \"kubecombo-admin\" cannot "
                "create resource \"configmaps\" in API group \"\" in the "
                "namespace \"default\"");
  BOOST_TEST(b.at("details").at("kind").as_string() == "configmaps");
  BOOST_TEST(c.get(cms).status == 200u); // list is not denied
  auto d = c.get("/apis/apps/v1/namespaces/default/deployments/web").json();
  BOOST_TEST(d.at("message").as_string()
             == "deployments.apps \"web\" is forbidden: User "
                "\"kubecombo-admin\" cannot get resource \"deployments\" in "
                "API group \"apps\" in the namespace \"default\"");
  BOOST_TEST(d.at("details").at("group").as_string() == "apps");
  BOOST_TEST(c.request("POST", "/fault/v1/clear").status == 200u);
  BOOST_TEST(c.request("POST", cms, R"({"metadata":{"name":"x"}})").status
             == 201u);
}

BOOST_AUTO_TEST_CASE(deny_can_name_a_user_or_service_account) {
  sim_client c{*srv};
  const std::string sa = "system:serviceaccount:default:app";
  // The SA may create ConfigMaps (RBAC), so only the fault denies it.
  BOOST_REQUIRE(c.request("POST", "/apis/rbac.authorization.k8s.io/v1/"
                                  "clusterrolebindings",
                          R"({"metadata":{"name":"app-edit"},"roleRef":{
      "apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
      "name":"cluster-admin"},"subjects":[{"kind":"ServiceAccount",
      "name":"app","namespace":"default"}]})")
                  .status
                == 201u);
  BOOST_TEST(c.request("POST", "/fault/v1/deny",
                       R"({"verb":"create","resource":"configmaps",
                           "serviceAccount":"default/app"})")
               .status
             == 200u);
  std::map<std::string, std::string> as_sa{{"Impersonate-User", sa}};
  auto r = c.request("POST", cms, R"({"metadata":{"name":"d1"}})", as_sa);
  BOOST_TEST(r.status == 403u);
  BOOST_TEST(r.json().at("message").as_string()
             == "configmaps is forbidden: User \"" + sa
                  + "\" cannot create resource \"configmaps\" in API group "
                    "\"\" in the namespace \"default\"");
  // Other users (the admin, another user) are not denied.
  BOOST_TEST(c.request("POST", cms, R"({"metadata":{"name":"d2"}})").status
             == 201u);
  BOOST_TEST(c.request("POST", cms, R"({"metadata":{"name":"d3"}})",
                       {{"Impersonate-User", "alice"},
                        {"Impersonate-Group", "system:masters"}})
               .status
             == 201u);
  auto f = c.get("/fault/v1/faults").json();
  BOOST_TEST(f.at("denies").at(0).at("user").as_string() == sa);
  // By user name, in process.
  srv->faults().clear();
  BOOST_TEST(c.request("POST", cms, R"({"metadata":{"name":"d4"}})", as_sa)
               .status
             == 201u);
  srv->faults().deny("get", "configmaps", "", "alice");
  r = c.request("GET", cms + "/d2", "",
                {{"Impersonate-User", "alice"},
                 {"Impersonate-Group", "system:masters"}});
  BOOST_TEST(r.status == 403u);
  BOOST_TEST(r.json().at("message").as_string().find("User \"alice\"")
             != std::string::npos);
  BOOST_TEST(c.get(cms + "/d2").status == 200u);
  auto bad = c.request("POST", "/fault/v1/deny",
                       R"({"verb":"get","resource":"x",
                           "serviceAccount":"no-slash"})");
  BOOST_TEST(bad.status == 400u);
  BOOST_TEST(bad.json().at("message").as_string()
             == "fault: field \"serviceAccount\" must be \"namespace/name\"");
  bad = c.request("POST", "/fault/v1/deny",
                  R"({"verb":"get","resource":"x","user":"a",
                      "serviceAccount":"n/a"})");
  BOOST_TEST(bad.status == 400u);
}

BOOST_AUTO_TEST_CASE(fault_endpoints_are_never_faulted) {
  sim_client c{*srv};
  kc::sim::fault_rule r;
  r.code = 503;
  srv->faults().fail(r);
  srv->faults().deny("*", "*");
  BOOST_TEST(c.get("/version").status == 503u);
  BOOST_TEST(c.get("/fault/v1/faults").status == 200u);
  BOOST_TEST(c.get("/healthz").status == 200u);
  BOOST_TEST(c.request("DELETE", "/fault/v1/faults").status == 200u);
  BOOST_TEST(c.get("/version").status == 200u);
}

BOOST_AUTO_TEST_CASE(reset_aborts_the_connection_optionally_watches_only) {
  sim_client c{*srv};
  BOOST_TEST(c.request("POST", "/fault/v1/reset-connections",
                       R"({"count":1,"watchOnly":true})")
               .status
             == 200u);
  BOOST_TEST(c.get(cms).status == 200u); // not a watch
  unsigned status = 0;
  BOOST_CHECK_THROW(c.watch(cms + "?watch=true", 1, 3s, &status),
                    boost::system::system_error);
  BOOST_TEST(served(c, "reset") == 1);
  BOOST_TEST(c.request("POST", "/fault/v1/reset-connections", R"({"count":1})")
               .status
             == 200u);
  BOOST_CHECK_THROW(c.get(cms), boost::system::system_error);
  BOOST_TEST(c.get(cms).status == 200u);
  BOOST_TEST(served(c, "reset") == 2);
}

BOOST_AUTO_TEST_CASE(watch_delay_holds_events_back) {
  sim_client c{*srv};
  auto rv = create(c, "d0");
  BOOST_TEST(c.request("POST", "/fault/v1/watch-delay",
                       R"({"milliseconds":600})")
               .status
             == 200u);
  BOOST_TEST(srv->faults().watch_delay() == 600ms);
  auto t0 = std::chrono::steady_clock::now();
  std::thread writer([&] {
    sim_client w{*srv};
    create(w, "d1");
  });
  auto lines = c.watch(cms + "?watch=true&resourceVersion=" + rv, 1, 10s);
  auto waited = std::chrono::steady_clock::now() - t0;
  writer.join();
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(waited >= 550ms);
  srv->faults().delay_watches(0ms);
  BOOST_TEST(c.get("/fault/v1/faults").json().at("watchDelayMilliseconds")
               .as_int64()
             == 0);
}

BOOST_AUTO_TEST_CASE(pod_phase_and_exit_code_are_written_and_watched) {
  sim_client c{*srv};
  auto rv = create_pod(c, "p");
  auto r = c.request("POST", "/fault/v1/pod-status",
                     R"({"namespace":"default","name":"p","phase":"Running"})");
  BOOST_TEST(r.status == 200u);
  auto lines = c.watch("/api/v1/namespaces/default/pods?watch=1&"
                       "resourceVersion="
                         + rv,
                       1, 5s);
  BOOST_REQUIRE(lines.size() == 1u);
  auto ev = json::parse(lines[0]);
  BOOST_TEST(ev.at("type").as_string() == "MODIFIED");
  BOOST_TEST(ev.at("object").at("status").at("phase").as_string()
             == "Running");
  auto err = srv->faults().set_exit_code("default", "p", "side", 3, "Failed");
  BOOST_TEST(err.empty());
  auto pod = c.get("/api/v1/namespaces/default/pods/p").json();
  BOOST_TEST(pod.at("status").at("phase").as_string() == "Failed");
  auto& cs = pod.at("status").at("containerStatuses").as_array();
  BOOST_REQUIRE(cs.size() == 1u);
  BOOST_TEST(cs[0].at("name").as_string() == "side");
  auto& term = cs[0].at("state").at("terminated");
  BOOST_TEST(term.at("exitCode").as_int64() == 3);
  BOOST_TEST(term.at("reason").as_string() == "Error");
  BOOST_TEST(std::stoull(std::string(
               pod.at("metadata").at("resourceVersion").as_string()))
             > std::stoull(rv));
  auto missing = c.request("POST", "/fault/v1/pod-status",
                           R"({"namespace":"default","name":"nope",)"
                           R"("phase":"Failed"})");
  BOOST_TEST(missing.status == 404u);
  auto bad = c.request("POST", "/fault/v1/pod-status",
                       R"({"namespace":"default","name":"p",)"
                       R"("container":"x","exitCode":1})");
  BOOST_TEST(bad.status == 400u);
  BOOST_TEST(bad.json().at("message").as_string()
             == "fault: field \"container\": the pod has no container \"x\"");
}

BOOST_AUTO_TEST_CASE(write_counters_change_only_on_writes) {
  sim_client c{*srv};
  create(c, "w");
  c.get(cms + "/w");
  c.get(cms);
  BOOST_TEST(c.request("PATCH", cms + "/w", R"({"data":{"a":"1"}})",
                       {{"Content-Type", "application/merge-patch+json"}})
               .status
             == 200u);
  BOOST_TEST(c.request("POST", cms + "?dryRun=All",
                       R"({"metadata":{"name":"dry"}})")
               .status
             == 201u);
  c.request("PUT", cms + "/absent", R"({"metadata":{"name":"absent"}})");
  auto w = srv->faults().writes("configmaps", "default", "w");
  BOOST_TEST(w.create == 1u);
  BOOST_TEST(w.patch == 1u);
  BOOST_TEST(w.total() == 2u);
  BOOST_TEST(srv->faults().writes("configmaps", "default", "dry").total()
             == 0u);
  auto before = c.get("/fault/v1/writes?resource=configmaps&namespace=default"
                      "&name=w")
                  .json();
  BOOST_TEST(before.at("total").as_int64() == 2);
  for (int i = 0; i < 5; ++i)
    c.get(cms + "/w");
  auto after = c.get("/fault/v1/writes?resource=configmaps&namespace=default"
                     "&name=w")
                 .json();
  BOOST_TEST(after.at("total").as_int64() == 2);
  BOOST_TEST(after.at("items").at(0).at("patch").as_int64() == 1);
  BOOST_TEST(c.request("DELETE", cms + "/w").status == 200u);
  BOOST_TEST(srv->faults().writes("configmaps", "default", "w").del == 1u);
  BOOST_TEST(c.request("DELETE", "/fault/v1/writes").status == 200u);
  BOOST_TEST(c.get("/fault/v1/writes").json().at("total").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_400_naming_the_field) {
  sim_client c{*srv};
  auto msg = [&](const std::string& path, const std::string& body) {
    auto r = c.request("POST", path, body);
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(r.json().at("reason").as_string() == "BadRequest");
    return std::string(r.json().at("message").as_string());
  };
  BOOST_TEST(msg("/fault/v1/errors", R"({"code":404})")
             == "fault: field \"code\" must be 429, 500 or 503");
  BOOST_TEST(msg("/fault/v1/errors", R"({"code":429,"fraction":2})")
             == "fault: field \"fraction\" must be > 0 and <= 1");
  BOOST_TEST(msg("/fault/v1/errors", R"({"code":429,"verb":"eat"})").find(
               "field \"verb\"")
             != std::string::npos);
  BOOST_TEST(msg("/fault/v1/errors", R"({"code":429,"colour":1})")
             == "fault: unknown field \"colour\"");
  BOOST_TEST(msg("/fault/v1/deny", R"({"verb":"get"})")
             == "fault: field \"resource\" is required");
  BOOST_TEST(msg("/fault/v1/watch-delay", R"({"milliseconds":"x"})")
             == "fault: field \"milliseconds\" must be an integer");
  BOOST_TEST(msg("/fault/v1/pod-status", R"({"namespace":"default"})")
             == "fault: field \"name\" is required");
  BOOST_TEST(msg("/fault/v1/errors", "[1]")
             == "fault: request body must be a JSON object");
  BOOST_TEST(c.request("GET", "/fault/v1/errors").status == 405u);
  BOOST_TEST(c.request("POST", "/fault/v1/nope").status == 404u);
  BOOST_TEST(c.get("/fault/v1/faults").json().at("errors").as_array().empty());
}

BOOST_AUTO_TEST_CASE(absent_without_fault_api) {
  kc::sim::server_config cfg;
  cfg.nodes = 1;
  kc::sim::server plain{cfg};
  plain.start();
  sim_client c{plain};
  BOOST_TEST(c.get("/fault/v1/faults").status == 404u);
  BOOST_TEST(c.request("POST", "/fault/v1/compact").status == 404u);
  plain.faults().deny("*", "*"); // hooks are off without fault_api
  BOOST_TEST(c.get(cms).status == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
