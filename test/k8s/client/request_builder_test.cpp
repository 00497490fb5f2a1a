#include "k8s/client/request_builder.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace kc::k8s;

namespace {

resource_ref cm(std::string ns = "default", std::string name = {}) {
  return {"", "v1", "configmaps", true, std::move(ns), std::move(name), {}};
}

resource_ref debuggers(std::string ns = "ops", std::string name = {}) {
  return {"kubecombo.io", "v1alpha1", "debuggers", true, std::move(ns),
          std::move(name), {}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(request_builder)

BOOST_AUTO_TEST_CASE(core_and_grouped_paths) {
  BOOST_TEST(resource_path(cm()) == "/api/v1/namespaces/default/configmaps");
  BOOST_TEST(resource_path(cm("default", "x")) == "/api/v1/namespaces/default/configmaps/x");
  BOOST_TEST(resource_path(cm("", "")) == "/api/v1/configmaps");
  BOOST_TEST(resource_path(debuggers("ops", "d1"))
             == "/apis/kubecombo.io/v1alpha1/namespaces/ops/debuggers/d1");
  resource_ref nodes{"", "v1", "nodes", false, "ignored", "n1", "status"};
  BOOST_TEST(resource_path(nodes) == "/api/v1/nodes/n1/status");
  resource_ref crds{"apiextensions.k8s.io", "v1", "customresourcedefinitions", false,
                    "", "", ""};
  BOOST_TEST(resource_path(crds) == "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
}

BOOST_AUTO_TEST_CASE(resource_type_conversion) {
  resource_type t;
  t.group = "apps";
  t.version = "v1";
  t.resource = "deployments";
  t.namespaced = true;
  auto r = resource_ref::of(t, "prod", "web");
  BOOST_TEST(resource_path(r) == "/apis/apps/v1/namespaces/prod/deployments/web");
}

BOOST_AUTO_TEST_CASE(names_are_escaped) {
  BOOST_TEST(resource_path(cm("default", "a b/c?d"))
             == "/api/v1/namespaces/default/configmaps/a%20b%2Fc%3Fd");
}

BOOST_AUTO_TEST_CASE(list_query_is_escaped) {
  request_options o;
  o.label_selector = "app in (a,b),tier!=x+y";
  o.field_selector = "metadata.name=n&x=1";
  o.limit = 50;
  o.resource_version = "0";
  auto req = make_list(cm(), o);
  BOOST_TEST(req.target
             == "/api/v1/namespaces/default/configmaps?labelSelector=app%20in%20%28a%2Cb%29%2C"
                "tier%21%3Dx%2By&fieldSelector=metadata.name%3Dn%26x%3D1"
                "&resourceVersion=0&limit=50");
}

BOOST_AUTO_TEST_CASE(watch_query) {
  request_options o;
  o.resource_version = "42";
  o.allow_watch_bookmarks = true;
  o.timeout_seconds = 300;
  o.limit = 5; // not for watches
  auto req = make_watch(cm("ns1", "only"), o);
  BOOST_TEST(req.target
             == "/api/v1/namespaces/ns1/configmaps?watch=true&allowWatchBookmarks=true"
                "&timeoutSeconds=300&fieldSelector=metadata.name%3Donly&resourceVersion=42");
}

BOOST_AUTO_TEST_CASE(write_queries_and_bodies) {
  request_options o;
  o.field_manager = "kubecombo";
  o.field_validation = "Strict";
  o.dry_run = true;
  boost::json::object obj{{"kind", "ConfigMap"}};
  auto c = make_create(cm("default", "ignored"), obj, o);
  BOOST_TEST(c.target
             == "/api/v1/namespaces/default/configmaps?dryRun=All&fieldManager=kubecombo"
                "&fieldValidation=Strict");
  BOOST_TEST(to_string(c.verb) == std::string("POST"));
  BOOST_TEST(c.content_type == "application/json");
  BOOST_TEST(c.body == R"({"kind":"ConfigMap"})");

  auto s = make_update_status(debuggers("ops", "d1"), obj);
  BOOST_TEST(s.target == "/apis/kubecombo.io/v1alpha1/namespaces/ops/debuggers/d1/status");
  BOOST_TEST(to_string(s.verb) == std::string("PUT"));
}

BOOST_AUTO_TEST_CASE(patch_flavours) {
  request_options o;
  o.field_manager = "kc";
  o.force = true;
  auto p = make_patch(cm("default", "x"), patch_type::apply, "kind: ConfigMap\n", o);
  BOOST_TEST(p.content_type == "application/apply-patch+yaml");
  BOOST_TEST(p.target == "/api/v1/namespaces/default/configmaps/x?fieldManager=kc&force=true");
  BOOST_TEST(std::string(content_type_of(patch_type::merge)) == "application/merge-patch+json");
  BOOST_TEST(std::string(content_type_of(patch_type::json)) == "application/json-patch+json");
  BOOST_TEST(std::string(content_type_of(patch_type::strategic))
             == "application/strategic-merge-patch+json");
}

BOOST_AUTO_TEST_CASE(delete_options_body) {
  request_options o;
  o.propagation_policy = "Foreground";
  o.grace_period_seconds = 0;
  o.precondition_resource_version = "7";
  auto d = make_delete(cm("default", "x"), o);
  BOOST_TEST(to_string(d.verb) == std::string("DELETE"));
  auto v = boost::json::parse(d.body).as_object();
  BOOST_TEST(v.at("kind").as_string() == "DeleteOptions");
  BOOST_TEST(v.at("propagationPolicy").as_string() == "Foreground");
  BOOST_TEST(v.at("gracePeriodSeconds").as_int64() == 0);
  BOOST_TEST(v.at("preconditions").as_object().at("resourceVersion").as_string() == "7");
}

BOOST_AUTO_TEST_SUITE_END()
