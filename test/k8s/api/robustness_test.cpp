#include "k8s/api/discovery.hpp"
#include "k8s/api/openapi.hpp"
#include "k8s/api/resource_registry.hpp"
#include "k8s/api/selectors.hpp"
#include "k8s/api/table.hpp"
#include "k8s/api/validation.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s;

namespace {

/// Objects whose fields have every wrong type the printers, validators and
/// selectors could trip over.
std::vector<json::object> hostile_objects() {
  std::vector<json::object> out;
  const char* docs[] = {
    R"({})",
    R"({"metadata":[]})",
    R"({"metadata":{"name":7,"labels":"x","annotations":[1],
       "creationTimestamp":"not-a-time","deletionTimestamp":5}})",
    R"({"metadata":{"name":"ok","labels":{"a":1}},"spec":"x","status":[],
       "data":"x","webhooks":{},"subsets":"x","secrets":1,"roleRef":[]})",
    R"({"metadata":{"name":"ok"},"spec":{"containers":{"name":"x"},
       "readinessGates":"x","template":"x","selector":1,"ports":"x",
       "replicas":"three","unschedulable":"yes"},
       "status":{"containerStatuses":"x","conditions":[1,"x",{"type":1}],
       "addresses":{},"nodeInfo":[],"podIPs":"x","phase":1}})",
    R"({"metadata":{"name":"ok"},"spec":{"containers":[1,null,[],
       {"name":[],"image":{},"env":"x","ports":[{"containerPort":"x"}]}],
       "template":{"spec":{"containers":[{"name":"c","image":"i"}]}},
       "ports":[1,{"port":"x","nodePort":[]}]},
       "status":{"containerStatuses":[1,{"restartCount":"x","state":
       {"terminated":"x","waiting":{"reason":5}},"lastState":{"terminated":
       {"finishedAt":"2026-99-99T99:99:99Z"}}}],"podIPs":[1,{"ip":2}]},
       "involvedObject":"x","series":"x","count":"x","source":[]})",
    R"({"metadata":{"name":"ok","creationTimestamp":"1970-01-01T00:00:00Z"},
       "spec":{"workloadType":null,"replicas":1e308,"targets":"x"},
       "series":{"count":"x","lastObservedTime":3}})",
  };
  for (auto d : docs)
    out.push_back(json::parse(d).as_object());
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(every_public_function_survives_hostile_objects) {
  kc::k8s::resource_registry reg;
  BOOST_REQUIRE(reg.apply_crd(json::parse(R"({"metadata":{"name":
    "debuggers.vpn-gw.kubecombo.com"},"spec":{"group":"vpn-gw.kubecombo.com",
    "scope":"Namespaced","names":{"plural":"debuggers","kind":"Debugger"},
    "versions":[{"name":"v1","served":true,"storage":true,
    "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{
      "type":"object","properties":{"replicas":{"type":"integer",
      "minimum":1},"targets":{"type":"array","items":{"type":"object"}},
      "workloadType":{"type":"string","pattern":"(a+)+$"}}}}}},
    "additionalPrinterColumns":[{"name":"X","type":"integer",
      "jsonPath":"{.spec.targets[-1][.x"},{"name":"Y","type":"date",
      "jsonPath":".metadata.creationTimestamp"}]}]}})").as_object())
              == "");
  auto now = std::chrono::system_clock::now();
  std::size_t checked = 0;
  for (auto& t : reg.all()) {
    std::vector<std::shared_ptr<const json::object>> rows;
    for (auto& o : hostile_objects()) {
      auto copy = o;
      auto r = validate_object(*t, copy);
      (void) r;
      rows.push_back(std::make_shared<const json::object>(o));
      for (auto sel : {"metadata.name=x", "spec.nodeName!=", "status.phase=1",
                       "spec.unschedulable=false", "involvedObject.kind=x",
                       "status.podIPs=1"}) {
        auto f = field_selector::parse(*t, sel);
        if (auto fs = std::get_if<field_selector>(&f))
          (void) fs->matches(o);
      }
      ++checked;
    }
    auto table = make_table(*t, rows, include_object::object, true, "1", now);
    BOOST_TEST(table.at("rows").as_array().size() == rows.size());
    for (auto& row : table.at("rows").as_array())
      BOOST_TEST(row.at("cells").as_array().size()
                 == table.at("columnDefinitions").as_array().size());
    BOOST_TEST(!discovery_resources(reg, t->group, t->version).is_null());
    BOOST_TEST(!openapi_group_version(reg, t->group, t->version).is_null());
    BOOST_TEST(validate_name(*t, std::string(1 << 20, '/')) != "");
  }
  BOOST_TEST(checked == reg.all().size() * hostile_objects().size());
}

BOOST_AUTO_TEST_CASE(hostile_selectors_and_crds) {
  kc::k8s::resource_registry reg;
  auto& cm = *reg.find("", "v1", "configmaps");
  for (auto s : {"", ",", ",,", "=", "!", "!!", "a in (", "a in ((", ")",
                 "a notin", "in in (in)", "a,b,!c,d in (x,,y)", "a\\=b",
                 "\\", "a=\\", "a=b\\,c", "x>", "x<99999999999999999999",
                 "!a=b", "a!=", "a==", "a===b"}) {
    auto l = label_selector::parse(s);
    if (auto sel = std::get_if<label_selector>(&l))
      (void) sel->matches(nullptr);
    auto f = field_selector::parse(cm, s);
    (void) f;
  }
  for (auto doc : {R"({})", R"({"spec":[]})", R"({"metadata":1,"spec":{}})",
                   R"({"metadata":{"name":"a.b.c"},"spec":{"group":"b.c",
                     "names":{"plural":"a","kind":"A"},"scope":"Cluster",
                     "versions":{}}})",
                   R"({"metadata":{"name":"a.b.c"},"spec":{"group":"b.c",
                     "names":{"plural":"a","kind":"A"},"scope":"Cluster",
                     "versions":[{"name":"v1","served":true,"storage":true,
                     "schema":{"openAPIV3Schema":[]},
                     "additionalPrinterColumns":"x"}]}})"})
    BOOST_TEST(reg.apply_crd(json::parse(doc).as_object()) != "", doc);
  BOOST_TEST(reg.all().size() == 27u);
}

BOOST_AUTO_TEST_SUITE_END()
