// kc-test-labels: integration
// Deployment and ReplicaSet controllers of the simulated cluster (ADR 0009),
// kubelet off: the tests make pods Ready themselves.

#include "test/k8s/sim/support/cluster_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using kc::test::cluster_fixture;
namespace json = boost::json;

namespace {

const std::string deps = "/apis/apps/v1/namespaces/default/deployments";
const std::string rss = "/apis/apps/v1/namespaces/default/replicasets";

std::string deploy_body(const std::string& name, int replicas,
                        const std::string& strategy) {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":")"
         + name + R"("},"spec":{"replicas":)" + std::to_string(replicas)
         + R"(,"selector":{"matchLabels":{"app":")" + name
         + R"("}},"strategy":)" + strategy
         + R"(,"template":{"metadata":{"labels":{"app":")" + name
         + R"("}},"spec":{"containers":[{"name":"c","image":"img:1"}]}}}})";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(cluster_deploy, cluster_fixture)

BOOST_AUTO_TEST_CASE(replicaset_scales_and_reports) {
  post(rss, R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"bare"},"spec":{"replicas":4,"selector":{"matchLabels":{"rs":"bare"}},"template":{"metadata":{"labels":{"rs":"bare"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  auto live = [&] {
    std::vector<json::value> out;
    for (auto& p : items(std::string(pods_path) + "?labelSelector=rs%3Dbare"))
      if (s(p, "metadata.deletionTimestamp") == "<missing>")
        out.push_back(p);
    return out;
  };
  BOOST_REQUIRE(eventually([&] { return live().size() == 4u; }));
  for (auto& p : live()) {
    BOOST_TEST(s(p, "metadata.name").rfind("bare-", 0) == 0u);
    BOOST_TEST(s(p.at("metadata").at("ownerReferences").at(0), "kind")
               == "ReplicaSet");
  }
  BOOST_TEST(eventually([&] {
    make_ready("rs%3Dbare");
    auto rs = get(rss + "/bare");
    return n(rs, "status.replicas") == 4 && n(rs, "status.readyReplicas") == 4
           && n(rs, "status.availableReplicas") == 4
           && n(rs, "status.fullyLabeledReplicas") == 4;
  }));
  patch(rss + "/bare", R"({"spec":{"replicas":1}})");
  BOOST_TEST(eventually([&] {
    return live().size() == 1u && n(get(rss + "/bare"), "status.replicas") == 1;
  }));
  // kubectl's table for the new resource.
  auto r = c->request("GET", rss,
                      "", {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"}});
  BOOST_TEST(r.status == 200u);
  BOOST_TEST(r.body.find("\"Desired\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(deployment_rolls_with_surge_and_conditions) {
  post(deps, deploy_body("web", 3, R"({"type":"RollingUpdate"})"));
  auto sel = std::string("app%3Dweb");
  BOOST_REQUIRE(eventually([&] {
    make_ready(sel);
    auto d = get(deps + "/web");
    return n(d, "status.availableReplicas") == 3
           && n(d, "status.updatedReplicas") == 3
           && condition(d, "Available") == "True"
           && condition(d, "Progressing", "reason") == "NewReplicaSetAvailable";
  }));
  auto d = get(deps + "/web");
  BOOST_TEST(n(d, "status.observedGeneration") == 1);
  BOOST_TEST(s(d, "metadata.annotations.deployment.kubernetes.io/revision") == "1");
  auto sets = items(rss);
  BOOST_REQUIRE(sets.size() == 1u);
  auto hash = s(sets[0], "metadata.labels.pod-template-hash");
  BOOST_TEST(s(sets[0], "metadata.name") == "web-" + hash);
  BOOST_TEST(s(sets[0], "spec.selector.matchLabels.pod-template-hash") == hash);
  for (auto& p : items(std::string(pods_path) + "?labelSelector=" + sel))
    BOOST_TEST(s(p, "metadata.labels.pod-template-hash") == hash);

  // Rolling update: 25% of 3 → maxSurge 1, maxUnavailable 0. At every
  // observed moment at most 4 live pods and at least 3 Ready ones.
  patch(deps + "/web",
        R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"img:2"}]}}}})");
  bool done = false;
  for (int i = 0; i < 500 && !done; ++i) {
    int live = 0, ready = 0, updated = 0;
    for (auto& p : items(std::string(pods_path) + "?labelSelector=" + sel)) {
      if (s(p, "metadata.deletionTimestamp") != "<missing>")
        continue;
      ++live;
      bool r = condition(p, "Ready") == "True";
      ready += r;
      updated += r && s(p, "spec.containers").find("img:2") != std::string::npos;
    }
    BOOST_TEST(live <= 4);
    BOOST_TEST(ready >= 3);
    done = updated == 3 && live == 3;
    make_ready(sel);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  BOOST_TEST(done);
  BOOST_TEST(eventually([&] {
    auto x = get(deps + "/web");
    return n(x, "status.observedGeneration") == 2
           && n(x, "status.updatedReplicas") == 3
           && n(x, "status.replicas") == 3
           && s(x, "metadata.annotations.deployment.kubernetes.io/revision") == "2"
           && condition(x, "Progressing", "reason") == "NewReplicaSetAvailable";
  }));
  BOOST_TEST(items(rss).size() == 2u); // the old one kept at 0 (history)
  // Quiet in steady state: nothing but the node Leases changes.
  auto before = get(deps + "/web");
  auto rs_before = items(rss);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  BOOST_TEST(s(get(deps + "/web"), "metadata.resourceVersion")
             == s(before, "metadata.resourceVersion"));
  auto rs_after = items(rss);
  BOOST_REQUIRE(rs_after.size() == rs_before.size());
  for (std::size_t i = 0; i < rs_after.size(); ++i)
    BOOST_TEST(s(rs_after[i], "metadata.resourceVersion")
               == s(rs_before[i], "metadata.resourceVersion"));
}

BOOST_AUTO_TEST_CASE(deployment_recreate_and_scale) {
  post(deps, deploy_body("batch", 2, R"({"type":"Recreate"})"));
  auto sel = std::string("app%3Dbatch");
  BOOST_REQUIRE(eventually([&] {
    make_ready(sel);
    return n(get(deps + "/batch"), "status.availableReplicas") == 2;
  }));
  patch(deps + "/batch",
        R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"img:2"}]}}}})");
  // Recreate: never old and new pods live together.
  bool done = false;
  for (int i = 0; i < 500 && !done; ++i) {
    int olds = 0, news = 0;
    for (auto& p : items(std::string(pods_path) + "?labelSelector=" + sel)) {
      if (s(p, "metadata.deletionTimestamp") != "<missing>")
        continue;
      (s(p, "spec.containers").find("img:2") != std::string::npos ? news
                                                                   : olds)++;
    }
    BOOST_TEST(!(olds > 0 && news > 0));
    done = news == 2 && olds == 0;
    make_ready(sel);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  BOOST_TEST(done);
  patch(deps + "/batch", R"({"spec":{"replicas":5}})");
  BOOST_TEST(eventually([&] {
    make_ready(sel);
    auto d = get(deps + "/batch");
    return n(d, "status.availableReplicas") == 5
           && n(d, "status.replicas") == 5;
  }));
}

BOOST_AUTO_TEST_SUITE_END()
