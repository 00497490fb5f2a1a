#include "k8s/api/openapi.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

namespace json = boost::json;
using namespace kc::k8s;

namespace {

json::object debugger_crd(const std::string& extra_version = "") {
  return json::parse(R"({"metadata":{"name":"debuggers.vpn-gw.kubecombo.com"},
    "spec":{"group":"vpn-gw.kubecombo.com","scope":"Namespaced",
    "names":{"plural":"debuggers","kind":"Debugger"},
    "versions":[{"name":"v1","served":true,"storage":true,
      "schema":{"openAPIV3Schema":{"type":"object","properties":{
        "spec":{"type":"object","description":"Debugger spec.",
                "properties":{"nodeName":{"type":"string"}}}}}}})"
                     + extra_version + "]}}")
    .as_object();
}

/// Every "$ref" in `v` resolves inside `schemas`.
void check_refs(const json::value& v, const json::object& schemas) {
  if (auto o = v.if_object()) {
    for (auto& [k, c] : *o) {
      if (k == "$ref") {
        std::string_view r = c.as_string();
        BOOST_TEST(schemas.contains(r.substr(21)), r);
      } else {
        check_refs(c, schemas);
      }
    }
  } else if (auto a = v.if_array()) {
    for (auto& c : *a)
      check_refs(c, schemas);
  }
}

/// The PATCH op for `kind` in a GV document, or null.
const json::object* patch_for(const json::object& doc, const std::string& kind) {
  for (auto& [path, item] : doc.at("paths").as_object()) {
    auto p = item.as_object().if_contains("patch");
    if (p && p->at("x-kubernetes-group-version-kind").at("kind").as_string() == kind)
      return &p->as_object();
  }
  return nullptr;
}

} // namespace

BOOST_AUTO_TEST_SUITE(openapi)

BOOST_AUTO_TEST_CASE(index_lists_every_group_version) {
  kc::k8s::resource_registry reg;
  auto idx = openapi_index(reg).as_object();
  auto& paths = idx.at("paths").as_object();
  std::set<std::string> want{"api/v1",
                             "apis/apps/v1",
                             "apis/events.k8s.io/v1",
                             "apis/coordination.k8s.io/v1",
                             "apis/rbac.authorization.k8s.io/v1",
                             "apis/admissionregistration.k8s.io/v1",
                             "apis/apiextensions.k8s.io/v1",
                             "apis/authentication.k8s.io/v1",
                             "apis/authorization.k8s.io/v1"};
  BOOST_TEST(paths.size() == want.size());
  for (auto& w : want)
    BOOST_TEST(paths.contains(w), w);
  std::string url(paths.at("apis/apps/v1").at("serverRelativeURL").as_string());
  BOOST_TEST(url.rfind("/openapi/v3/apis/apps/v1?hash=", 0) == 0);
  BOOST_REQUIRE(reg.apply_crd(debugger_crd()) == "");
  auto idx2 = openapi_index(reg).as_object();
  BOOST_TEST(idx2.at("paths").as_object().contains(
    "apis/vpn-gw.kubecombo.com/v1"));
  BOOST_TEST(idx2.at("paths").at("apis/apps/v1").at("serverRelativeURL").as_string() != url);
}

BOOST_AUTO_TEST_CASE(group_version_documents_have_patch_ops) {
  kc::k8s::resource_registry reg;
  auto doc = openapi_group_version(reg, "", "v1").as_object();
  BOOST_TEST(doc.at("openapi") == "3.0.0");
  auto ns = patch_for(doc, "Namespace");
  BOOST_REQUIRE(ns);
  BOOST_TEST(doc.at("paths").as_object().contains("/api/v1/namespaces/{name}"));
  auto cm = patch_for(doc, "ConfigMap");
  BOOST_REQUIRE(cm);
  BOOST_TEST(!cm->contains("requestBody"));
  bool has_fv = false;
  for (auto& p : cm->at("parameters").as_array())
    has_fv = has_fv
             || (p.at("name") == "fieldValidation" && p.at("in") == "query");
  BOOST_TEST(has_fv);
  BOOST_TEST(doc.at("paths").as_object().contains(
    "/api/v1/namespaces/{namespace}/configmaps/{name}"));
  auto& schemas = doc.at("components").at("schemas").as_object();
  auto& cms = schemas.at("io.k8s.api.core.v1.ConfigMap").as_object();
  BOOST_TEST(cms.at("x-kubernetes-group-version-kind").at(0).at("kind")
             == "ConfigMap");
  BOOST_TEST(schemas.contains("io.k8s.api.core.v1.Container"));
  check_refs(doc, schemas);
  auto apps = openapi_group_version(reg, "apps", "v1").as_object();
  BOOST_TEST(patch_for(apps, "Deployment"));
  BOOST_TEST(patch_for(apps, "DaemonSet"));
  check_refs(apps, apps.at("components").at("schemas").as_object());
  for (auto g : {"events.k8s.io", "coordination.k8s.io",
                 "rbac.authorization.k8s.io", "admissionregistration.k8s.io",
                 "apiextensions.k8s.io"}) {
    auto d = openapi_group_version(reg, g, "v1");
    BOOST_REQUIRE(d.is_object());
    auto& s = d.at("components").at("schemas").as_object();
    check_refs(d, s);
    for (auto& [path, item] : d.at("paths").as_object()) {
      auto& gvk = item.at("patch").at("x-kubernetes-group-version-kind");
      bool found = false;
      for (auto& [n, schema] : s)
        if (auto x = schema.as_object().if_contains(
              "x-kubernetes-group-version-kind"))
          found = found || x->at(0).at("kind") == gvk.at("kind");
      BOOST_TEST(found, path);
    }
  }
  BOOST_TEST(openapi_group_version(reg, "apps", "v9").is_null());
}

BOOST_AUTO_TEST_CASE(custom_resources_get_explainable_schemas) {
  kc::k8s::resource_registry reg;
  BOOST_REQUIRE(reg.apply_crd(debugger_crd()) == "");
  auto doc = openapi_group_version(reg, "vpn-gw.kubecombo.com", "v1")
               .as_object();
  auto op = patch_for(doc, "Debugger");
  BOOST_REQUIRE(op);
  BOOST_TEST(doc.at("paths").as_object().contains(
    "/apis/vpn-gw.kubecombo.com/v1/namespaces/{namespace}/debuggers/{name}"));
  auto& schemas = doc.at("components").at("schemas").as_object();
  auto& s = schemas.at("com.kubecombo.vpn-gw.v1.Debugger").as_object();
  BOOST_TEST(s.at("x-kubernetes-group-version-kind").at(0).at("group")
             == "vpn-gw.kubecombo.com");
  BOOST_TEST(s.at("properties").at("spec").at("description")
             == "Debugger spec.");
  BOOST_TEST(s.at("properties").as_object().contains("metadata"));
  check_refs(doc, schemas);
}

BOOST_AUTO_TEST_SUITE_END()
