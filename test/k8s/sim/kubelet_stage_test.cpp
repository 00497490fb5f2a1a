// kc-test-labels: integration
// The stage kubelet (ADR 0070): bound pods reach Running with the status a
// real kubelet reports; unbound pods and pods on unknown nodes stay Pending;
// no writes without a change; graceful deletion ends in removal (or in
// grace 0 while finalizers hold the pod).

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/kubelet/pod_status.hpp"
#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

namespace json = boost::json;
using kc::test::sim_client;
using namespace std::chrono_literals;

namespace {

const std::string pods = "/api/v1/namespaces/default/pods";

struct fixture {
  fixture() {
    kc::sim::server_config cfg;
    cfg.nodes = 2;
    srv = std::make_unique<kc::sim::server>(cfg);
    srv->start();
  }
  std::unique_ptr<kc::sim::server> srv;
};

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

std::string pod_body(const std::string& name, const std::string& node,
                     const std::string& extra_spec = "") {
  return R"({"metadata":{"name":")" + name + R"("},"spec":{)"
         + (node.empty() ? "" : R"("nodeName":")" + node + R"(",)")
         + extra_spec
         + R"("initContainers":[{"name":"init","image":"busybox"}],)"
           R"("containers":[{"name":"main","image":"nginx:1.27",)"
           R"("resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}})";
}

/// Polls the pod until its phase is `phase` (bounded: 10 s).
json::value wait_phase(sim_client& c, const std::string& name,
                       const std::string& phase) {
  json::value last;
  for (int i = 0; i < 200; ++i) {
    last = c.get(pods + "/" + name).json();
    if (str(last, {"status", "phase"}) == phase)
      return last;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL("pod " << name << " never reached " << phase << ": "
                    << json::serialize(last));
  return last;
}

std::string condition(const json::value& pod, const std::string& type) {
  for (auto& c : pod.at("status").at("conditions").as_array())
    if (c.at("type").as_string() == type)
      return std::string(c.at("status").as_string()) + "@"
             + std::string(c.at("lastTransitionTime").as_string());
  return "<missing>";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(kubelet_stage, fixture)

BOOST_AUTO_TEST_CASE(bound_pod_runs_with_full_status) {
  sim_client c{*srv};
  BOOST_REQUIRE(c.request("POST", pods, pod_body("web", "kubecombo-worker-2"))
                  .status
                == 201u);
  auto p = wait_phase(c, "web", "Running");
  BOOST_TEST(str(p, {"status", "podIP"}) == "198.18.0.12");
  BOOST_TEST(str(p, {"status", "hostIP"}) == "198.18.0.12");
  BOOST_TEST(str(p, {"status", "podIPs"}) == R"([{"ip":"198.18.0.12"}])");
  // The init container has no resources: Burstable (apiserver rule).
  BOOST_TEST(str(p, {"status", "qosClass"}) == "Burstable");
  BOOST_TEST(str(p, {"status", "startTime"}) != "<missing>");
  for (auto type : {"PodScheduled", "Initialized", "ContainersReady", "Ready"})
    BOOST_TEST(condition(p, type).rfind("True@", 0) == 0u, type);
  auto& cs = p.at("status").at("containerStatuses").at(0);
  BOOST_TEST(str(cs, {"name"}) == "main");
  BOOST_TEST(str(cs, {"image"}) == "nginx:1.27");
  BOOST_TEST(str(cs, {"imageID"}).rfind("nginx@sha256:", 0)
             == 0u);
  BOOST_TEST(str(cs, {"containerID"}).rfind("kubecombo://", 0) == 0u);
  BOOST_TEST(str(cs, {"ready"}) == "true");
  BOOST_TEST(str(cs, {"started"}) == "true");
  BOOST_TEST(str(cs, {"restartCount"}) == "0");
  BOOST_TEST(str(cs, {"state", "running", "startedAt"}) != "<missing>");
  auto& is = p.at("status").at("initContainerStatuses").at(0);
  BOOST_TEST(str(is, {"state", "terminated", "reason"}) == "Completed");
  BOOST_TEST(str(is, {"state", "terminated", "exitCode"}) == "0");
}

BOOST_AUTO_TEST_CASE(host_network_pod_runs_on_the_node_address) {
  sim_client c{*srv};
  BOOST_REQUIRE(c.request("POST", pods,
                          pod_body("hn", "kubecombo-worker-1",
                                   R"("hostNetwork":true,)"))
                  .status
                == 201u);
  auto p = wait_phase(c, "hn", "Running");
  BOOST_TEST(str(p, {"status", "podIP"}) == "198.18.0.11");
}

BOOST_AUTO_TEST_CASE(unbound_or_unknown_node_stays_pending_and_quiet) {
  sim_client c{*srv};
  BOOST_REQUIRE(
    c.request("POST", pods, pod_body("lost", "no-such-node")).status == 201u);
  BOOST_REQUIRE(
    c.request("POST", pods, pod_body("a", "kubecombo-worker-1")).status
    == 201u);
  wait_phase(c, "a", "Running");
  // A label change alone makes the kubelet look, not write.
  auto patched = c.request("PATCH", pods + "/a",
                           R"({"metadata":{"labels":{"k":"v"}}})",
                           {{"Content-Type", "application/merge-patch+json"}});
  BOOST_REQUIRE(patched.status == 200u);
  auto rv = str(patched.json(), {"metadata", "resourceVersion"});
  // Events are handled in order: once "b" runs, "a"'s patch was seen.
  BOOST_REQUIRE(
    c.request("POST", pods, pod_body("b", "kubecombo-worker-1")).status
    == 201u);
  wait_phase(c, "b", "Running");
  auto a = c.get(pods + "/a").json();
  BOOST_TEST(str(a, {"metadata", "resourceVersion"}) == rv);
  auto lost = c.get(pods + "/lost").json();
  BOOST_TEST(str(lost, {"status", "phase"}) == "Pending");
  BOOST_TEST(str(lost, {"status", "podIP"}) == "<missing>");
}

BOOST_AUTO_TEST_CASE(deletion_timestamp_ends_in_removal) {
  sim_client c{*srv};
  for (auto name : {"gone", "held"}) {
    auto body = pod_body(name, "kubecombo-worker-1");
    if (name == std::string("held"))
      body.replace(body.find("\"},"), 3, R"(","finalizers":["x.io/y"]},)");
    BOOST_REQUIRE(c.request("POST", pods, body).status == 201u);
    wait_phase(c, name, "Running");
  }
  // What the API does on DELETE of a bound pod: mark it, keep it.
  srv->plane().objects.transact([](kc::sim::txn& t) {
    for (auto name : {"gone", "held"}) {
      auto cur = t.get("pods", "default", name);
      auto next = cur->obj;
      auto& md = next["metadata"].as_object();
      md["deletionTimestamp"] = "2026-01-01T00:00:00Z";
      md["deletionGracePeriodSeconds"] = 30;
      t.put("pods", std::move(next));
    }
  });
  bool gone = false, held_zero = false;
  for (int i = 0; i < 200 && !(gone && held_zero); ++i) {
    gone = c.get(pods + "/gone").status == 404u;
    held_zero = str(c.get(pods + "/held").json(),
                    {"metadata", "deletionGracePeriodSeconds"})
                == "0";
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(gone);
  BOOST_TEST(held_zero);
}

BOOST_AUTO_TEST_CASE(image_references_and_qos_classes) {
  namespace ks = kc::sim::kubelet_status;
  BOOST_TEST(ks::image_ref("busybox") == "busybox:latest");
  BOOST_TEST(ks::image_ref("org/app:1") == "org/app:1");
  BOOST_TEST(ks::image_ref("reg.example:5000/x/kubecombo:v1")
             == "reg.example:5000/x/kubecombo:v1");
  BOOST_TEST(ks::image_ref("localhost:5000/a") == "localhost:5000/a:latest");
  BOOST_TEST(ks::image_id("nginx:1.27") == ks::image_id("nginx:1.27"));
  BOOST_TEST(ks::image_id("nginx:1.27") != ks::image_id("nginx:1.28"));
  auto spec = [](const char* res) {
    return json::parse(std::string(R"({"containers":[{"name":"c","resources":)")
                       + res + "}]}")
      .as_object();
  };
  BOOST_TEST(ks::qos_class(spec("{}")) == "BestEffort");
  BOOST_TEST(ks::qos_class(spec(R"({"requests":{"cpu":"1"}})")) == "Burstable");
  BOOST_TEST(ks::qos_class(spec(R"({"limits":{"cpu":"1","memory":"1Gi"}})"))
             == "Guaranteed");
  BOOST_TEST(ks::qos_class(spec(R"({"limits":{"cpu":"1","memory":"1Gi"},)"
                                R"("requests":{"cpu":"500m"}})"))
             == "Burstable");
}

BOOST_AUTO_TEST_SUITE_END()
