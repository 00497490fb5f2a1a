// The pure parts of the simulated cluster (ADR 0009): node fit and the
// scheduler's messages, DaemonSet tolerations, IntOrString scaling, label
// selectors, template hashes, conditions.

#include "k8s/sim/cluster/node_match.hpp"
#include "k8s/sim/cluster/objects.hpp"
#include "k8s/sim/cluster/workloads.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::sim::cluster;

namespace {

json::object obj(const char* text) {
  return json::parse(text).as_object();
}

json::object node(const char* name, const char* labels = "{}",
                  const char* taints = "[]") {
  return obj((std::string(R"({"metadata":{"name":")") + name
              + R"(","labels":)" + labels + R"(},"spec":{"taints":)" + taints
              + "}}")
               .c_str());
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_logic)

BOOST_AUTO_TEST_CASE(node_selector_and_required_affinity) {
  auto n1 = node("n1", R"({"disk":"ssd","zone":"a"})");
  auto n2 = node("n2", R"({"zone":"b"})");
  auto sel = obj(R"({"nodeSelector":{"disk":"ssd"}})");
  BOOST_TEST(fit(sel, n1).fits());
  BOOST_TEST(fit(sel, n2).reason
             == "node(s) didn't match Pod's node affinity/selector");
  auto aff = [](const char* expr) {
    return obj((std::string(R"({"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[)")
                + expr + "]}}}}")
                 .c_str());
  };
  auto in = aff(R"({"matchExpressions":[{"key":"zone","operator":"In","values":["b","c"]}]})");
  BOOST_TEST(!fit(in, n1).fits());
  BOOST_TEST(fit(in, n2).fits());
  auto notin = aff(R"({"matchExpressions":[{"key":"zone","operator":"NotIn","values":["a"]}]})");
  BOOST_TEST(!fit(notin, n1).fits());
  BOOST_TEST(fit(notin, n2).fits());
  auto exists = aff(R"({"matchExpressions":[{"key":"disk","operator":"Exists"}]})");
  BOOST_TEST(fit(exists, n1).fits());
  BOOST_TEST(!fit(exists, n2).fits());
  auto absent = aff(R"({"matchExpressions":[{"key":"disk","operator":"DoesNotExist"}]})");
  BOOST_TEST(!fit(absent, n1).fits());
  BOOST_TEST(fit(absent, n2).fits());
  auto field = aff(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]})");
  BOOST_TEST(!fit(field, n1).fits());
  BOOST_TEST(fit(field, n2).fits());
  // Terms are ORed; an empty term matches nothing.
  auto ored = aff(R"({"matchFields":[{"key":"metadata.name","operator":"In","values":["n2"]}]},{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]})");
  BOOST_TEST(fit(ored, n1).fits());
  BOOST_TEST(fit(ored, n2).fits());
  BOOST_TEST(!fit(aff("{}"), n1).fits());
}

BOOST_AUTO_TEST_CASE(taints_and_tolerations) {
  auto tainted = node("n1", "{}",
                      R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"}])");
  auto none = obj("{}");
  BOOST_TEST(fit(none, tainted).reason
             == "node(s) had untolerated taint {dedicated: gpu}");
  BOOST_TEST(fit(obj(R"({"tolerations":[{"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}]})"), tainted).fits());
  BOOST_TEST(fit(obj(R"({"tolerations":[{"key":"dedicated","operator":"Exists"}]})"), tainted).fits());
  BOOST_TEST(fit(obj(R"({"tolerations":[{"operator":"Exists"}]})"), tainted).fits());
  BOOST_TEST(!fit(obj(R"({"tolerations":[{"key":"dedicated","value":"cpu"}]})"), tainted).fits());
  BOOST_TEST(!fit(obj(R"({"tolerations":[{"key":"dedicated","operator":"Exists","effect":"NoExecute"}]})"), tainted).fits());
  auto soft = node("n2", "{}", R"([{"key":"x","effect":"PreferNoSchedule"}])");
  BOOST_TEST(fit(none, soft).fits());
  auto exec = node("n3", "{}", R"([{"key":"k","value":"v","effect":"NoExecute"}])");
  BOOST_TEST(untolerated_taint(nullptr, exec, true) == "{k: v}");
  BOOST_TEST(untolerated_taint(nullptr, tainted, true).empty());
  // DaemonSet pods tolerate the node condition taints and unschedulable.
  auto cordoned = obj(R"({"metadata":{"name":"c"},"spec":{"unschedulable":true,"taints":[{"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}]}})");
  BOOST_TEST(fit(none, cordoned).reason == "node(s) were unschedulable");
  json::object ds_spec;
  add_daemon_tolerations(ds_spec);
  add_daemon_tolerations(ds_spec); // idempotent
  BOOST_TEST(ds_spec.at("tolerations").as_array().size() == 6u);
  BOOST_TEST(fit(ds_spec, cordoned).fits());
}

BOOST_AUTO_TEST_CASE(unschedulable_message_like_kube_scheduler) {
  std::vector<fit_result> r{
    {"node(s) didn't match Pod's node affinity/selector"},
    {"node(s) had untolerated taint {a: b}"},
    {"node(s) didn't match Pod's node affinity/selector"}};
  BOOST_TEST(unschedulable_message(r)
             == "0/3 nodes are available: 1 node(s) had untolerated taint "
                "{a: b}, 2 node(s) didn't match Pod's node affinity/selector. "
                "preemption: 0/3 nodes are available: 3 Preemption is not "
                "helpful for scheduling.");
  BOOST_TEST(unschedulable_message({}) == "no nodes available to schedule pods");
}

BOOST_AUTO_TEST_CASE(int_or_percent_rounding) {
  json::value p25 = "25%", p50 = "50%", two = 2, s3 = "3", bad = "x%";
  BOOST_TEST(scaled(&p25, 3, true, 0) == 1);  // maxSurge rounds up
  BOOST_TEST(scaled(&p25, 3, false, 0) == 0); // maxUnavailable (Deployment)
  BOOST_TEST(scaled(&p50, 3, true, 0) == 2);  // DaemonSet rounds up
  BOOST_TEST(scaled(&p50, 10, false, 0) == 5);
  BOOST_TEST(scaled(&two, 10, true, 0) == 2);
  BOOST_TEST(scaled(&s3, 10, true, 0) == 3);
  BOOST_TEST(scaled(nullptr, 10, true, 7) == 7);
  BOOST_TEST(scaled(&bad, 10, true, 7) == 7);
}

BOOST_AUTO_TEST_CASE(label_selectors) {
  auto labels = obj(R"({"app":"web","tier":"fe"})");
  auto sel = obj(R"({"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},{"key":"x","operator":"DoesNotExist"}]})");
  BOOST_TEST(selector_matches(&sel, &labels));
  auto other = obj(R"({"matchLabels":{"app":"db"}})");
  BOOST_TEST(!selector_matches(&other, &labels));
  auto empty = obj("{}");
  BOOST_TEST(selector_matches(&empty, &labels));
  BOOST_TEST(!selector_matches(nullptr, &labels));
}

BOOST_AUTO_TEST_CASE(hashes_conditions_and_daemon_pods) {
  auto a = json::parse(R"({"spec":{"containers":[{"name":"c","image":"a"}]}})");
  auto b = json::parse(R"({"spec":{"containers":[{"name":"c","image":"b"}]}})");
  auto h = template_hash(a);
  BOOST_TEST(h == template_hash(a));
  BOOST_TEST(h != template_hash(b));
  BOOST_TEST(h != template_hash(a, 1));
  BOOST_TEST(h.find_first_not_of("bcdfghjklmnpqrstvwxz2456789")
             == std::string::npos);
  json::array conds;
  BOOST_TEST(set_condition(conds, "Available", "True", "R", "m", true));
  BOOST_TEST(!set_condition(conds, "Available", "True", "R", "m", true));
  BOOST_TEST(set_condition(conds, "Available", "False", "S", "n", true));
  BOOST_TEST(conds.size() == 1u);
  BOOST_TEST(find_condition(&conds, "Available")->at("reason") == "S");
  auto pinned = obj(R"({"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["w2"]}]}]}}}}})");
  BOOST_TEST(daemon_pod_node(pinned) == "w2");
  auto bound = obj(R"({"spec":{"nodeName":"w3"}})");
  BOOST_TEST(daemon_pod_node(bound) == "w3");
  auto owner = obj(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rs","namespace":"ns","uid":"u1"}})");
  auto tmpl = obj(R"({"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}})");
  auto pod = pod_from_template(owner, tmpl);
  BOOST_TEST(kc::sim::meta_str(pod, "generateName") == "rs-");
  auto ref = controller_of(pod);
  BOOST_REQUIRE(ref.has_value());
  BOOST_TEST(ref->uid == "u1");
  BOOST_TEST(ref->kind == "ReplicaSet");
}

BOOST_AUTO_TEST_SUITE_END()
