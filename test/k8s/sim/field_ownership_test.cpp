// Field sets and server-side apply without a server (ADR 0006): leaf paths,
// fieldsV1 round trip, removal, conflict Status, force, Update ownership;
// strategic merge keys of k8s.io/api.

#include "k8s/api/resource_type.hpp"
#include "k8s/sim/apply.hpp"
#include "k8s/sim/managed_fields.hpp"
#include "k8s/sim/patch.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::sim;

namespace {

json::object obj(const char* text) {
  return json::parse(text).as_object();
}

kc::k8s::resource_type configmaps() {
  kc::k8s::resource_type t;
  t.version = "v1";
  t.resource = "configmaps";
  t.kind = "ConfigMap";
  return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(field_ownership)

BOOST_AUTO_TEST_CASE(leaves_round_trip_and_paths) {
  auto pod = obj(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","labels":{"a":"b"}},
    "spec":{"containers":[{"name":"c","image":"i","args":["x"]}]}})");
  auto s = leaves_of(pod, true, false);
  field_set want{
    {"f:metadata", "f:labels", "f:a"},
    {"f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:name"},
    {"f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:image"},
    {"f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:args"}};
  BOOST_TEST((s == want));
  auto enc = encode_fields(s);
  BOOST_TEST(json::serialize(enc.at("f:metadata"))
             == R"({".":{},"f:labels":{".":{},"f:a":{}}})");
  BOOST_TEST((decode_fields(enc) == s));
  BOOST_TEST(path_text({"f:spec", "f:containers", "k:{\"name\":\"c\"}",
                        "f:image"})
             == ".spec.containers[name=\"c\"].image");
  auto v = value_at(pod, {"f:spec", "f:containers", "k:{\"name\":\"c\"}",
                          "f:image"});
  BOOST_REQUIRE(v);
  BOOST_TEST(v->as_string() == "i");
  // Removing the last fields of an item removes the item.
  remove_path(pod, {"f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:args"});
  remove_path(pod, {"f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:image"});
  // ... and the maps it leaves empty.
  BOOST_TEST(!pod.contains("spec"));
}

BOOST_AUTO_TEST_CASE(apply_conflicts_force_and_removal) {
  auto t = configmaps();
  auto first = server_side_apply(
    t, nullptr, obj(R"({"metadata":{"name":"x"},"data":{"a":"1","b":"1"}})"),
    "one", false, false);
  BOOST_REQUIRE(std::holds_alternative<json::object>(first));
  auto live = std::get<json::object>(first);
  // Same value: shared, no conflict.
  auto shared = server_side_apply(
    t, &live, obj(R"({"metadata":{"name":"x"},"data":{"a":"1"}})"), "two",
    false, false);
  BOOST_REQUIRE(std::holds_alternative<json::object>(shared));
  live = std::get<json::object>(shared);
  // Different value: 409 with one cause per field.
  auto clash = server_side_apply(
    t, &live, obj(R"({"metadata":{"name":"x"},"data":{"a":"2","b":"2"}})"),
    "two", false, false);
  BOOST_REQUIRE(std::holds_alternative<api_response>(clash));
  auto& resp = std::get<api_response>(clash);
  BOOST_TEST(resp.code == 409u);
  auto st = json::parse(resp.body).as_object();
  BOOST_TEST(st.at("message").as_string()
             == "Apply failed with 2 conflicts: conflicts with \"one\":\n"
                "- .data.a\n- .data.b");
  BOOST_TEST(st.at("details").at("causes").as_array().size() == 2u);
  // force takes both; "one" then stops applying b: b stays (now "two"'s).
  auto forced = server_side_apply(
    t, &live, obj(R"({"metadata":{"name":"x"},"data":{"a":"2","b":"2"}})"),
    "two", true, false);
  BOOST_REQUIRE(std::holds_alternative<json::object>(forced));
  live = std::get<json::object>(forced);
  auto again = server_side_apply(t, &live,
                                 obj(R"({"metadata":{"name":"x"},"data":{}})"),
                                 "two", false, false);
  live = std::get<json::object>(again);
  // "two" owned a and b alone after the force: both removed.
  BOOST_TEST(json::serialize(live.at("data")) == "{}");
}

BOOST_AUTO_TEST_CASE(update_takes_changed_fields) {
  auto t = configmaps();
  auto old = std::get<json::object>(server_side_apply(
    t, nullptr, obj(R"({"metadata":{"name":"x"},"data":{"a":"1"}})"), "app",
    false, false));
  auto next = old;
  next["data"].as_object()["a"] = "2";
  record_update(t, &old, next, "editor", false);
  auto mf = next.at("metadata").at("managedFields").as_array();
  BOOST_REQUIRE(mf.size() == 1u); // "app" lost its only field
  BOOST_TEST(mf[0].at("manager").as_string() == "editor");
  BOOST_TEST(mf[0].at("operation").as_string() == "Update");
  // No change: managedFields stay as they are.
  auto same = next;
  record_update(t, &next, same, "other", false);
  BOOST_TEST((same == next));
}

BOOST_AUTO_TEST_CASE(strategic_merge_keys) {
  json::value pod = obj(R"({"metadata":{"finalizers":["a"]},"spec":{
    "containers":[{"name":"c","volumeMounts":[{"name":"v","mountPath":"/a"}],
      "ports":[{"containerPort":80}]}],
    "tolerations":[{"key":"k1"}]}})");
  strategic_merge_patch(pod, obj(R"({"metadata":{"finalizers":["b"]},"spec":{
    "containers":[{"name":"c","volumeMounts":[{"name":"v","mountPath":"/b"}],
      "ports":[{"containerPort":81}]}],
    "tolerations":[{"key":"k2"}]}})"));
  auto& c = pod.at("spec").at("containers").at(0);
  BOOST_TEST(c.at("volumeMounts").as_array().size() == 2u);
  BOOST_TEST(c.at("ports").as_array().size() == 2u);
  BOOST_TEST(json::serialize(pod.at("spec").at("tolerations"))
             == R"([{"key":"k2"}])");
  BOOST_TEST(json::serialize(pod.at("metadata").at("finalizers"))
             == R"(["a","b"])");
  strategic_merge_patch(
    pod, obj(R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})"));
  BOOST_TEST(json::serialize(pod.at("metadata").at("finalizers"))
             == R"(["b"])");
  json::value svc = obj(R"({"spec":{"ports":[{"port":80,"name":"h"}]}})");
  strategic_merge_patch(svc,
                        obj(R"({"spec":{"ports":[{"port":80,"name":"web"}]}})"));
  BOOST_TEST(json::serialize(svc.at("spec").at("ports"))
             == R"([{"port":80,"name":"web"}])");
}

// kubectl apply switching a webhook's clientConfig from url to service
// sends only the changed fields of the item (webhooks merge on name): the
// other fields stay and `url: null` removes url instead of being stored.
BOOST_AUTO_TEST_CASE(webhooks_merge_on_name) {
  json::value vwc = obj(R"({"webhooks":[{"name":"a.x","failurePolicy":"Fail",
    "rules":[{"operations":["CREATE"]}],"clientConfig":{"url":"https://h/a"}},
    {"name":"b.x","clientConfig":{"url":"https://h/b"}}]})");
  strategic_merge_patch(vwc, obj(R"({"$setElementOrder/webhooks":[
    {"name":"a.x"},{"name":"b.x"}],"webhooks":[{"name":"a.x",
    "clientConfig":{"service":{"name":"s","namespace":"n"},"url":null}}]})"));
  auto& w = vwc.at("webhooks").as_array();
  BOOST_REQUIRE(w.size() == 2u);
  BOOST_TEST(json::serialize(w[0].at("clientConfig"))
             == R"({"service":{"name":"s","namespace":"n"}})");
  BOOST_TEST(w[0].at("failurePolicy").as_string() == "Fail");
  BOOST_TEST(w[0].at("rules").as_array().size() == 1u);
  BOOST_TEST(w[1].at("clientConfig").at("url").as_string() == "https://h/b");
  json::array items;
  BOOST_TEST(list_merge_key("webhooks", items) == std::string("name"));
}

BOOST_AUTO_TEST_SUITE_END()
