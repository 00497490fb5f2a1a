#include "k8s/api/kubecombo/validate.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s::kubecombo;
using kc::k8s::field_error;

namespace {

json::object debugger(const std::string& spec_json, std::string name = "d1") {
  auto spec = json::parse(spec_json).as_object();
  json::object base{
      {"workloadType", "daemonset"}, {"cpu", "100m"}, {"memory", "128Mi"}};
  for (auto& kv : spec)
    base[kv.key()] = kv.value();
  return {{"apiVersion", api_version},
          {"kind", "Debugger"},
          {"metadata", {{"name", name}, {"namespace", "ns1"}, {"uid", "u1"}}},
          {"spec", std::move(base)}};
}

std::vector<field_error> check(const std::string& spec_json) {
  auto obj = debugger(spec_json);
  return validate_debugger(meta_of(obj), parse_debugger_spec(obj));
}

// "field: message" of every error, joined.
std::string errors_of(const std::string& spec_json) {
  return describe(check(spec_json));
}

std::string pinger_errors(const std::string& spec_json) {
  json::object obj{{"spec", json::parse(spec_json)}};
  return describe(validate_pinger(parse_pinger_spec(obj)));
}

bool has(const std::string& text, const std::string& part) {
  if (text.find(part) == std::string::npos) {
    BOOST_TEST_MESSAGE("'" << part << "' not in: " << text);
    return false;
  }
  return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(kubecombo_validate)

BOOST_AUTO_TEST_CASE(a_realistic_debugger_is_valid) {
  BOOST_TEST(errors_of(R"({"selector":["kubernetes.io/os:linux"],
      "tolerations":[{"operator":"Exists","effect":"NoSchedule"}],
      "affinity":{"nodeAffinity":{}}, "enablePinger":true, "pinger":"p1",
      "enableConfigMap":true, "configMap":"scripts", "enableSys":true,
      "qosBandwidth":"100", "subnet":"ovn-default", "runAt":"2026-11-28T16:00:00Z",
      "schedule":"0 3 * * *", "checkTimeout":"1m", "runDeadline":"10m"})")
             == "");
  BOOST_TEST(errors_of(R"({"workloadType":"pod","nodeName":"node-1"})") == "");
}

BOOST_AUTO_TEST_CASE(cross_field_rules_name_the_field) {
  BOOST_TEST(has(errors_of(R"({"nodeName":"n1"})"),
                 "spec.nodeName: Forbidden: may not be set when workloadType "
                 "is daemonset"));
  BOOST_TEST(
      has(errors_of(R"({"hostNetwork":true,"subnet":"s1"})"),
          "spec.subnet: Forbidden: must be empty when hostNetwork is true"));
  BOOST_TEST(has(errors_of(R"({"enablePinger":true})"),
                 "spec.pinger: Required value"));
  BOOST_TEST(has(errors_of(R"({"enableConfigMap":true})"),
                 "spec.configMap: Required value"));
  auto e = check(R"({"enablePinger":true})");
  BOOST_REQUIRE_EQUAL(e.size(), 1u);
  BOOST_TEST(e[0].reason == "FieldValueRequired");
  BOOST_TEST(e[0].field == "spec.pinger");
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_field_and_reason) {
  BOOST_TEST(
      has(errors_of(R"({"cpu":"1C"})"), "spec.cpu: Invalid value: \"1C\""));
  BOOST_TEST(has(errors_of(R"({"memory":"lots"})"),
                 "spec.memory: Invalid value: \"lots\""));
  BOOST_TEST(has(errors_of(R"({"cpu":"0"})"),
                 "spec.cpu: Invalid value: \"0\": must be greater than zero"));
  BOOST_TEST(has(errors_of(R"({"cpu":""})"), "spec.cpu: Required value"));
  BOOST_TEST(has(errors_of(R"({"workloadType":"job"})"),
                 "spec.workloadType: Unsupported value: \"job\": supported "
                 "values: \"daemonset\", \"pod\""));
  BOOST_TEST(has(errors_of(R"({"workloadType":""})"),
                 "spec.workloadType: Required value"));
  BOOST_TEST(
      has(errors_of(R"({"enableConfigMap":true,"configMap":"Bad_Name"})"),
          "spec.configMap: Invalid value: \"Bad_Name\""));
  BOOST_TEST(
      has(errors_of(R"({"pinger":"-x"})"), "spec.pinger: Invalid value"));
  BOOST_TEST(has(
      errors_of(R"({"selector":["nocolon"]})"),
      "spec.selector[0]: Invalid value: \"nocolon\": must be \"key:value\""));
  BOOST_TEST(
      has(errors_of(R"({"selector":["a:b","c:d:e"]})"), "spec.selector[1]"));
  BOOST_TEST(has(errors_of(R"({"selector":["bad key:v"]})"), "label key"));
  BOOST_TEST(has(errors_of(R"({"selector":["a:1","a:2"]})"), "given twice"));
  BOOST_TEST(has(errors_of(R"({"runAt":"tomorrow"})"),
                 "spec.runAt: Invalid value: \"tomorrow\": must be an RFC 3339 "
                 "timestamp"));
  BOOST_TEST(has(errors_of(R"({"runAt":"tomorrow"})"),
                 "or epoch seconds (e.g. 1795881600); for periodic runs use "
                 "spec.schedule, a 5-field cron expression"));
  BOOST_TEST(has(errors_of(R"({"schedule":"daily"})"),
                 "spec.schedule: Invalid value"));
  BOOST_TEST(has(errors_of(R"({"schedule":"daily"})"),
                 "must be a 5-field cron expression"));
  BOOST_TEST(has(errors_of(R"({"schedule":"daily"})"),
                 "for a single run use spec.runAt, an RFC 3339 timestamp or "
                 "epoch seconds"));
  BOOST_TEST(has(errors_of(R"({"qosBandwidth":"fast"})"),
                 "spec.qosBandwidth: Invalid value"));
  BOOST_TEST(has(errors_of(R"({"historyLimit":0})"), "spec.historyLimit"));
  BOOST_TEST(has(errors_of(R"({"checkTimeout":"10m","runDeadline":"5m"})"),
                 "spec.checkTimeout: Invalid value: \"10m\": must not be "
                 "longer than runDeadline"));
  BOOST_TEST(has(errors_of(R"({"runDeadline":"soon"})"), "spec.runDeadline"));
  BOOST_TEST(
      has(errors_of(R"({"tolerations":[{"operator":"Exists","value":"x"}]})"),
          "spec.tolerations[0].operator"));
  BOOST_TEST(
      has(errors_of(R"({"tolerations":[{"key":"k","effect":"Sometimes"}]})"),
          "spec.tolerations[0].effect: Unsupported value"));
  BOOST_TEST(has(errors_of(R"({"affinity":{"nodeAfinity":{}}})"),
                 "spec.affinity.nodeAfinity"));
  BOOST_TEST(has(errors_of(R"({"image":"a b"})"), "spec.image"));
}

BOOST_AUTO_TEST_CASE(wrong_json_types_are_field_errors) {
  BOOST_TEST(has(errors_of(R"({"hostNetwork":"yes"})"),
                 "spec.hostNetwork: Invalid value: \"string\": "
                 "spec.hostNetwork must be of type boolean"));
  BOOST_TEST(
      has(errors_of(R"({"cpu":1})"), "spec.cpu: Invalid value: \"number\""));
  BOOST_TEST(has(errors_of(R"({"selector":"a:b"})"), "spec.selector"));
  BOOST_TEST(has(errors_of(R"({"selector":[1]})"), "spec.selector[0]"));
}

BOOST_AUTO_TEST_CASE(names_longer_than_a_label_value_are_rejected) {
  auto obj = debugger("{}", std::string(64, 'a'));
  auto e = describe(validate_debugger(meta_of(obj), parse_debugger_spec(obj)));
  BOOST_TEST(has(e, "metadata.name"));
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_not_just_the_first) {
  auto e = check(
      R"({"cpu":"1C","memory":"x","nodeName":"n","workloadType":"daemonset"})");
  BOOST_TEST(e.size() == 3u);
}

BOOST_AUTO_TEST_CASE(pingers) {
  BOOST_TEST(
      pinger_errors(
          R"({"image":"kubecombo/pinger:v1","ping":"1.1.1.1, example.com",
      "tcpPing":"10.0.0.1:80,[fd00::1]:443","udpPing":"10.0.0.53:53",
      "dns":"kubernetes.default,example.com@10.0.0.10","timeout":"2s","interval":5})")
      == "");
  BOOST_TEST(has(pinger_errors(R"({"ping":"1.1.1.1"})"),
                 "spec.image: Required value"));
  BOOST_TEST(
      has(pinger_errors(R"({"image":"i","tcpPing":"10.0.0.1"})"),
          "spec.tcpPing: Invalid value: \"10.0.0.1\": must be host:port"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","udpPing":"h:70000"})"),
                 "spec.udpPing"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","ping":"a,,b"})"),
                 "spec.ping: Invalid value: \"a,,b\": empty item"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","ping":"a b"})"), "spec.ping"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","mesh":false})"),
                 "spec.ping: Required value: at least one"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","timeout":"10s","interval":5})"),
                 "spec.timeout: Invalid value: \"10s\": must not be longer "
                 "than interval"));
  BOOST_TEST(
      has(pinger_errors(R"({"image":"i","interval":0})"), "spec.interval"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","interval":3601})"),
                 "spec.interval: Invalid value: \"3601\": must be between 1 "
                 "and 3600"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","count":0})"), "spec.count"));
  // Target syntax: host names, IP literals, ports.
  for (auto bad : {"a..b", "-x.example", "x-.example", "300.1.1.1",
                   "1.2.3", "fd00::zz", ".x"})
    BOOST_TEST(has(pinger_errors(std::string(R"({"image":"i","ping":")") + bad
                                 + "\"}"),
                   "spec.ping: Invalid value: \"" + std::string(bad) + "\""));
  for (auto bad : {"h:0", "h:65536", "h:", ":80", "h:8x", "fd00::1:80",
                   "[fd00::zz]:80", "a..b:80"})
    BOOST_TEST(has(pinger_errors(std::string(R"({"image":"i","tcpPing":")")
                                 + bad + "\"}"),
                   "spec.tcpPing: Invalid value: \"" + std::string(bad)
                       + "\": must be host:port with a port from 1 to 65535"));
  BOOST_TEST(pinger_errors(R"({"image":"i","ping":"fd00::1,10.0.0.1,a_b.x.",
      "tcpPing":"h:1,h:65535,[::1]:80","dns":"x.local@fd00::53"})") == "");
  BOOST_TEST(has(pinger_errors(R"({"image":"i","dns":"x@bad..server"})"),
                 "spec.dns: Invalid value: \"x@bad..server\""));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","metricsPort":70000})"),
                 "spec.metricsPort"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","gateway":"the router"})"),
                 "spec.gateway"));
  BOOST_TEST(has(pinger_errors(R"({"image":"i","interval":"5"})"),
                 "spec.interval: Invalid value: \"string\""));
}

BOOST_AUTO_TEST_CASE(references_are_checked_in_reconcile) {
  auto obj = debugger(
      R"({"enablePinger":true,"pinger":"p1","enableConfigMap":true,"configMap":"cm"})");
  auto s = parse_debugger_spec(obj);
  json::object good_pinger{{"spec", {{"image", "i"}, {"ping", "1.1.1.1"}}}};
  json::object bad_pinger{{"spec", {{"ping", "1.1.1.1"}}}};
  json::object cm{{"data", {{"a.sh", "echo"}}}};
  BOOST_TEST(describe(validate_references(s, &good_pinger, &cm)) == "");
  BOOST_TEST(has(describe(validate_references(s, nullptr, &cm)),
                 "spec.pinger: Not found: \"p1\""));
  BOOST_TEST(has(describe(validate_references(s, &good_pinger, nullptr)),
                 "spec.configMap: Not found: \"cm\""));
  BOOST_TEST(has(
      describe(validate_references(s, &bad_pinger, &cm)),
      "spec.pinger: Invalid value: \"p1\": the Pinger is invalid: spec.image"));
  // A Pinger named but not enabled must exist, but its spec is not checked.
  auto off = parse_debugger_spec(debugger(R"({"pinger":"p1"})"));
  BOOST_TEST(describe(validate_references(off, &bad_pinger, nullptr)) == "");
  BOOST_TEST(
      has(describe(validate_references(off, nullptr, nullptr)), "spec.pinger"));
}

BOOST_AUTO_TEST_SUITE_END()
