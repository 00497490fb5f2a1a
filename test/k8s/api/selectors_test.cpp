#include "k8s/api/selectors.hpp"

#include "k8s/api/resource_registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s;

namespace {

label_selector must_parse(const std::string& text) {
  auto r = label_selector::parse(text);
  if (auto err = std::get_if<std::string>(&r))
    BOOST_FAIL("unexpected error for '" << text << "': " << *err);
  return std::get<label_selector>(r);
}

std::string error_of(const std::string& text) {
  auto r = label_selector::parse(text);
  if (auto err = std::get_if<std::string>(&r))
    return *err;
  return "<parsed>";
}

bool lmatch(const std::string& sel, const std::string& labels) {
  auto l = json::parse(labels).as_object();
  return must_parse(sel).matches(&l);
}

std::string field_error_of(const resource_type& t, const std::string& text) {
  auto r = field_selector::parse(t, text);
  if (auto err = std::get_if<std::string>(&r))
    return *err;
  return "<parsed>";
}

bool fmatch(const resource_type& t, const std::string& sel,
            const std::string& obj) {
  auto r = field_selector::parse(t, sel);
  BOOST_REQUIRE(std::holds_alternative<field_selector>(r));
  return std::get<field_selector>(r).matches(json::parse(obj).as_object());
}

} // namespace

BOOST_AUTO_TEST_SUITE(selectors)

BOOST_AUTO_TEST_CASE(label_equality_and_sets) {
  BOOST_TEST(must_parse("").empty());
  BOOST_TEST(lmatch("", "{}"));
  BOOST_TEST(lmatch("app=web", R"({"app":"web"})"));
  BOOST_TEST(lmatch("app==web", R"({"app":"web"})"));
  BOOST_TEST(!lmatch("app=web", R"({"app":"db"})"));
  BOOST_TEST(!lmatch("app=web", "{}"));
  BOOST_TEST(lmatch("app!=web", "{}"));
  BOOST_TEST(!lmatch("app!=web", R"({"app":"web"})"));
  BOOST_TEST(lmatch("env in (prod, staging),tier", R"({"env":"prod","tier":"x"})"));
  BOOST_TEST(!lmatch("env in (prod,staging),tier", R"({"env":"prod"})"));
  BOOST_TEST(lmatch("env notin (prod)", "{}"));
  BOOST_TEST(!lmatch("env notin (prod)", R"({"env":"prod"})"));
  BOOST_TEST(lmatch("!gone", R"({"here":"1"})"));
  BOOST_TEST(!lmatch("!gone", R"({"gone":""})"));
  BOOST_TEST(lmatch("a=", R"({"a":""})"));
  BOOST_TEST(lmatch("x in (in,notin)", R"({"x":"notin"})"));
  BOOST_TEST(lmatch("example.com/role=edge", R"({"example.com/role":"edge"})"));
  BOOST_TEST(lmatch("n>3,n<10", R"({"n":"5"})"));
  BOOST_TEST(!lmatch("n>3", R"({"n":"abc"})"));
  auto s = must_parse("z=1,a in (y,x),!m");
  BOOST_REQUIRE(s.requirements().size() == 3u);
  BOOST_TEST(s.requirements()[0].key == "a");
  BOOST_TEST((s.requirements()[0].values == std::vector<std::string>{"x", "y"}));
  BOOST_TEST(s.requirements()[1].key == "m");
  BOOST_TEST(lmatch("x in ()", R"({"x":""})"));
  BOOST_TEST(must_parse("x in (a,,b)").requirements()[0].values.size() == 3u);
  BOOST_TEST(lmatch("a", R"({"a":"1"})"));
  BOOST_TEST(!must_parse("a").matches(nullptr));
  BOOST_TEST(must_parse("!a").matches(nullptr));
}

BOOST_AUTO_TEST_CASE(label_errors_match_the_apiserver) {
  BOOST_TEST(error_of("a in b")
             == "unable to parse requirement: found 'b' expected: '('");
  BOOST_TEST(error_of("a=b c")
             == "found 'c', expected: ',' or 'end of string'");
  BOOST_TEST(error_of("a=b,") == "found '', expected: identifier after ','");
  BOOST_TEST(error_of("=b")
             == "found '=', expected: !, identifier, or 'end of string'");
  BOOST_TEST(error_of("a b")
             == "unable to parse requirement: found 'b', expected: in, notin, "
                "=, ==, !=, gt, lt");
  BOOST_TEST(error_of("a in (b") == "unable to parse requirement: found '', "
                                   "expected: ',' or ')'");
  BOOST_TEST(error_of("a in (=)") == "unable to parse requirement: found '=', "
                                     "expected: ',', ')' or identifier");
  BOOST_TEST(error_of("a==(") == "unable to parse requirement: found '(', "
                                 "expected: identifier");
  BOOST_TEST(
    error_of("-a=b")
    == "unable to parse requirement: <nil>: Invalid value: \"-a\": name part "
       "must consist of alphanumeric characters, '-', '_' or '.', and must "
       "start and end with an alphanumeric character (e.g. 'MyName',  or "
       "'my.name',  or '123-abc', regex used for validation is "
       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  BOOST_TEST(
    error_of("a=-b")
    == "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a "
       "valid label must be an empty string or consist of alphanumeric "
       "characters, '-', '_' or '.', and must start and end with an "
       "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
       "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?"
       "[A-Za-z0-9])?')");
  BOOST_TEST(error_of("n>x").find("for 'Gt', 'Lt' operators, the value must "
                                  "be an integer")
             != std::string::npos);
  BOOST_TEST(error_of(std::string(5000, '(')).find("found '('")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(field_selectors_per_kind) {
  kc::k8s::resource_registry reg;
  auto& cm = *reg.find("", "v1", "configmaps");
  auto& pods = *reg.find("", "v1", "pods");
  auto& nodes = *reg.find("", "v1", "nodes");
  auto& events = *reg.find("", "v1", "events");
  BOOST_TEST(field_error_of(cm, "foo.bar=1")
             == "\"foo.bar\" is not a known field selector: only "
                "\"metadata.name\", \"metadata.namespace\"");
  BOOST_TEST(field_error_of(pods, "spec.foo=1")
             == "field label not supported: spec.foo");
  BOOST_TEST(field_error_of(nodes, "metadata.namespace=x")
             == "field label not supported: metadata.namespace");
  BOOST_TEST(field_error_of(cm, "metadata.name")
             == "invalid selector: 'metadata.name'; can't understand "
                "'metadata.name'");
  BOOST_TEST(field_error_of(cm, "metadata.name=a=b")
             == "invalid field selector: unescaped character in value: 61");
  BOOST_TEST(fmatch(cm, "metadata.name=cm1",
                    R"({"metadata":{"name":"cm1","namespace":"d"}})"));
  BOOST_TEST(!fmatch(cm, "metadata.name==cm1,metadata.namespace!=d",
                     R"({"metadata":{"name":"cm1","namespace":"d"}})"));
  BOOST_TEST(fmatch(nodes, "spec.unschedulable=false",
                    R"({"metadata":{"name":"n"}})"));
  BOOST_TEST(fmatch(nodes, "spec.unschedulable=true",
                    R"({"spec":{"unschedulable":true}})"));
  BOOST_TEST(fmatch(pods, "spec.nodeName=", R"({"spec":{}})"));
  BOOST_TEST(fmatch(pods, "spec.host=n1", R"({"spec":{"nodeName":"n1"}})"));
  BOOST_TEST(fmatch(pods, "status.phase!=Running,spec.hostNetwork=false",
                    R"({"status":{"phase":"Pending"}})"));
  BOOST_TEST(fmatch(pods, "status.podIPs=10.0.0.1\\,fd00::1",
                    R"({"status":{"podIPs":[{"ip":"10.0.0.1"},{"ip":"fd00::1"}]}})"));
  BOOST_TEST(fmatch(events, "involvedObject.kind=Pod,source=kubelet",
                    R"({"involvedObject":{"kind":"Pod"},"source":{"component":"kubelet"}})"));
  json::object crd = json::parse(R"({"metadata":{"name":"things.x.io"},
    "spec":{"group":"x.io","scope":"Cluster",
    "names":{"plural":"things","kind":"Thing"},
    "versions":[{"name":"v1","served":true,"storage":true,
    "schema":{"openAPIV3Schema":{"type":"object"}}}]}})").as_object();
  BOOST_REQUIRE(reg.apply_crd(crd) == "");
  auto& things = *reg.find("x.io", "v1", "things");
  BOOST_TEST(field_error_of(things, "metadata.namespace=a")
             == "field label not supported: metadata.namespace");
  BOOST_TEST(field_error_of(things, "metadata.name=a") == "<parsed>");
  json::object colored = json::parse(R"({"metadata":{"name":"paints.x.io"},
    "spec":{"group":"x.io","scope":"Namespaced",
    "names":{"plural":"paints","kind":"Paint"},
    "versions":[{"name":"v1","served":true,"storage":true,
    "selectableFields":[{"jsonPath":".spec.color"}],
    "schema":{"openAPIV3Schema":{"type":"object"}}}]}})").as_object();
  BOOST_REQUIRE(reg.apply_crd(colored) == "");
  auto& paints = *reg.find("x.io", "v1", "paints");
  BOOST_TEST(fmatch(paints, "spec.color=red", R"({"spec":{"color":"red"}})"));
  BOOST_TEST(!fmatch(paints, "spec.color=red", R"({"spec":{}})"));
  BOOST_TEST(field_error_of(paints, "spec.size=1")
             == "field label not supported: spec.size");
}

BOOST_AUTO_TEST_SUITE_END()
