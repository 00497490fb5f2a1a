// kc-test-labels: integration
// ServiceAccount tokens, RBAC, impersonation and access reviews (ADR 0007).

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/rbac.hpp"
#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using kc::test::auth;
using kc::test::http_result;
using kc::test::sim_client;

namespace {

struct fixture {
  fixture() {
    srv = kc::test::started_server();
  }

  /// A request as ServiceAccount token `tok`.
  http_result as(const std::string& tok, const std::string& method,
                 const std::string& target, const std::string& body = "") {
    sim_client c{*srv, auth::none};
    return c.request(method, target, body,
                     {{"Authorization", "Bearer " + tok}});
  }

  http_result admin(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& h = {}) {
    sim_client c{*srv};
    return c.request(method, target, body, h);
  }

  std::unique_ptr<kc::sim::server> srv;
};

std::string msg(const http_result& r) {
  auto v = r.json();
  if (!v.is_object() || !v.as_object().contains("message"))
    return "<no message: " + r.body + ">";
  return std::string(v.as_object().at("message").as_string());
}

const char* role_rb = R"({"apiVersion":"rbac.authorization.k8s.io/v1",
  "kind":"Role","metadata":{"name":"reader"},"rules":[
  {"apiGroups":[""],"resources":["pods","pods/log"],"verbs":["get","list"]},
  {"apiGroups":[""],"resources":["configmaps"],"resourceNames":["only"],
   "verbs":["*"]}]})";

const char* binding_rb = R"({"apiVersion":"rbac.authorization.k8s.io/v1",
  "kind":"RoleBinding","metadata":{"name":"read-pods"},
  "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role",
  "name":"reader"},"subjects":[{"kind":"ServiceAccount","name":"default"}]})";

const char* rbac_ns = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";

} // namespace

BOOST_FIXTURE_TEST_SUITE(rbac, fixture)

BOOST_AUTO_TEST_CASE(rule_matching) {
  kc::sim::authz_attributes a;
  a.verb = "get";
  a.resource = "pods";
  a.subresource = "log";
  a.name = "p";
  auto rule = [](const char* text) {
    return json::parse(text).as_object();
  };
  BOOST_TEST(kc::sim::rule_allows(
    rule(R"({"apiGroups":[""],"resources":["pods/log"],"verbs":["get"]})"),
    a));
  BOOST_TEST(!kc::sim::rule_allows(
    rule(R"({"apiGroups":[""],"resources":["pods"],"verbs":["get"]})"), a));
  BOOST_TEST(kc::sim::rule_allows(
    rule(R"({"apiGroups":["*"],"resources":["*/log"],"verbs":["*"]})"), a));
  BOOST_TEST(!kc::sim::rule_allows(
    rule(R"({"apiGroups":[""],"resources":["pods/log"],"verbs":["get"],
             "resourceNames":["q"]})"),
    a));
  BOOST_TEST(!kc::sim::rule_allows(
    rule(R"({"apiGroups":["apps"],"resources":["pods/log"],"verbs":["get"]})"),
    a));
  kc::sim::authz_attributes u;
  u.resource_request = false;
  u.verb = "get";
  u.path = "/apis/apps/v1";
  BOOST_TEST(kc::sim::rule_allows(
    rule(R"({"nonResourceURLs":["/apis/*"],"verbs":["get"]})"), u));
  BOOST_TEST(!kc::sim::rule_allows(
    rule(R"({"nonResourceURLs":["/api/*"],"verbs":["get"]})"), u));
  BOOST_TEST(!kc::sim::rule_allows(
    rule(R"({"apiGroups":["*"],"resources":["*"],"verbs":["*"]})"), u));
}

BOOST_AUTO_TEST_CASE(token_authenticates_and_rbac_decides) {
  auto tok = srv->issue_token("default", "default");
  BOOST_REQUIRE(!tok.empty());
  BOOST_TEST(srv->issue_token("default", "nobody").empty());
  // Discovery and version are open to every authenticated user.
  BOOST_TEST(as(tok, "GET", "/api").status == 200u);
  BOOST_TEST(as(tok, "GET", "/apis").status == 200u);
  BOOST_TEST(as(tok, "GET", "/api/v1").status == 200u);
  BOOST_TEST(as(tok, "GET", "/version").status == 200u);
  auto r = as(tok, "GET", "/api/v1/namespaces/default/pods");
  BOOST_TEST(r.status == 403u);
  BOOST_TEST(msg(r)
             == "pods is forbidden: User \"system:serviceaccount:default:"
                "default\" cannot list resource \"pods\" in API group \"\" in "
                "the namespace \"default\"");
  auto v = r.json().as_object();
  BOOST_TEST(v["reason"].as_string() == "Forbidden");
  BOOST_TEST(v["code"].as_int64() == 403);
  BOOST_TEST(json::serialize(v["details"]) == R"({"kind":"pods"})");
  r = as(tok, "GET", "/api/v1/nodes");
  BOOST_TEST(msg(r)
             == "nodes is forbidden: User \"system:serviceaccount:default:"
                "default\" cannot list resource \"nodes\" in API group \"\" "
                "at the cluster scope");
  r = as(tok, "GET", "/apis/apps/v1/namespaces/default/deployments/d");
  BOOST_TEST(msg(r)
             == "deployments.apps \"d\" is forbidden: User \"system:"
                "serviceaccount:default:default\" cannot get resource "
                "\"deployments\" in API group \"apps\" in the namespace "
                "\"default\"");
  BOOST_TEST(json::serialize(r.json().at("details"))
             == R"({"name":"d","group":"apps","kind":"deployments"})");
  r = as(tok, "GET", "/openapi/v3/x");
  BOOST_TEST(r.status != 403u);
  // A binding to a missing role is reported like the apiserver does.
  BOOST_TEST(admin("POST", std::string(rbac_ns) + "/rolebindings",
                   binding_rb)
               .status
             == 201u);
  r = as(tok, "GET", "/api/v1/namespaces/default/pods");
  BOOST_TEST(msg(r).find(": RBAC: role.rbac.authorization.k8s.io \"reader\" "
                         "not found")
             != std::string::npos);
  BOOST_TEST(admin("POST", std::string(rbac_ns) + "/roles", role_rb).status
             == 201u);
  BOOST_TEST(as(tok, "GET", "/api/v1/namespaces/default/pods").status == 200u);
  BOOST_TEST(as(tok, "GET", "/api/v1/namespaces/kube-system/pods").status
             == 403u);
  BOOST_TEST(as(tok, "POST", "/api/v1/namespaces/default/pods", "{}").status
             == 403u);
  // resourceNames: only "only"; verbs "*".
  BOOST_TEST(admin("POST", "/api/v1/namespaces/default/configmaps",
                   R"({"metadata":{"name":"only"}})")
               .status
             == 201u);
  BOOST_TEST(as(tok, "GET", "/api/v1/namespaces/default/configmaps/only")
               .status
             == 200u);
  BOOST_TEST(as(tok, "DELETE", "/api/v1/namespaces/default/configmaps/only")
               .status
             == 200u);
  BOOST_TEST(as(tok, "GET", "/api/v1/namespaces/default/configmaps").status
             == 403u);
  // Deleting the ServiceAccount invalidates its tokens.
  BOOST_TEST(admin("DELETE", "/api/v1/namespaces/default/serviceaccounts/"
                             "default")
               .status
             == 200u);
  BOOST_TEST(as(tok, "GET", "/api").status == 401u);
  BOOST_TEST(as("abc.def.ghi", "GET", "/api").status == 401u);
}

BOOST_AUTO_TEST_CASE(token_request_subresource) {
  auto r = admin("POST",
                 "/api/v1/namespaces/default/serviceaccounts/default/token",
                 R"({"apiVersion":"authentication.k8s.io/v1",
                     "kind":"TokenRequest","spec":{"expirationSeconds":7200}})");
  BOOST_REQUIRE(r.status == 201u);
  auto v = r.json().as_object();
  BOOST_TEST(v["kind"].as_string() == "TokenRequest");
  BOOST_TEST(v["spec"].at("expirationSeconds").as_int64() == 7200);
  std::string tok(v["status"].at("token").as_string());
  BOOST_TEST(as(tok, "GET", "/version").status == 200u);
  auto who = as(tok, "POST", "/apis/authentication.k8s.io/v1/"
                             "selfsubjectreviews",
                R"({"apiVersion":"authentication.k8s.io/v1",
                    "kind":"SelfSubjectReview"})");
  BOOST_REQUIRE(who.status == 201u);
  auto ui = who.json().at("status").at("userInfo");
  BOOST_TEST(ui.at("username").as_string()
             == "system:serviceaccount:default:default");
  BOOST_TEST(json::serialize(ui.at("groups"))
             == R"(["system:serviceaccounts","system:serviceaccounts:default",)"
                R"("system:authenticated"])");
  r = admin("POST", "/api/v1/namespaces/default/serviceaccounts/nope/token",
            "{}");
  BOOST_TEST(r.status == 404u);
  r = admin("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
            R"({"spec":{"expirationSeconds":10}})");
  BOOST_TEST(r.status == 422u);
  BOOST_TEST(msg(r).find("may not specify a duration less than 10 minutes")
             != std::string::npos);
  // The SA itself may not ask for more tokens without RBAC.
  r = as(tok, "POST", "/api/v1/namespaces/default/serviceaccounts/default/"
                      "token",
         "{}");
  BOOST_TEST(msg(r)
             == "serviceaccounts \"default\" is forbidden: User \"system:"
                "serviceaccount:default:default\" cannot create resource "
                "\"serviceaccounts/token\" in API group \"\" in the namespace "
                "\"default\"");
}

BOOST_AUTO_TEST_CASE(impersonation_and_access_reviews) {
  const std::string ssar
    = R"({"apiVersion":"authorization.k8s.io/v1",
          "kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":
          {"namespace":"default","verb":"list","resource":"pods"}}})";
  const char* path
    = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  std::map<std::string, std::string> imp{
    {"Impersonate-User", "system:serviceaccount:default:default"}};
  auto r = admin("POST", path, ssar, imp);
  BOOST_REQUIRE(r.status == 201u);
  BOOST_TEST(r.json().at("status").at("allowed").as_bool() == false);
  admin("POST", std::string(rbac_ns) + "/roles", role_rb);
  admin("POST", std::string(rbac_ns) + "/rolebindings", binding_rb);
  r = admin("POST", path, ssar, imp);
  BOOST_TEST(r.json().at("status").at("allowed").as_bool() == true);
  BOOST_TEST(r.json().at("status").at("reason").as_string()
             == "RBAC: allowed by RoleBinding \"read-pods/default\" of Role "
                "\"reader\" to ServiceAccount \"default/default\"");
  // Admin without impersonation: allowed (system:masters).
  r = admin("POST", path, ssar);
  BOOST_TEST(r.json().at("status").at("allowed").as_bool() == true);
  // SubjectAccessReview for a user.
  r = admin("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            R"({"spec":{"user":"system:serviceaccount:default:default",
                "resourceAttributes":{"namespace":"default","verb":"delete",
                "resource":"pods"}}})");
  BOOST_REQUIRE(r.status == 201u);
  BOOST_TEST(r.json().at("status").at("allowed").as_bool() == false);
  r = admin("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            R"({"spec":{"user":"x"}})");
  BOOST_TEST(r.status == 422u);
  // Impersonated requests are authorized as the impersonated user.
  r = admin("GET", "/api/v1/namespaces/default/secrets", "", imp);
  BOOST_TEST(msg(r).find("cannot list resource \"secrets\"")
             != std::string::npos);
  BOOST_TEST(admin("GET", "/api/v1/namespaces/default/pods", "", imp).status
             == 200u);
  // A ServiceAccount may not impersonate.
  auto tok = srv->issue_token("default", "default");
  sim_client c{*srv, auth::none};
  r = c.request("GET", "/api", "",
                {{"Authorization", "Bearer " + tok},
                 {"Impersonate-User", "bob"}});
  BOOST_TEST(msg(r)
             == "users \"bob\" is forbidden: User \"system:serviceaccount:"
                "default:default\" cannot impersonate resource \"users\" in "
                "API group \"\" at the cluster scope");
  // Other verbs on a review: 405.
  BOOST_TEST(admin("GET", path).status == 405u);
}

BOOST_AUTO_TEST_SUITE_END()
