#include "k8s/api/validation.hpp"

#include "k8s/api/resource_registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace json = boost::json;
using namespace kc::k8s;

namespace {

struct fixture {
  kc::k8s::resource_registry reg;
  resource_type_ptr crd_type;

  fixture() {
    auto crd = json::parse(R"({
      "metadata": {"name": "debuggers.vpn-gw.kubecombo.com"},
      "spec": {"group": "vpn-gw.kubecombo.com", "scope": "Namespaced",
        "names": {"plural": "debuggers", "kind": "Debugger"},
        "versions": [{"name": "v1", "served": true, "storage": true,
          "schema": {"openAPIV3Schema": {
            "type": "object",
            "properties": {
              "metadata": {"type": "object",
                           "properties": {"name": {"maxLength": 3}}},
              "spec": {"type": "object", "required": ["workloadType"],
                "properties": {
                  "workloadType": {"type": "string",
                                   "enum": ["pod", "daemonset"]},
                  "replicas": {"type": "integer", "minimum": 1,
                               "maximum": 10, "default": 1},
                  "name": {"type": "string", "pattern": "^[a-z]+$",
                           "maxLength": 5, "minLength": 2},
                  "port": {"x-kubernetes-int-or-string": true},
                  "ratio": {"type": "number", "exclusiveMinimum": true,
                            "minimum": 0},
                  "note": {"type": "string", "nullable": true},
                  "enabled": {"type": "boolean", "default": true},
                  "tags": {"type": "array", "maxItems": 2, "minItems": 1,
                           "items": {"type": "string"}},
                  "labels": {"type": "object",
                             "additionalProperties": {"type": "string"}},
                  "extra": {"type": "object",
                            "x-kubernetes-preserve-unknown-fields": true},
                  "template": {"type": "object",
                               "x-kubernetes-embedded-resource": true,
                               "properties": {"spec": {"type": "object"}}},
                  "targets": {"type": "array", "items": {"type": "object",
                    "properties": {"host": {"type": "string"}}}}
                }},
              "status": {"type": "object",
                         "x-kubernetes-preserve-unknown-fields": true}
            }}}}]}})").as_object();
    BOOST_REQUIRE(reg.apply_crd(crd) == "");
    crd_type = reg.find("vpn-gw.kubecombo.com", "v1", "debuggers");
    BOOST_REQUIRE(crd_type);
  }

  validation_result check(const std::string& kind_group_res,
                          const std::string& text, json::object* keep
                                                   = nullptr) {
    auto pos = kind_group_res.find('/');
    auto group = kind_group_res.substr(0, pos);
    auto res = kind_group_res.substr(pos + 1);
    auto t = group == "crd" ? crd_type
                            : reg.find(group, group.empty() || group == "apps"
                                                    ? "v1"
                                                    : "v1",
                                       res);
    BOOST_REQUIRE(t);
    auto obj = json::parse(text).as_object();
    auto r = validate_object(*t, obj);
    if (keep)
      *keep = obj;
    return r;
  }
};

bool has_unknown(const validation_result& r, const std::string& path) {
  return std::find(r.unknown_fields.begin(), r.unknown_fields.end(), path)
         != r.unknown_fields.end();
}

const field_error* error_at(const validation_result& r,
                            const std::string& field) {
  for (auto& e : r.errors)
    if (e.field == field)
      return &e;
  return nullptr;
}

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_FIXTURE_TEST_CASE(names_follow_the_kind_rules, fixture) {
  auto& cm = *reg.find("", "v1", "configmaps");
  BOOST_TEST(validate_name(cm, "a.b-c") == "");
  BOOST_TEST(
    validate_name(cm, "Foo")
    == "a lowercase RFC 1123 subdomain must consist of lower case "
       "alphanumeric characters, '-' or '.', and must start and end with an "
       "alphanumeric character (e.g. 'example.com', regex used for validation "
       "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  auto& ns = *reg.find("", "v1", "namespaces");
  BOOST_TEST(validate_name(ns, "a.b").find("RFC 1123 label") != std::string::npos);
  BOOST_TEST(validate_name(ns, std::string(64, 'a'))
               .find("must be no more than 63 characters")
             != std::string::npos);
  auto& svc = *reg.find("", "v1", "services");
  BOOST_TEST(validate_name(svc, "1abc").find("DNS-1035 label")
             != std::string::npos);
  auto& cr = *reg.find("rbac.authorization.k8s.io", "v1", "clusterroles");
  BOOST_TEST(validate_name(cr, "system:controller:x") == "");
  BOOST_TEST(validate_name(cr, "a/b") == "may not contain '/'");
  BOOST_TEST(validate_name(cm, std::string(300000, 'a')) != "");
}

BOOST_FIXTURE_TEST_CASE(metadata_is_checked, fixture) {
  auto r = check("/configmaps", R"({"metadata":{"name":"Bad",
    "labels":{"-x":"ok","y":"bad value"}, "annotations":{"a/b/c":"1"}}})");
  auto e = error_at(r, "metadata.name");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->reason == "FieldValueInvalid");
  BOOST_TEST(e->message.rfind("Invalid value: \"Bad\": a lowercase RFC 1123", 0)
             == 0);
  BOOST_TEST(std::count_if(r.errors.begin(), r.errors.end(), [](auto& x) {
               return x.field == "metadata.labels";
             }) == 2);
  BOOST_TEST(error_at(r, "metadata.annotations"));
  auto none = check("/configmaps", R"({"metadata":{}})");
  BOOST_REQUIRE(error_at(none, "metadata.name"));
  BOOST_TEST(error_at(none, "metadata.name")->message
             == "Required value: name or generateName is required");
  BOOST_TEST(check("/configmaps", R"({"metadata":{"generateName":"x-"}})")
               .errors.empty());
}

BOOST_FIXTURE_TEST_CASE(builtins_report_unknown_fields, fixture) {
  json::object kept;
  auto r = check("/configmaps",
                 R"({"apiVersion":"v1","kind":"ConfigMap",
                     "metadata":{"name":"a","labelz":{}},
                     "data":{"k":"v"},"datta":{"k":"v"}})",
                 &kept);
  BOOST_TEST(r.errors.empty());
  BOOST_TEST(has_unknown(r, "datta"));
  BOOST_TEST(has_unknown(r, "metadata.labelz"));
  BOOST_TEST(!kept.contains("datta"));
  BOOST_TEST(kept.at("data").at("k") == "v");
  auto pod = check("/pods", R"({"metadata":{"name":"p"},"spec":{
    "containers":[{"name":"c","image":"busybox","imagee":"x",
      "env":[{"name":"A","value":"1","valu":"2"}],
      "resources":{"limits":{"cpu":"1"}}}],
    "volumes":[{"name":"v","hostPath":{"path":"/x"},"nfs":{"server":"s"}}]},
    "status":{"phase":"Running","whatever":1}})");
  BOOST_TEST(pod.errors.empty());
  BOOST_TEST(has_unknown(pod, "spec.containers[0].imagee"));
  BOOST_TEST(has_unknown(pod, "spec.containers[0].env[0].valu"));
  BOOST_TEST(pod.unknown_fields.size() == 2u);
  auto deploy = check("apps/deployments", R"({"metadata":{"name":"d"},
    "spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},
    "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[
      {"name":"c","image":"i","port":[]}]}}}})");
  BOOST_TEST(has_unknown(deploy, "spec.template.spec.containers[0].port"));
  auto missing = check("apps/daemonsets", R"({"metadata":{"name":"d"},
    "spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}})");
  BOOST_TEST(error_at(missing, "spec.selector"));
  BOOST_TEST(error_at(missing, "spec.template.spec.containers[0].image"));
  auto pod2 = check("/pods", R"({"metadata":{"name":"p"},"spec":{}})");
  BOOST_TEST(error_at(pod2, "spec.containers"));
  auto svc = check("/services", R"({"metadata":{"name":"s"},"spec":{
    "ports":[{"port":80,"targetPort":"http","nodeport":1}]}})");
  BOOST_TEST(has_unknown(svc, "spec.ports[0].nodeport"));
  auto lease = check("coordination.k8s.io/leases", R"({"metadata":{"name":"l"},
    "spec":{"holderIdentity":"x","renewTime":"2026-01-01T00:00:00.000000Z",
    "holder":"y"}})");
  BOOST_TEST(has_unknown(lease, "spec.holder"));
  BOOST_TEST(lease.unknown_fields.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(custom_resources_validate_default_prune, fixture) {
  json::object kept;
  auto ok = check("crd/", R"({"apiVersion":"vpn-gw.kubecombo.com/v1",
    "kind":"Debugger","metadata":{"name":"long-name","labels":{"a":"b"}},
    "spec":{"workloadType":"pod","port":"http","note":null,"typo":1,
      "labels":{"x":"y"},"extra":{"any":{"thing":1}},
      "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},
                  "spec":{"dropped":1}},
      "targets":[{"host":"a","hots":"b"}]},
    "status":{"free":"form"}})", &kept);
  BOOST_TEST(ok.errors.empty());
  for (auto& e : ok.errors)
    BOOST_TEST_MESSAGE(e.field << ": " << e.message);
  BOOST_TEST(has_unknown(ok, "spec.typo"));
  BOOST_TEST(has_unknown(ok, "spec.targets[0].hots"));
  BOOST_TEST(has_unknown(ok, "spec.template.spec.dropped"));
  BOOST_TEST(ok.unknown_fields.size() == 3u);
  auto& spec = kept.at("spec").as_object();
  BOOST_TEST(spec.at("replicas") == 1);
  BOOST_TEST(spec.at("enabled") == true);
  BOOST_TEST(!spec.contains("typo"));
  BOOST_TEST(spec.at("extra").at("any").at("thing") == 1);
  BOOST_TEST(kept.at("metadata").at("name") == "long-name");
  BOOST_TEST(kept.at("status").at("free") == "form");

  auto bad = check("crd/", R"({"metadata":{"name":"x"},"spec":{
    "workloadType":"vm","replicas":"three","name":"ABCDEFG","port":1.5,
    "ratio":0,"tags":["a","b","c"],"enabled":null}})");
  auto e = error_at(bad, "spec.workloadType");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->reason == "FieldValueNotSupported");
  BOOST_TEST(e->message == "Unsupported value: \"vm\": supported values: "
                           "\"pod\", \"daemonset\"");
  e = error_at(bad, "spec.replicas");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->message == "Invalid value: \"string\": spec.replicas in body "
                           "must be of type integer: \"string\"");
  BOOST_TEST(std::count_if(bad.errors.begin(), bad.errors.end(), [](auto& x) {
               return x.field == "spec.name";
             }) == 2);
  BOOST_TEST(error_at(bad, "spec.port"));
  e = error_at(bad, "spec.ratio");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->message == "Invalid value: 0: spec.ratio in body should be "
                           "greater than 0");
  e = error_at(bad, "spec.tags");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->message == "Too many: 3: must have at most 2 items");
  BOOST_TEST(!error_at(bad, "spec.enabled"));

  auto bounds = check("crd/", R"({"metadata":{"name":"x"},"spec":{
    "workloadType":"pod","replicas":11,"tags":[],"name":"a"}})");
  BOOST_TEST(error_at(bounds, "spec.replicas")->message
             == "Invalid value: 11: spec.replicas in body should be less "
                "than or equal to 10");
  BOOST_TEST(error_at(bounds, "spec.tags")->message
             == "Invalid value: \"array\": spec.tags in body should have at "
                "least 1 items");
  BOOST_TEST(error_at(bounds, "spec.name")->message
             == "Invalid value: \"a\": spec.name in body should be at least 2 "
                "chars long");
  auto utf8 = check("crd/", R"({"metadata":{"name":"x"},"spec":{
    "workloadType":"pod","name":"\u00e9\u00e9\u00e9\u00e9\u00e9"}})");
  BOOST_TEST(std::none_of(utf8.errors.begin(), utf8.errors.end(), [](auto& e) {
    return e.message.find("Too long") != std::string::npos;
  }));
  BOOST_TEST(error_at(utf8, "spec.name")); // the pattern still applies
  auto req = check("crd/", R"({"metadata":{"name":"x"},"spec":{}})");
  BOOST_REQUIRE(error_at(req, "spec.workloadType"));
  BOOST_TEST(error_at(req, "spec.workloadType")->message == "Required value");
  auto wrong = check("crd/", R"({"metadata":{"name":"x"},"spec":[1]})");
  BOOST_TEST(error_at(wrong, "spec"));
}

BOOST_FIXTURE_TEST_CASE(hostile_input_never_crashes, fixture) {
  std::string deep;
  for (int i = 0; i < 5000; ++i)
    deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 5000; ++i)
    deep += "}";
  std::error_code ec;
  json::parse_options opts;
  opts.max_depth = 10000;
  auto v = json::parse(deep, ec, {}, opts);
  BOOST_REQUIRE(!ec);
  json::object obj{{"metadata", json::object{{"name", "x"}}},
                   {"spec", json::object{{"workloadType", "pod"},
                                         {"extra", v}}}};
  auto r = validate_object(*crd_type, obj);
  BOOST_TEST(r.errors.empty());
  json::object evil{{"metadata", json::object{{"name", "x"}}},
                    {"spec", json::object{{"workloadType", "pod"},
                                          {"name", std::string(100000, 'a')}}}};
  auto r2 = validate_object(*crd_type, evil);
  BOOST_TEST(!r2.errors.empty());
}

BOOST_FIXTURE_TEST_CASE(builtin_wrong_json_types_are_decode_errors, fixture) {
  auto& cm = *reg.find("", "v1", "configmaps");
  auto check = [&](const char* text, const char* field, const char* got,
                   const char* want) {
    auto obj = json::parse(text).as_object();
    auto r = validate_object(cm, obj);
    BOOST_REQUIRE_EQUAL(r.decode_errors.size(), 1u);
    BOOST_TEST(r.decode_errors[0].field == field);
    BOOST_TEST(r.decode_errors[0].got == got);
    BOOST_TEST(r.decode_errors[0].want == want);
  };
  check(R"({"metadata":{"name":"a"},"data":{"x":true}})", "data.x", "bool",
        "string");
  check(R"({"metadata":{"name":"a"},"data":["x"]})", "data", "array",
        "map[string]string");
  check(R"({"metadata":{"name":"a","labels":"x"}})", "metadata.labels",
        "string", "map[string]string");
  auto good = json::parse(R"({"metadata":{"name":"a"},"data":{"x":"1"},
                              "immutable":null})").as_object();
  BOOST_TEST(validate_object(cm, good).decode_errors.empty());
}

BOOST_AUTO_TEST_SUITE_END()
