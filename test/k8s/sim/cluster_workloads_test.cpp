// kc-test-labels: integration
// DaemonSet, ReplicaSet and Deployment controllers of the simulated cluster
// (ADR 0009), with the kubelet off: the tests make pods Ready themselves and
// check the invariants of a rollout at every observed moment.

#include "test/k8s/sim/support/cluster_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <thread>

using kc::test::cluster_fixture;
namespace json = boost::json;

namespace {

const std::string dss = "/apis/apps/v1/namespaces/default/daemonsets";

std::string ds_body(const std::string& name, const std::string& image,
                    const std::string& strategy,
                    const std::string& pod_extra = "") {
  return R"({"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":")"
         + name + R"("},"spec":{"selector":{"matchLabels":{"ds":")" + name
         + R"("}},"updateStrategy":)" + strategy
         + R"(,"template":{"metadata":{"labels":{"ds":")" + name
         + R"("}},"spec":{)" + pod_extra
         + R"("containers":[{"name":"c","image":")" + image + R"("}]}}}})";
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(cluster_workloads, cluster_fixture)

BOOST_AUTO_TEST_CASE(daemonset_one_pod_per_node_status_and_repair) {
  post(dss, ds_body("agent", "img:1", R"({"type":"RollingUpdate"})"));
  BOOST_REQUIRE(eventually([&] {
    return items(std::string(pods_path) + "?labelSelector=ds%3Dagent").size()
           == 3u;
  }));
  auto ds = get(dss + "/agent");
  std::set<std::string> nodes;
  BOOST_REQUIRE(eventually([&] {
    nodes.clear();
    for (auto& p : items(std::string(pods_path) + "?labelSelector=ds%3Dagent"))
      nodes.insert(s(p, "spec.nodeName"));
    return nodes.size() == 3u && !nodes.count("<missing>");
  }));
  auto pods = items(std::string(pods_path) + "?labelSelector=ds%3Dagent");
  for (auto& p : pods) {
    BOOST_TEST(s(p, "metadata.ownerReferences") != "<missing>");
    auto& ref = p.at("metadata").at("ownerReferences").at(0);
    BOOST_TEST(s(ref, "kind") == "DaemonSet");
    BOOST_TEST(s(ref, "uid") == s(ds, "metadata.uid"));
    BOOST_TEST(s(ref, "controller") == "true");
    BOOST_TEST(s(ref, "blockOwnerDeletion") == "true");
    BOOST_TEST(s(p, "metadata.labels.pod-template-generation") == "1");
    BOOST_TEST(s(p, "metadata.labels.controller-revision-hash").size() >= 8u);
    // Pinned like the real controller: matchFields metadata.name.
    auto term = p.at("spec").at("affinity").at("nodeAffinity")
                  .at("requiredDuringSchedulingIgnoredDuringExecution")
                  .at("nodeSelectorTerms").at(0).at("matchFields").at(0);
    BOOST_TEST(s(term, "key") == "metadata.name");
    BOOST_TEST(term.at("values").at(0).as_string() == s(p, "spec.nodeName"));
  }
  BOOST_TEST(eventually([&] {
    auto d = get(dss + "/agent");
    return n(d, "status.desiredNumberScheduled") == 3
           && n(d, "status.currentNumberScheduled") == 3
           && n(d, "status.numberReady") == 0
           && n(d, "status.numberUnavailable") == 3
           && n(d, "status.updatedNumberScheduled") == 3
           && n(d, "status.observedGeneration") == 1;
  }));
  make_ready("ds%3Dagent");
  BOOST_TEST(eventually([&] {
    auto d = get(dss + "/agent");
    return n(d, "status.numberReady") == 3
           && n(d, "status.numberAvailable") == 3
           && s(d, "status.numberUnavailable") == "<missing>"
           && n(d, "status.numberMisscheduled") == 0;
  }));
  // A deleted pod is recreated on its node.
  auto victim = s(pods[0], "metadata.name");
  auto node = s(pods[0], "spec.nodeName");
  BOOST_REQUIRE(c->request("DELETE", pod_path(victim)).status == 200);
  BOOST_TEST(eventually([&] {
    for (auto& p : items(std::string(pods_path) + "?labelSelector=ds%3Dagent"))
      if (s(p, "spec.nodeName") == node && s(p, "metadata.name") != victim)
        return true;
    return false;
  }));
  // A NoExecute taint evicts the pod; desired drops to 2.
  patch("/api/v1/nodes/" + node,
        R"({"spec":{"taints":[{"key":"k","value":"v","effect":"NoExecute"}]}})");
  BOOST_TEST(eventually([&] {
    auto d = get(dss + "/agent");
    int on_node = 0;
    for (auto& p : items(std::string(pods_path) + "?labelSelector=ds%3Dagent"))
      on_node += s(p, "spec.nodeName") == node
                 && s(p, "metadata.deletionTimestamp") == "<missing>";
    return on_node == 0 && n(d, "status.desiredNumberScheduled") == 2;
  }));
}

BOOST_AUTO_TEST_CASE(daemonset_node_selector_follows_labels) {
  post(dss, ds_body("picky", "img:1", R"({"type":"RollingUpdate"})",
                    R"("nodeSelector":{"role":"edge"},)"));
  patch("/api/v1/nodes/kubecombo-worker-1", R"({"metadata":{"labels":{"role":"edge"}}})");
  patch("/api/v1/nodes/kubecombo-worker-3", R"({"metadata":{"labels":{"role":"edge"}}})");
  auto on_nodes = [&] {
    std::multiset<std::string> out;
    for (auto& p : items(std::string(pods_path) + "?labelSelector=ds%3Dpicky"))
      if (s(p, "metadata.deletionTimestamp") == "<missing>")
        out.insert(s(p, "spec.nodeName"));
    return out;
  };
  BOOST_TEST(eventually([&] {
    return on_nodes()
           == std::multiset<std::string>{"kubecombo-worker-1",
                                         "kubecombo-worker-3"};
  }));
  patch("/api/v1/nodes/kubecombo-worker-1", R"({"metadata":{"labels":{"role":null}}})");
  BOOST_TEST(eventually([&] {
    return on_nodes() == std::multiset<std::string>{"kubecombo-worker-3"}
           && n(get(dss + "/picky"), "status.desiredNumberScheduled") == 1;
  }));
}

BOOST_AUTO_TEST_CASE(daemonset_rolls_within_max_unavailable) {
  for (auto [mu, limit] : {std::pair<const char*, int64_t>{"1", 1},
                           std::pair<const char*, int64_t>{"\"50%\"", 2}}) {
    std::string name = limit == 1 ? "roll1" : "roll2";
    auto sel = "ds%3D" + name;
    std::string strategy = R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":)"
                           + std::string(mu) + "}}";
    post(dss, ds_body(name, "img:1", strategy));
    BOOST_REQUIRE(eventually([&] {
      make_ready(sel);
      return n(get(dss + "/" + name), "status.numberAvailable") == 3;
    }));
    patch(dss + "/" + name,
          R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"img:2"}]}}}})");
    int64_t worst = 0;
    bool done = false;
    for (int i = 0; i < 500 && !done; ++i) {
      // Unavailable = nodes without a Ready, not deleting pod.
      std::set<std::string> ok;
      int updated_ready = 0;
      for (auto& p : items(std::string(pods_path) + "?labelSelector=" + sel))
        if (s(p, "metadata.deletionTimestamp") == "<missing>"
            && condition(p, "Ready") == "True") {
          ok.insert(s(p, "spec.nodeName"));
          updated_ready
            += s(p, "spec.containers").find("img:2") != std::string::npos;
        }
      int64_t unavailable = 3 - static_cast<int64_t>(ok.size());
      worst = std::max(worst, unavailable);
      BOOST_TEST(unavailable <= limit);
      done = updated_ready == 3;
      make_ready(sel);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    BOOST_TEST(done);
    BOOST_TEST(worst >= 1);
    auto d = get(dss + "/" + name);
    BOOST_TEST(eventually([&] {
      d = get(dss + "/" + name);
      return n(d, "status.updatedNumberScheduled") == 3
             && n(d, "status.numberAvailable") == 3
             && n(d, "status.observedGeneration") == 2;
    }));
    std::size_t live = 0;
    for (auto& p : items(std::string(pods_path) + "?labelSelector=" + sel))
      live += s(p, "metadata.deletionTimestamp") == "<missing>";
    BOOST_TEST(live == 3u);
  }
}

BOOST_AUTO_TEST_CASE(daemonset_on_delete_waits_for_deletion) {
  post(dss, ds_body("manual", "img:1", R"({"type":"OnDelete"})"));
  BOOST_REQUIRE(eventually([&] {
    make_ready("ds%3Dmanual");
    return n(get(dss + "/manual"), "status.numberAvailable") == 3;
  }));
  patch(dss + "/manual",
        R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"img:2"}]}}}})");
  BOOST_TEST(eventually([&] {
    return n(get(dss + "/manual"), "status.observedGeneration") == 2;
  }));
  auto pods = items(std::string(pods_path) + "?labelSelector=ds%3Dmanual");
  BOOST_REQUIRE(pods.size() == 3u);
  BOOST_TEST(n(get(dss + "/manual"), "status.updatedNumberScheduled") == 0);
  BOOST_REQUIRE(c->request("DELETE", pod_path(s(pods[0], "metadata.name")))
                  .status
                == 200);
  BOOST_TEST(eventually([&] {
    return n(get(dss + "/manual"), "status.updatedNumberScheduled") == 1;
  }));
}

BOOST_AUTO_TEST_SUITE_END()
