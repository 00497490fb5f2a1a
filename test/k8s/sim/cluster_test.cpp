// kc-test-labels: integration
// The simulated cluster (ADR 0009) against the in-process control plane over
// HTTPS: node Leases, the scheduler and pods/binding, the DaemonSet,
// ReplicaSet and Deployment controllers. The kubelet is off ("none") so the
// tests decide when pods become Ready (they write pod status themselves).

#include "k8s/sim/cluster/runtime.hpp"
#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/cluster_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using kc::test::cluster_fixture;
namespace json = boost::json;

BOOST_FIXTURE_TEST_SUITE(cluster, cluster_fixture)

BOOST_AUTO_TEST_CASE(nodes_ready_untainted_and_leases_renewed) {
  auto nodes = items("/api/v1/nodes");
  BOOST_REQUIRE(nodes.size() == 3u);
  for (auto& n : nodes) {
    auto name = s(n, "metadata.name");
    BOOST_TEST(s(n, "metadata.labels.kubernetes.io/hostname") == name);
    BOOST_TEST(s(n, "metadata.labels.kubernetes.io/os") == "linux");
    BOOST_TEST(s(n, "metadata.labels.kubernetes.io/arch") == "amd64");
    BOOST_TEST(s(n, "spec.taints") == "<missing>");
    BOOST_TEST(condition(n, "Ready") == "True");
  }
  // A second runtime with only lease renewal, every 100 ms.
  auto lease = get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/"
                   "leases/kubecombo-worker-1");
  auto before = s(lease, "spec.renewTime");
  BOOST_TEST(before.size() == 27u); // MicroTime
  kc::sim::cluster::runtime_options o;
  o.scheduler = o.controllers = false;
  o.lease_renewal = std::chrono::milliseconds(100);
  kc::sim::cluster::runtime rt{srv->plane(), o};
  rt.start();
  BOOST_TEST(eventually([&] {
    auto l = get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/"
                 "leases/kubecombo-worker-1");
    return s(l, "spec.renewTime") != before
           && s(l, "spec.holderIdentity") == "kubecombo-worker-1";
  }));
  rt.stop();
}

BOOST_AUTO_TEST_CASE(scheduler_binds_and_spreads_by_least_pods) {
  for (int i = 0; i < 6; ++i)
    create_pod("p" + std::to_string(i));
  BOOST_REQUIRE(eventually([&] {
    for (auto& p : items(pods_path))
      if (s(p, "spec.nodeName") == "<missing>")
        return false;
    return true;
  }));
  std::map<std::string, int> per_node;
  for (auto& p : items(pods_path)) {
    ++per_node[s(p, "spec.nodeName")];
    BOOST_TEST(condition(p, "PodScheduled") == "True");
  }
  BOOST_TEST(per_node.size() == 3u);
  for (auto& [n, c] : per_node)
    BOOST_TEST(c == 2, n << " has " << c);
  BOOST_TEST(has_event("p0", "Scheduled", "Successfully assigned default/p0 to "));
}

BOOST_AUTO_TEST_CASE(node_selector_affinity_and_fields) {
  create_pod("sel", R"("nodeSelector":{"kubernetes.io/hostname":"kubecombo-worker-2"},)");
  create_pod("fields", R"("affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["kubecombo-worker-3"]}]}]}}},)");
  create_pod("notin", R"("affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"NotIn","values":["kubecombo-worker-1","kubecombo-worker-2"]}]}]}}},)");
  create_pod("nolabel", R"("affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"gpu","operator":"Exists"}]}]}}},)");
  BOOST_TEST(eventually([&] {
    return s(get(pod_path("sel")), "spec.nodeName") == "kubecombo-worker-2"
           && s(get(pod_path("fields")), "spec.nodeName") == "kubecombo-worker-3"
           && s(get(pod_path("notin")), "spec.nodeName") == "kubecombo-worker-3";
  }));
  std::string msg = "0/3 nodes are available: 3 node(s) didn't match Pod's "
                    "node affinity/selector. preemption: 0/3 nodes are "
                    "available: 3 Preemption is not helpful for scheduling.";
  BOOST_TEST(eventually([&] {
    auto p = get(pod_path("nolabel"));
    return condition(p, "PodScheduled") == "False"
           && condition(p, "PodScheduled", "reason") == "Unschedulable"
           && condition(p, "PodScheduled", "message") == msg;
  }));
  BOOST_TEST(eventually([&] { return has_event("nolabel", "FailedScheduling", msg); }));
  // Labelling a node makes the pod schedulable (retry on node change).
  patch("/api/v1/nodes/kubecombo-worker-1", R"({"metadata":{"labels":{"gpu":"yes"}}})");
  BOOST_TEST(eventually([&] {
    return s(get(pod_path("nolabel")), "spec.nodeName") == "kubecombo-worker-1";
  }));
  BOOST_TEST(condition(get(pod_path("nolabel")), "PodScheduled") == "True");
}

BOOST_AUTO_TEST_CASE(taints_and_tolerations) {
  for (int i = 1; i <= 3; ++i)
    patch("/api/v1/nodes/kubecombo-worker-" + std::to_string(i),
          R"({"spec":{"taints":[{"key":"dedicated","value":"infra","effect":"NoSchedule"}]}})");
  create_pod("plain");
  create_pod("tolerant", R"("tolerations":[{"key":"dedicated","operator":"Equal","value":"infra","effect":"NoSchedule"}],)");
  BOOST_TEST(eventually([&] {
    return s(get(pod_path("tolerant")), "spec.nodeName") != "<missing>";
  }));
  std::string msg = "0/3 nodes are available: 3 node(s) had untolerated taint "
                    "{dedicated: infra}. preemption: 0/3 nodes are available: "
                    "3 Preemption is not helpful for scheduling.";
  BOOST_TEST(eventually([&] {
    return condition(get(pod_path("plain")), "PodScheduled", "message") == msg;
  }));
  BOOST_TEST(s(get(pod_path("plain")), "spec.nodeName") == "<missing>");
  patch("/api/v1/nodes/kubecombo-worker-2", R"({"spec":{"taints":null}})");
  BOOST_TEST(eventually([&] {
    return s(get(pod_path("plain")), "spec.nodeName") == "kubecombo-worker-2";
  }));
}

BOOST_AUTO_TEST_SUITE_END()
