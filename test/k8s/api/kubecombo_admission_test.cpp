#include "k8s/api/kubecombo/admission.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s::kubecombo;

namespace {

std::string unbase64(std::string_view in) {
  static const std::string tbl
      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=')
      break;
    buf = (buf << 6) | static_cast<uint32_t>(tbl.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

json::value request(const std::string& kind, const std::string& op,
                    const std::string& spec_json,
                    const std::string& name = "x") {
  return json::object{{"apiVersion", "admission.k8s.io/v1"},
                      {"kind", "AdmissionReview"},
                      {"request",
                       {{"uid", "req-1"},
                        {"kind",
                         {{"group", "vpn-gw.kubecombo.com"},
                          {"version", "v1"},
                          {"kind", kind}}},
                        {"operation", op},
                        {"name", name},
                        {"namespace", "ns1"},
                        {"object",
                         {{"apiVersion", "vpn-gw.kubecombo.com/v1"},
                          {"kind", kind},
                          {"metadata", {{"name", name}, {"namespace", "ns1"}}},
                          {"spec", json::parse(spec_json)}}}}}};
}

const json::object& resp(const json::object& review) {
  return review.at("response").as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(kubecombo_admission)

BOOST_AUTO_TEST_CASE(validation_denies_with_messages_naming_fields) {
  auto r = review(
      request(
          "Debugger", "CREATE",
          R"({"workloadType":"daemonset","cpu":"1C","memory":"1Gi","nodeName":"n1"})",
          "dbg"),
      false);
  BOOST_TEST(r.at("apiVersion") == "admission.k8s.io/v1");
  BOOST_TEST(r.at("kind") == "AdmissionReview");
  auto& out = resp(r);
  BOOST_TEST(out.at("uid") == "req-1");
  BOOST_TEST(out.at("allowed") == false);
  auto& status = out.at("status").as_object();
  BOOST_TEST(status.at("code") == 422);
  BOOST_TEST(status.at("reason") == "Invalid");
  std::string msg(status.at("message").as_string());
  BOOST_TEST(msg.find("Debugger.vpn-gw.kubecombo.com \"dbg\" is invalid: [")
                 == 0u,
             msg);
  BOOST_TEST(msg.find("spec.cpu: Invalid value: \"1C\"") != std::string::npos,
             msg);
  BOOST_TEST(msg.find("spec.nodeName: Forbidden") != std::string::npos, msg);
  auto& causes = status.at("details").at("causes").as_array();
  BOOST_TEST(causes.size() == 2u);
  BOOST_TEST(causes[0].at("field") == "spec.cpu");
  // As apimachinery's NewInvalid: kubectl prints `The Debugger "dbg" is
  // invalid: ...` from these.
  auto& details = status.at("details").as_object();
  BOOST_TEST(details.at("name") == "dbg");
  BOOST_TEST(details.at("kind") == "Debugger");
  BOOST_TEST(details.at("group") == "vpn-gw.kubecombo.com");
}

BOOST_AUTO_TEST_CASE(valid_objects_and_other_operations_are_allowed) {
  auto ok
      = review(request("Debugger", "UPDATE",
                       R"({"workloadType":"pod","cpu":"1","memory":"1Gi"})"),
               false);
  BOOST_TEST(resp(ok).at("allowed") == true);
  BOOST_TEST(!resp(ok).contains("status"));
  auto del = review(request("Debugger", "DELETE", R"({"cpu":"1C"})"), false);
  BOOST_TEST(resp(del).at("allowed") == true);
  auto other = review(request("ConfigMap", "CREATE", R"({})"), false);
  BOOST_TEST(resp(other).at("allowed") == true);
  auto pinger
      = review(request("Pinger", "CREATE", R"({"ping":"1.1.1.1"})"), false);
  BOOST_TEST(resp(pinger).at("allowed") == false);
  std::string msg(resp(pinger).at("status").at("message").as_string());
  BOOST_TEST(msg.find("spec.image: Required value") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(defaulting_answers_a_json_patch) {
  auto r = review(
      request(
          "Debugger", "CREATE",
          R"({"workloadType":"pod","cpu":"1","memory":"1Gi","hostNetwork":true,"image":""})"),
      true);
  auto& out = resp(r);
  BOOST_TEST(out.at("allowed") == true);
  BOOST_TEST(out.at("patchType") == "JSONPatch");
  auto patch = json::parse(unbase64(out.at("patch").as_string()));
  auto text = json::serialize(patch);
  BOOST_TEST(
      text.find(
          R"({"op":"replace","path":"/spec/image","value":"kubecombo/debugger:latest"})")
          != std::string::npos,
      text);
  BOOST_TEST(text.find(R"({"op":"add","path":"/spec/historyLimit","value":5})")
                 != std::string::npos,
             text);
  BOOST_TEST(text.find(R"("/spec/checkTimeout")") != std::string::npos);
  BOOST_TEST(text.find("hostNetwork") == std::string::npos); // already set
  auto p = review(request("Pinger", "CREATE", R"({"image":"i"})"), true);
  auto pp
      = json::serialize(json::parse(unbase64(resp(p).at("patch").as_string())));
  BOOST_TEST(pp.find(R"({"op":"add","path":"/spec/mesh","value":true})")
                 != std::string::npos,
             pp);
  BOOST_TEST(pp.find(R"("/spec/metricsPort")") != std::string::npos);
  // Nothing to default: no patch.
  auto full = review(
      request(
          "Pinger", "CREATE",
          R"({"image":"i","enableMetrics":false,"interval":5,"count":1,"mesh":true,
                                 "neighbourLimit":10,"metricsPort":8080,"failureThreshold":3,
                                 "recoveryThreshold":2})"),
      true);
  BOOST_TEST(!resp(full).contains("patch"));
}

BOOST_AUTO_TEST_CASE(http_side_never_throws) {
  auto bad = handle_webhook(validate_debugger_path, "{not json");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body.find("not JSON") != std::string::npos);
  BOOST_TEST(handle_webhook("/elsewhere", "{}").status == 404);
  auto malformed = handle_webhook(mutate_pinger_path, "[1,2]");
  BOOST_TEST(malformed.status == 200);
  BOOST_TEST(malformed.body.find("\"allowed\":false") != std::string::npos);
  auto body = json::serialize(
      request("Debugger", "CREATE",
              R"({"workloadType":"pod","cpu":"1","memory":"x"})"));
  auto reply = handle_webhook(validate_debugger_path, body);
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.body.find("spec.memory") != std::string::npos);
  auto mutated = handle_webhook(mutate_debugger_path, body);
  BOOST_TEST(mutated.body.find("\"allowed\":true") != std::string::npos);
  BOOST_TEST(mutated.body.find("JSONPatch") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
