// kc-test-labels: integration
// API-server defaulting (ADR 0013): DaemonSet, Deployment, ReplicaSet and
// Pod defaults as a real apiserver stores them, no generation bump from
// defaults, ReplicaSet generation/observedGeneration.

#include "k8s/sim/defaults.hpp"
#include "test/k8s/sim/support/cluster_fixture.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using kc::test::cluster_fixture;

namespace {

const std::string apps = "/apis/apps/v1/namespaces/default/";

const char* tmpl = R"("selector":{"matchLabels":{"app":"x"}},
  "template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[
  {"name":"c","image":"busybox:1.36","ports":[{"containerPort":80}]},
  {"name":"d","image":"registry.local:5000/tools"}]}})";

} // namespace

BOOST_FIXTURE_TEST_SUITE(defaults, cluster_fixture)

BOOST_AUTO_TEST_CASE(image_pull_policy_rule) {
  using kc::sim::default_pull_policy;
  BOOST_TEST(default_pull_policy("busybox") == "Always");
  BOOST_TEST(default_pull_policy("busybox:latest") == "Always");
  BOOST_TEST(default_pull_policy("busybox:1.36") == "IfNotPresent");
  BOOST_TEST(default_pull_policy("host:5000/img") == "Always");
  BOOST_TEST(default_pull_policy("host:5000/img:v1") == "IfNotPresent");
  BOOST_TEST(default_pull_policy("img@sha256:abcd") == "IfNotPresent");
  BOOST_TEST(default_pull_policy("img:latest@sha256:abcd") == "Always");
  BOOST_TEST(default_pull_policy("") == "IfNotPresent");
}

BOOST_AUTO_TEST_CASE(daemonset_defaults_and_template) {
  auto ds = post(apps + "daemonsets",
                 std::string(R"({"metadata":{"name":"ds"},"spec":{)") + tmpl
                   + "}}");
  BOOST_TEST(s(ds, "spec.updateStrategy.type") == "RollingUpdate");
  BOOST_TEST(s(ds, "spec.updateStrategy.rollingUpdate.maxUnavailable") == "1");
  BOOST_TEST(s(ds, "spec.updateStrategy.rollingUpdate.maxSurge") == "0");
  BOOST_TEST(s(ds, "spec.revisionHistoryLimit") == "10");
  auto& spec = ds.at("spec").at("template").at("spec");
  BOOST_TEST(s(spec, "restartPolicy") == "Always");
  BOOST_TEST(s(spec, "dnsPolicy") == "ClusterFirst");
  BOOST_TEST(s(spec, "terminationGracePeriodSeconds") == "30");
  BOOST_TEST(s(spec, "schedulerName") == "default-scheduler");
  BOOST_TEST(s(spec, "securityContext") == "{}");
  // Pod-only defaults stay out of templates, as in a real cluster.
  BOOST_TEST(s(spec, "enableServiceLinks") == "<missing>");
  auto& c0 = spec.at("containers").at(0);
  BOOST_TEST(s(c0, "imagePullPolicy") == "IfNotPresent");
  BOOST_TEST(s(c0, "terminationMessagePath") == "/dev/termination-log");
  BOOST_TEST(s(c0, "terminationMessagePolicy") == "File");
  BOOST_TEST(s(c0, "resources") == "{}");
  BOOST_TEST(s(c0.at("ports").at(0), "protocol") == "TCP");
  BOOST_TEST(s(spec.at("containers").at(1), "imagePullPolicy") == "Always");
  BOOST_TEST(n(ds, "metadata.generation") == 1);
  // The same body again (without the defaults): the spec did not change,
  // so no new generation.
  auto put = c->request("PUT", apps + "daemonsets/ds",
                        std::string(R"({"metadata":{"name":"ds"},"spec":{)")
                          + tmpl + "}}");
  BOOST_REQUIRE_MESSAGE(put.status == 200u, put.body);
  BOOST_TEST(n(put.json(), "metadata.generation") == 1);
  BOOST_TEST(s(put.json(), "spec.updateStrategy.type") == "RollingUpdate");
  // Explicit values are kept; OnDelete gets no rollingUpdate.
  auto od = post(apps + "daemonsets",
                 std::string(R"({"metadata":{"name":"od"},"spec":{
                   "updateStrategy":{"type":"OnDelete"},
                   "revisionHistoryLimit":3,)")
                   + tmpl + "}}");
  BOOST_TEST(s(od, "spec.updateStrategy.rollingUpdate") == "<missing>");
  BOOST_TEST(s(od, "spec.revisionHistoryLimit") == "3");
}

BOOST_AUTO_TEST_CASE(deployment_defaults) {
  auto d = post(apps + "deployments",
                std::string(R"({"metadata":{"name":"web"},"spec":{)") + tmpl
                  + "}}");
  BOOST_TEST(s(d, "spec.replicas") == "1");
  BOOST_TEST(s(d, "spec.strategy.type") == "RollingUpdate");
  BOOST_TEST(s(d, "spec.strategy.rollingUpdate.maxSurge") == "25%");
  BOOST_TEST(s(d, "spec.strategy.rollingUpdate.maxUnavailable")
             == "25%");
  BOOST_TEST(s(d, "spec.progressDeadlineSeconds") == "600");
  BOOST_TEST(s(d, "spec.revisionHistoryLimit") == "10");
  BOOST_TEST(s(d, "spec.template.spec.restartPolicy") == "Always");
  // Explicit replicas 0 and Recreate are kept.
  auto r = post(apps + "deployments",
                std::string(R"({"metadata":{"name":"rec"},"spec":{
                  "replicas":0,"strategy":{"type":"Recreate"},)")
                  + tmpl + "}}");
  BOOST_TEST(s(r, "spec.replicas") == "0");
  BOOST_TEST(s(r, "spec.strategy.type") == "Recreate");
  BOOST_TEST(s(r, "spec.strategy.rollingUpdate") == "<missing>");
  // A merge patch that only touches a label does not bump the generation.
  auto p = patch(apps + "deployments/web",
                 R"({"metadata":{"labels":{"a":"b"}}})");
  BOOST_TEST(n(p, "metadata.generation") == 1);
  p = patch(apps + "deployments/web", R"({"spec":{"replicas":2}})");
  BOOST_TEST(n(p, "metadata.generation") == 2);
  BOOST_TEST(s(p, "spec.strategy.rollingUpdate.maxSurge") == "25%");
}

BOOST_AUTO_TEST_CASE(replicaset_generation_and_observed_generation) {
  auto rs = post(apps + "replicasets",
                 std::string(R"({"metadata":{"name":"rs"},"spec":{)") + tmpl
                   + "}}");
  BOOST_TEST(s(rs, "spec.replicas") == "1");
  BOOST_TEST(n(rs, "metadata.generation") == 1);
  BOOST_TEST(eventually([&] {
    return n(get(apps + "replicasets/rs"), "status.observedGeneration") == 1;
  }));
  auto p = patch(apps + "replicasets/rs", R"({"spec":{"replicas":2}})");
  BOOST_TEST(n(p, "metadata.generation") == 2);
  BOOST_TEST(eventually([&] {
    auto o = get(apps + "replicasets/rs");
    return n(o, "status.observedGeneration") == 2
           && n(o, "status.replicas") == 2;
  }));
  // A status write does not bump the generation.
  BOOST_TEST(n(get(apps + "replicasets/rs"), "metadata.generation") == 2);
}

BOOST_AUTO_TEST_CASE(pod_defaults) {
  auto p = post(pods_path, R"({"metadata":{"name":"p"},"spec":{
    "containers":[{"name":"c","image":"nginx",
      "resources":{"limits":{"cpu":"1","memory":"64Mi"},
                   "requests":{"cpu":"500m"}},
      "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":
        "metadata.name"}}}],
      "readinessProbe":{"httpGet":{"port":80}}}],
    "volumes":[{"name":"v"},{"name":"cm","configMap":{"name":"x"}}]}})");
  auto& spec = p.at("spec");
  BOOST_TEST(s(spec, "enableServiceLinks") == "true");
  BOOST_TEST(s(spec, "restartPolicy") == "Always");
  auto& c0 = spec.at("containers").at(0);
  BOOST_TEST(s(c0, "imagePullPolicy") == "Always");
  // Requests default to the limits, explicit requests stay.
  BOOST_TEST(s(c0, "resources.requests.cpu") == "500m");
  BOOST_TEST(s(c0, "resources.requests.memory") == "64Mi");
  BOOST_TEST(s(c0.at("env").at(0), "valueFrom.fieldRef.apiVersion") == "v1");
  BOOST_TEST(s(c0, "readinessProbe.httpGet.path") == "/");
  BOOST_TEST(s(c0, "readinessProbe.httpGet.scheme") == "HTTP");
  BOOST_TEST(s(c0, "readinessProbe.periodSeconds") == "10");
  BOOST_TEST(s(c0, "readinessProbe.failureThreshold") == "3");
  BOOST_TEST(s(spec.at("volumes").at(0), "emptyDir") == "{}");
  BOOST_TEST(s(spec.at("volumes").at(1), "configMap.defaultMode") == "420");
}

BOOST_AUTO_TEST_SUITE_END()
