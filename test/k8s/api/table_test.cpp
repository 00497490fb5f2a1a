#include "k8s/api/table.hpp"

#include "k8s/api/resource_registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s;
using std::chrono::seconds;

namespace {

/// 2026-11-28T12:00:00Z
const auto now = std::chrono::system_clock::from_time_t(1795867200);

std::vector<std::shared_ptr<const json::object>> objs(const std::string& text) {
  std::vector<std::shared_ptr<const json::object>> out;
  auto parsed = json::parse(text);
  for (auto& v : parsed.as_array())
    out.push_back(std::make_shared<const json::object>(v.as_object()));
  return out;
}

json::array cells(const json::object& table, std::size_t row = 0) {
  return table.at("rows").at(row).at("cells").as_array();
}

std::vector<std::string> column_names(const json::object& table) {
  std::vector<std::string> out;
  for (auto& c : table.at("columnDefinitions").as_array())
    out.emplace_back(c.at("name").as_string());
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(table)

BOOST_AUTO_TEST_CASE(human_duration_matches_apimachinery) {
  BOOST_TEST(human_duration(seconds(-5)) == "<invalid>");
  BOOST_TEST(human_duration(seconds(-1)) == "0s");
  BOOST_TEST(human_duration(seconds(0)) == "0s");
  BOOST_TEST(human_duration(seconds(5)) == "5s");
  BOOST_TEST(human_duration(seconds(90)) == "90s");
  BOOST_TEST(human_duration(seconds(119)) == "119s");
  BOOST_TEST(human_duration(seconds(120)) == "2m");
  BOOST_TEST(human_duration(seconds(200)) == "3m20s");
  BOOST_TEST(human_duration(seconds(300)) == "5m");
  BOOST_TEST(human_duration(seconds(600)) == "10m");
  BOOST_TEST(human_duration(seconds(123 * 60)) == "123m");
  BOOST_TEST(human_duration(seconds(179 * 60 + 59)) == "179m");
  BOOST_TEST(human_duration(seconds(3 * 3600)) == "3h");
  BOOST_TEST(human_duration(seconds(3 * 3600 + 5 * 60)) == "3h5m");
  BOOST_TEST(human_duration(seconds(8 * 3600 + 5 * 60)) == "8h");
  BOOST_TEST(human_duration(seconds(47 * 3600)) == "47h");
  BOOST_TEST(human_duration(seconds(48 * 3600)) == "2d");
  BOOST_TEST(human_duration(seconds(50 * 3600)) == "2d2h");
  BOOST_TEST(human_duration(seconds(8 * 24 * 3600)) == "8d");
  BOOST_TEST(human_duration(seconds(400LL * 24 * 3600)) == "400d");
  BOOST_TEST(human_duration(seconds(730LL * 24 * 3600)) == "2y");
  BOOST_TEST(human_duration(seconds(731LL * 24 * 3600)) == "2y1d");
  BOOST_TEST(human_duration(seconds(3000LL * 24 * 3600)) == "8y");
}

BOOST_AUTO_TEST_CASE(accept_and_include) {
  BOOST_TEST(wants_table("application/json;as=Table;v=v1;g=meta.k8s.io,"
                         "application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
                         "application/json"));
  BOOST_TEST(wants_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io"));
  BOOST_TEST(!wants_table("application/json"));
  BOOST_TEST(!wants_table(""));
  BOOST_TEST(!wants_table("application/json;as=PartialObjectMetadataList;"
                          "v=v1;g=meta.k8s.io"));
  BOOST_TEST(!wants_table("application/json,application/json;as=Table;v=v1;"
                          "g=meta.k8s.io"));
  BOOST_TEST((parse_include_object("") == include_object::metadata));
  BOOST_TEST((parse_include_object("None") == include_object::none));
  BOOST_TEST((parse_include_object("Object") == include_object::object));
}

BOOST_AUTO_TEST_CASE(pods) {
  kc::k8s::resource_registry reg;
  auto t = make_table(*reg.find("", "v1", "pods"), objs(R"([
    {"metadata":{"name":"web","namespace":"d","labels":{"a":"b"},
                 "creationTimestamp":"2026-11-28T11:55:00Z"},
     "spec":{"nodeName":"n1","containers":[{"name":"c"},{"name":"s"}]},
     "status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[
       {"name":"c","ready":true,"restartCount":2,"state":{"running":{}},
        "lastState":{"terminated":{"finishedAt":"2026-11-28T11:58:00Z"}}},
       {"name":"s","ready":false,"restartCount":0,
        "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}},
    {"metadata":{"name":"new","creationTimestamp":"2026-11-28T11:59:30Z"},
     "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending"}}])"),
                      include_object::metadata, true, "42", now);
  BOOST_TEST(t.at("kind") == "Table");
  BOOST_TEST(t.at("apiVersion") == "meta.k8s.io/v1");
  BOOST_TEST(t.at("metadata").at("resourceVersion") == "42");
  BOOST_TEST((column_names(t)
              == std::vector<std::string>{"Name", "Ready", "Status",
                                          "Restarts", "Age", "IP", "Node",
                                          "Nominated Node",
                                          "Readiness Gates"}));
  BOOST_TEST(t.at("columnDefinitions").at(0).at("format") == "name");
  BOOST_TEST(t.at("columnDefinitions").at(5).at("priority") == 1);
  auto c = cells(t);
  BOOST_TEST(c.at(0) == "web");
  BOOST_TEST(c.at(1) == "1/2");
  BOOST_TEST(c.at(2) == "CrashLoopBackOff");
  BOOST_TEST(c.at(3) == "2 (2m ago)");
  BOOST_TEST(c.at(4) == "5m");
  BOOST_TEST(c.at(5) == "10.0.0.5");
  BOOST_TEST(c.at(6) == "n1");
  BOOST_TEST(c.at(7) == "<none>");
  auto& obj = t.at("rows").at(0).at("object").as_object();
  BOOST_TEST(obj.at("kind") == "PartialObjectMetadata");
  BOOST_TEST(obj.at("metadata").at("labels").at("a") == "b");
  auto c2 = cells(t, 1);
  BOOST_TEST(c2.at(1) == "0/1");
  BOOST_TEST(c2.at(2) == "Pending");
  BOOST_TEST(c2.at(3) == "0");
  BOOST_TEST(c2.at(4) == "30s");
  BOOST_TEST(c2.at(6) == "<none>");
  auto states = make_table(*reg.find("", "v1", "pods"), objs(R"([
    {"metadata":{"name":"a","deletionTimestamp":"2026-11-28T11:59:00Z"},
     "status":{"phase":"Running"}},
    {"metadata":{"name":"b","deletionTimestamp":"2026-11-28T11:59:00Z"},
     "status":{"phase":"Succeeded"}},
    {"metadata":{"name":"c"},"spec":{"containers":[{"name":"x"},{"name":"y"}]},
     "status":{"phase":"Running","containerStatuses":[
       {"name":"x","ready":true,"state":{"running":{}}},
       {"name":"y","state":{"terminated":{"reason":"Completed"}}}]}},
    {"metadata":{"name":"d"},"status":{"phase":"Failed","containerStatuses":[
       {"name":"x","state":{"terminated":{"exitCode":3}}}]}}])"),
                           include_object::none, true, "1", now);
  BOOST_TEST(cells(states, 0).at(2) == "Terminating");
  BOOST_TEST(cells(states, 1).at(2) == "Succeeded");
  BOOST_TEST(cells(states, 2).at(2) == "NotReady");
  BOOST_TEST(cells(states, 2).at(1) == "1/2");
  BOOST_TEST(cells(states, 3).at(2) == "ExitCode:3");
  auto none = make_table(*reg.find("", "v1", "pods"), objs(R"([{"metadata":
    {"name":"x"}}])"), include_object::none, false, "1", now);
  BOOST_TEST(!none.contains("columnDefinitions"));
  BOOST_TEST(!none.at("rows").at(0).as_object().contains("object"));
  BOOST_TEST(cells(none).at(4) == "<unknown>");
  auto full = make_table(*reg.find("", "v1", "pods"), objs(R"([{"metadata":
    {"name":"x"},"spec":{"a":1}}])"), include_object::object, false, "1", now);
  BOOST_TEST(full.at("rows").at(0).at("object").at("spec").at("a") == 1);
}

BOOST_AUTO_TEST_CASE(nodes_and_workloads) {
  kc::k8s::resource_registry reg;
  auto n = make_table(*reg.find("", "v1", "nodes"), objs(R"([{"metadata":{
    "name":"n1","labels":{"node-role.kubernetes.io/control-plane":""}},
    "spec":{"unschedulable":true},"status":{"conditions":[{"type":"Ready",
    "status":"True"}],"addresses":[{"type":"InternalIP","address":"10.1.0.1"}],
    "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian"}}}])"),
                      include_object::metadata, true, "1", now);
  auto c = cells(n);
  BOOST_TEST(c.at(1) == "Ready,SchedulingDisabled");
  BOOST_TEST(c.at(2) == "control-plane");
  BOOST_TEST(c.at(4) == "v1.32.0");
  BOOST_TEST(c.at(5) == "10.1.0.1");
  BOOST_TEST(c.at(6) == "<none>");
  BOOST_TEST(c.at(7) == "Debian");
  BOOST_TEST(c.at(8) == "<unknown>");
  auto d = make_table(*reg.find("apps", "v1", "deployments"), objs(R"([{
    "metadata":{"name":"d"},"spec":{"replicas":3,"selector":{"matchLabels":
    {"app":"web"}},"template":{"spec":{"containers":[{"name":"c","image":
    "nginx"}]}}},"status":{"readyReplicas":2,"updatedReplicas":3,
    "availableReplicas":2}}])"), include_object::metadata, true, "1", now);
  BOOST_TEST((column_names(d) == std::vector<std::string>{
                "Name", "Ready", "Up-to-date", "Available", "Age",
                "Containers", "Images", "Selector"}));
  c = cells(d);
  BOOST_TEST(c.at(1) == "2/3");
  BOOST_TEST(c.at(2) == 3);
  BOOST_TEST(c.at(3) == 2);
  BOOST_TEST(c.at(6) == "nginx");
  BOOST_TEST(c.at(7) == "app=web");
  auto ds = make_table(*reg.find("apps", "v1", "daemonsets"), objs(R"([{
    "metadata":{"name":"ds"},"spec":{"template":{"spec":{"nodeSelector":
    {"b":"2","a":"1"}}}},"status":{"desiredNumberScheduled":3,
    "currentNumberScheduled":3,"numberReady":1}}])"),
                       include_object::metadata, true, "1", now);
  c = cells(ds);
  BOOST_TEST(c.at(1) == 3);
  BOOST_TEST(c.at(3) == 1);
  BOOST_TEST(c.at(5) == 0);
  BOOST_TEST(c.at(6) == "a=1,b=2");
}

BOOST_AUTO_TEST_CASE(core_kinds) {
  kc::k8s::resource_registry reg;
  auto one = [&](const char* g, const char* r, const char* obj) {
    return cells(make_table(*reg.find(g, "v1", r),
                            objs(std::string("[") + obj + "]"),
                            include_object::metadata, true, "1", now));
  };
  auto c = one("", "configmaps", R"({"metadata":{"name":"c"},"data":{"a":"1",
    "b":"2"},"binaryData":{"c":""}})");
  BOOST_TEST(c.at(1) == 3);
  c = one("", "secrets", R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls",
    "data":{"a":""}})");
  BOOST_TEST(c.at(1) == "kubernetes.io/tls");
  BOOST_TEST(c.at(2) == 1);
  c = one("", "services", R"({"metadata":{"name":"svc"},"spec":{"type":
    "NodePort","clusterIP":"10.96.0.10","ports":[{"port":53,"protocol":"UDP",
    "nodePort":30053},{"port":80}]}})");
  BOOST_TEST(c.at(1) == "NodePort");
  BOOST_TEST(c.at(2) == "10.96.0.10");
  BOOST_TEST(c.at(3) == "<none>");
  BOOST_TEST(c.at(4) == "53:30053/UDP,80/TCP");
  c = one("", "namespaces", R"({"metadata":{"name":"n"},"status":{"phase":
    "Active"}})");
  BOOST_TEST(c.at(1) == "Active");
  c = one("", "events", R"({"metadata":{"name":"e1"},"type":"Warning",
    "reason":"Failed","message":" boom \n","count":3,
    "firstTimestamp":"2026-11-28T11:00:00Z","lastTimestamp":
    "2026-11-28T11:59:00Z","involvedObject":{"kind":"Pod","name":"web"},
    "source":{"component":"kubelet","host":"n1"}})");
  BOOST_TEST(c.at(0) == "60s");
  BOOST_TEST(c.at(1) == "Warning");
  BOOST_TEST(c.at(3) == "pod/web");
  BOOST_TEST(c.at(5) == "kubelet, n1");
  BOOST_TEST(c.at(6) == "boom");
  BOOST_TEST(c.at(7) == "60m");
  BOOST_TEST(c.at(8) == 3);
  c = one("events.k8s.io", "events", R"({"metadata":{"name":"e2"},
    "eventTime":"2026-11-28T11:59:50.000000Z","regarding":{"kind":"Node",
    "name":"n1"},"note":"hi","reportingController":"kubecombo"})");
  BOOST_TEST(c.at(0) == "10s");
  BOOST_TEST(c.at(3) == "node/n1");
  BOOST_TEST(c.at(5) == "kubecombo");
  BOOST_TEST(c.at(6) == "hi");
  BOOST_TEST(c.at(8) == 1);
  c = one("coordination.k8s.io", "leases", R"({"metadata":{"name":"l"},
    "spec":{"holderIdentity":"me"}})");
  BOOST_TEST(c.at(1) == "me");
  c = one("", "serviceaccounts", R"({"metadata":{"name":"sa"}})");
  BOOST_TEST(c.at(1) == 0);
  c = one("apiextensions.k8s.io", "customresourcedefinitions",
          R"({"metadata":{"name":"a.b.c","creationTimestamp":
          "2026-11-28T11:00:00Z"}})");
  BOOST_TEST(c.at(1) == "2026-11-28T11:00:00Z");
  c = one("rbac.authorization.k8s.io", "rolebindings", R"({"metadata":{
    "name":"rb"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":
    "ServiceAccount","name":"sa","namespace":"d"}]})");
  BOOST_TEST(c.at(1) == "Role/r");
  BOOST_TEST(c.at(5) == "d:sa");
}

BOOST_AUTO_TEST_CASE(custom_resource_printer_columns) {
  kc::k8s::resource_registry reg;
  BOOST_REQUIRE(reg.apply_crd(json::parse(R"({"metadata":{"name":
    "debuggers.vpn-gw.kubecombo.com"},"spec":{"group":"vpn-gw.kubecombo.com",
    "scope":"Namespaced","names":{"plural":"debuggers","kind":"Debugger"},
    "versions":[{"name":"v1","served":true,"storage":true,
    "schema":{"openAPIV3Schema":{"type":"object"}},
    "additionalPrinterColumns":[
      {"name":"Ready","type":"string","jsonPath":".status.ready"},
      {"name":"Count","type":"integer","jsonPath":".status.count"},
      {"name":"Ratio","type":"number","jsonPath":".status.ratio"},
      {"name":"On","type":"boolean","jsonPath":".spec.on"},
      {"name":"First","type":"string","jsonPath":".spec.targets[0].host"},
      {"name":"App","type":"string",
       "jsonPath":".metadata.labels.app\\.kubernetes\\.io/name"},
      {"name":"Seen","type":"date","jsonPath":".status.lastSeen"},
      {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}
    ]},{"name":"v2","served":true,"storage":false,
    "schema":{"openAPIV3Schema":{"type":"object"}}}]}})").as_object())
                == "");
  auto t = make_table(*reg.find("vpn-gw.kubecombo.com", "v1", "debuggers"),
                      objs(R"([{"metadata":{"name":"dbg",
    "labels":{"app.kubernetes.io/name":"k"},
    "creationTimestamp":"2026-11-28T10:00:00Z"},
    "spec":{"on":true,"targets":[{"host":"h1"}]},
    "status":{"ready":true,"count":4,"ratio":1,"lastSeen":"garbage"}},
    {"metadata":{"name":"empty"}}])"),
                      include_object::metadata, true, "9", now);
  BOOST_TEST(column_names(t).size() == 9u);
  auto c = cells(t);
  BOOST_TEST(c.at(0) == "dbg");
  BOOST_TEST(c.at(1) == "true");
  BOOST_TEST(c.at(2) == 4);
  BOOST_TEST(c.at(3).is_double());
  BOOST_TEST(c.at(4) == true);
  BOOST_TEST(c.at(5) == "h1");
  BOOST_TEST(c.at(6) == "k");
  BOOST_TEST(c.at(7) == "<invalid>");
  BOOST_TEST(c.at(8) == "120m");
  auto e = cells(t, 1);
  for (std::size_t i = 1; i < e.size(); ++i)
    BOOST_TEST(e.at(i).is_null());
  auto v2 = make_table(*reg.find("vpn-gw.kubecombo.com", "v2", "debuggers"),
                       objs(R"([{"metadata":{"name":"x",
    "creationTimestamp":"2026-11-28T11:57:00Z"}}])"),
                       include_object::metadata, true, "9", now);
  BOOST_TEST((column_names(v2) == std::vector<std::string>{"Name", "Age"}));
  BOOST_TEST(cells(v2).at(1) == "3m");
}

BOOST_AUTO_TEST_SUITE_END()
