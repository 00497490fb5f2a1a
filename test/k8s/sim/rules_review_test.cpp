// kc-test-labels: integration
// SelfSubjectRulesReview from RBAC and the review kinds' field validation
// against their OpenAPI schemas (ADR 0007).

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using kc::test::http_result;
using kc::test::sim_client;

namespace {

struct fixture {
  fixture() {
    srv = kc::test::started_server();
  }

  http_result admin(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& h = {}) {
    sim_client c{*srv};
    return c.request(method, target, body, h);
  }

  std::unique_ptr<kc::sim::server> srv;
};

const char* ssrr_path
  = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
const char* rbac_ns = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";
const std::map<std::string, std::string> as_robot{
  {"Impersonate-User", "system:serviceaccount:default:robot"}};

std::string ssrr(const std::string& ns) {
  return R"({"apiVersion":"authorization.k8s.io/v1",
    "kind":"SelfSubjectRulesReview","spec":{"namespace":")"
         + ns + "\"}}";
}

/// The resourceRules entry whose resources contain `res`, or null.
const json::object* rule_for(const json::value& review, const char* res) {
  for (auto& r : review.at("status").at("resourceRules").as_array())
    for (auto& x : r.at("resources").as_array())
      if (x.as_string() == res)
        return &r.as_object();
  return nullptr;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(rules_review, fixture)

BOOST_AUTO_TEST_CASE(rules_of_a_service_account_from_rbac) {
  auto r = admin("POST", ssrr_path, ssrr("default"), as_robot);
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  auto v = r.json();
  BOOST_TEST(v.at("kind").as_string() == "SelfSubjectRulesReview");
  BOOST_TEST(v.at("spec").at("namespace").as_string() == "default");
  BOOST_TEST(v.at("status").at("incomplete").as_bool() == false);
  // system:basic-user: the reviews; no pods yet.
  BOOST_TEST(rule_for(v, "selfsubjectrulesreviews") != nullptr);
  BOOST_TEST(rule_for(v, "pods") == nullptr);
  BOOST_TEST(!v.at("status").at("nonResourceRules").as_array().empty());

  BOOST_REQUIRE(admin("POST", std::string(rbac_ns) + "/roles",
                      R"({"metadata":{"name":"reader"},"rules":[
      {"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]},
      {"apiGroups":[""],"resources":["configmaps"],
       "resourceNames":["only"],"verbs":["*"]}]})")
                  .status
                == 201u);
  BOOST_REQUIRE(admin("POST", std::string(rbac_ns) + "/rolebindings",
                      R"({"metadata":{"name":"rb"},"roleRef":{"apiGroup":
      "rbac.authorization.k8s.io","kind":"Role","name":"reader"},
      "subjects":[{"kind":"ServiceAccount","name":"robot"},
                  {"kind":"ServiceAccount","name":"other"}]})")
                  .status
                == 201u);
  v = admin("POST", ssrr_path, ssrr("default"), as_robot).json();
  auto pods = rule_for(v, "pods");
  BOOST_REQUIRE(pods);
  BOOST_TEST(json::serialize(pods->at("verbs")) == R"(["get","list"])");
  BOOST_TEST(json::serialize(pods->at("apiGroups")) == R"([""])");
  BOOST_TEST(!pods->contains("resourceNames"));
  auto cms = rule_for(v, "configmaps");
  BOOST_REQUIRE(cms);
  BOOST_TEST(json::serialize(cms->at("resourceNames")) == R"(["only"])");
  // The RoleBinding is namespaced: another namespace has no pod rule.
  v = admin("POST", ssrr_path, ssrr("kube-system"), as_robot).json();
  BOOST_TEST(rule_for(v, "pods") == nullptr);
  // A binding to a missing role makes the answer incomplete.
  admin("POST", std::string(rbac_ns) + "/rolebindings",
        R"({"metadata":{"name":"gone"},"roleRef":{"apiGroup":
      "rbac.authorization.k8s.io","kind":"Role","name":"missing"},
      "subjects":[{"kind":"ServiceAccount","name":"robot"}]})");
  v = admin("POST", ssrr_path, ssrr("default"), as_robot).json();
  BOOST_TEST(v.at("status").at("incomplete").as_bool() == true);
  BOOST_TEST(v.at("status").at("evaluationError").as_string()
             == "role.rbac.authorization.k8s.io \"missing\" not found");
}

BOOST_AUTO_TEST_CASE(admin_gets_everything_and_namespace_is_required) {
  auto r = admin("POST", ssrr_path, ssrr("default"));
  BOOST_REQUIRE_MESSAGE(r.status == 201u, r.body);
  auto v = r.json();
  auto& first = v.at("status").at("resourceRules").at(0);
  BOOST_TEST(json::serialize(first)
             == R"({"verbs":["*"],"apiGroups":["*"],"resources":["*"]})");
  auto& nr = v.at("status").at("nonResourceRules").at(0);
  BOOST_TEST(json::serialize(nr)
             == R"({"verbs":["*"],"nonResourceURLs":["*"]})");
  r = admin("POST", ssrr_path, R"({"spec":{}})");
  BOOST_TEST(r.status == 400u);
  BOOST_TEST(r.json().at("message").as_string() == "no namespace on request");
  BOOST_TEST(admin("GET", ssrr_path).status == 405u);
}

BOOST_AUTO_TEST_CASE(review_bodies_are_checked_against_their_schema) {
  const std::string bad = R"({"spec":{"namespace":"default","bogus":1}})";
  auto r = admin("POST", std::string(ssrr_path) + "?fieldValidation=Strict",
                 bad);
  BOOST_TEST(r.status == 400u);
  BOOST_TEST(r.json().at("message").as_string()
             == "strict decoding error: unknown field \"spec.bogus\"");
  r = admin("POST", ssrr_path, bad); // Warn is the default
  BOOST_TEST(r.status == 201u);
  BOOST_TEST(r.headers["warning"].find("unknown field \\\"spec.bogus\\\"")
             != std::string::npos);
  r = admin("POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
            "?fieldValidation=Strict",
            R"({"spec":{"resourceAttributes":{"verb":"get","resource":"pods",
                "nope":true}}})");
  BOOST_TEST(r.status == 400u);
  BOOST_TEST(r.json().at("message").as_string()
             == "strict decoding error: unknown field "
                "\"spec.resourceAttributes.nope\"");
  // Wrong JSON types are rejected like the Go decoder does.
  r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
            R"({"spec":{"token":5}})");
  BOOST_TEST(r.status == 400u);
  r = admin("POST",
            "/api/v1/namespaces/default/serviceaccounts/default/token"
            "?fieldValidation=Strict",
            R"({"spec":{"audiences":["a"],"extra":1}})");
  BOOST_TEST(r.status == 400u);
  BOOST_TEST(r.json().at("message").as_string()
             == "strict decoding error: unknown field \"spec.extra\"");
  // The schemas are in the OpenAPI v3 documents (kubectl explain).
  auto doc = admin("GET", "/openapi/v3/apis/authorization.k8s.io/v1").json();
  auto& schemas = doc.at("components").at("schemas").as_object();
  for (auto k : {"SelfSubjectRulesReview", "SelfSubjectAccessReview",
                 "SubjectAccessReview", "LocalSubjectAccessReview",
                 "ResourceRule"})
    BOOST_TEST(schemas.contains(std::string("io.k8s.api.authorization.v1.")
                                + k),
               k);
  doc = admin("GET", "/openapi/v3/apis/authentication.k8s.io/v1").json();
  BOOST_TEST(doc.at("components").at("schemas").as_object().contains(
    "io.k8s.api.authentication.v1.TokenReview"));
}

BOOST_AUTO_TEST_SUITE_END()
