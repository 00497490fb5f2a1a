// Admission webhook matching (ADR 0008): rules and label selectors.

#include "k8s/sim/admission.hpp"
#include "k8s/sim/jose.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;

namespace {

json::object obj(const char* text) {
  return json::parse(text).as_object();
}

kc::sim::admission_attributes pods(const char* op, const char* sub = "") {
  kc::sim::admission_attributes a;
  a.operation = op;
  a.version = "v1";
  a.resource = "pods";
  a.subresource = sub;
  return a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(admission)

BOOST_AUTO_TEST_CASE(rules_match_operations_groups_resources_and_scope) {
  auto rule = obj(R"({"operations":["CREATE","UPDATE"],"apiGroups":[""],
                      "apiVersions":["v1"],"resources":["pods"]})");
  BOOST_TEST(kc::sim::admission_rule_matches(rule, pods("CREATE")));
  BOOST_TEST(!kc::sim::admission_rule_matches(rule, pods("DELETE")));
  BOOST_TEST(!kc::sim::admission_rule_matches(rule, pods("CREATE", "status")));
  auto a = pods("CREATE");
  a.group = "apps";
  BOOST_TEST(!kc::sim::admission_rule_matches(rule, a));
  auto all = obj(R"({"operations":["*"],"apiGroups":["*"],
                     "apiVersions":["*"],"resources":["*"]})");
  BOOST_TEST(kc::sim::admission_rule_matches(all, pods("DELETE")));
  // "*" matches resources only; "*/*" subresources too; "pods/*" all of pods.
  BOOST_TEST(!kc::sim::admission_rule_matches(all, pods("UPDATE", "status")));
  auto subs = obj(R"({"operations":["*"],"apiGroups":["*"],
                      "apiVersions":["*"],"resources":["*/*"]})");
  BOOST_TEST(kc::sim::admission_rule_matches(subs, pods("UPDATE", "status")));
  auto pod_subs = obj(R"({"operations":["*"],"apiGroups":[""],
                          "apiVersions":["v1"],"resources":["pods/status"]})");
  BOOST_TEST(kc::sim::admission_rule_matches(pod_subs,
                                             pods("UPDATE", "status")));
  BOOST_TEST(!kc::sim::admission_rule_matches(pod_subs, pods("UPDATE")));
  auto cluster = obj(R"({"operations":["*"],"apiGroups":["*"],
                         "apiVersions":["*"],"resources":["*"],
                         "scope":"Cluster"})");
  BOOST_TEST(!kc::sim::admission_rule_matches(cluster, pods("CREATE")));
  a = pods("CREATE");
  a.namespaced = false;
  BOOST_TEST(kc::sim::admission_rule_matches(cluster, a));
}

BOOST_AUTO_TEST_CASE(label_selectors) {
  auto labels = obj(R"({"app":"web","tier":"front"})");
  auto sel = [](const char* t) { return obj(t); };
  BOOST_TEST(kc::sim::label_selector_matches(nullptr, &labels));
  auto s = sel(R"({})");
  BOOST_TEST(kc::sim::label_selector_matches(&s, nullptr));
  s = sel(R"({"matchLabels":{"app":"web"}})");
  BOOST_TEST(kc::sim::label_selector_matches(&s, &labels));
  BOOST_TEST(!kc::sim::label_selector_matches(&s, nullptr));
  s = sel(R"({"matchLabels":{"app":"db"}})");
  BOOST_TEST(!kc::sim::label_selector_matches(&s, &labels));
  s = sel(R"({"matchExpressions":[{"key":"tier","operator":"In",
             "values":["front","back"]},{"key":"x","operator":"DoesNotExist"}]})");
  BOOST_TEST(kc::sim::label_selector_matches(&s, &labels));
  s = sel(R"({"matchExpressions":[{"key":"tier","operator":"NotIn",
             "values":["front"]}]})");
  BOOST_TEST(!kc::sim::label_selector_matches(&s, &labels));
  s = sel(R"({"matchExpressions":[{"key":"app","operator":"Exists"}]})");
  BOOST_TEST(kc::sim::label_selector_matches(&s, &labels));
}

BOOST_AUTO_TEST_CASE(base64_round_trips) {
  std::string out;
  BOOST_TEST(kc::sim::base64_std_encode("hello?>") == "aGVsbG8/Pg==");
  BOOST_TEST(kc::sim::base64url_encode("hello?>") == "aGVsbG8_Pg");
  BOOST_TEST(kc::sim::base64url_decode("aGVsbG8_Pg", out));
  BOOST_TEST(out == "hello?>");
  BOOST_TEST(kc::sim::base64_std_decode("aGVs\nbG8=", out));
  BOOST_TEST(out == "hello");
  BOOST_TEST(!kc::sim::base64_std_decode("a$b=", out));
}

BOOST_AUTO_TEST_SUITE_END()
