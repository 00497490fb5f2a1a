#include "k8s/client/api_client.hpp"
#include "k8s/client/incluster.hpp"
#include "test/k8s/client/support/print.hpp"
#include "test/k8s/client/support/temp_dir.hpp"
#include "test/k8s/client/support/test_certs.hpp"
#include "test/k8s/client/support/test_server.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::k8s;
using namespace kc::test;

namespace {

struct pki {
  cert_pair ca = make_ca("kc-test-ca");
  cert_pair other_ca = make_ca("other-ca");
  cert_pair server = make_cert(ca, "apiserver", {"localhost", "kubernetes.default.svc"},
                               {"127.0.0.1"});
  cert_pair alice = make_cert(ca, "alice", {}, {}, true);
};

const pki& certs() {
  static pki p;
  return p;
}

test_response who_am_i(const test_request& r) {
  test_response res;
  auto it = r.headers.find("authorization");
  res.body = R"({"kind":"Whoami","cn":")" + r.client_cn + R"(","auth":")"
             + (it == r.headers.end() ? "" : it->second) + "\"}";
  return res;
}

client_config config_for(const test_server& s) {
  client_config c;
  c.server = s.url();
  parse_server_url(c, "test", "server");
  c.ca_pem = certs().ca.cert_pem;
  c.request_timeout = std::chrono::seconds(10);
  return c;
}

http_result whoami(const client_config& c) {
  api_client client(c);
  return client.send_sync(make_get({"", "v1", "namespaces", false, "", "x", ""}));
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(verified_connection_with_token) {
  test_server srv(who_am_i, test_tls{certs().server.cert_pem, certs().server.key_pem, {}});
  auto c = config_for(srv);
  c.token = "t0k";
  auto r = whoami(c);
  BOOST_TEST_REQUIRE(r.ok(), r.error.to_string());
  BOOST_TEST(r.object->at("auth").as_string() == "Bearer t0k");
  c.tls_server_name = "localhost"; // DNS name: SNI + verification of that name
  BOOST_TEST(whoami(c).ok());
}

BOOST_AUTO_TEST_CASE(wrong_ca_fails_clearly) {
  test_server srv(who_am_i, test_tls{certs().server.cert_pem, certs().server.key_pem, {}});
  auto c = config_for(srv);
  c.ca_pem = certs().other_ca.cert_pem;
  auto r = whoami(c);
  BOOST_TEST(r.error.code == kc::ec::network_error);
  BOOST_TEST(r.error.message.find("TLS handshake with 127.0.0.1:" + c.port + " failed")
               == 0u, r.error.message);
  BOOST_TEST(r.error.message.find("not signed by the configured CA") != std::string::npos,
             r.error.message);
  c.insecure_skip_tls_verify = true; // honoured only when set
  BOOST_TEST(whoami(c).ok());
}

BOOST_AUTO_TEST_CASE(wrong_host_name_fails_clearly) {
  test_server srv(who_am_i, test_tls{certs().server.cert_pem, certs().server.key_pem, {}});
  auto c = config_for(srv);
  c.tls_server_name = "evil.example.com";
  auto r = whoami(c);
  BOOST_TEST(r.error.code == kc::ec::network_error);
  BOOST_TEST(r.error.message.find("ostname mismatch") != std::string::npos, r.error.message);
  BOOST_TEST(r.error.message.find("not valid for 'evil.example.com'") != std::string::npos);
  // An IP that is not in the certificate fails too.
  auto ip_only = make_cert(certs().ca, "ip", {}, {"127.0.0.2"});
  test_server srv2(who_am_i, test_tls{ip_only.cert_pem, ip_only.key_pem, {}});
  auto r2 = whoami(config_for(srv2));
  BOOST_TEST(r2.error.code == kc::ec::network_error);
  BOOST_TEST(r2.error.message.find("mismatch") != std::string::npos,
             r2.error.message);
}

BOOST_AUTO_TEST_CASE(client_certificate_auth) {
  test_server srv(who_am_i, test_tls{certs().server.cert_pem, certs().server.key_pem,
                                     certs().ca.cert_pem});
  auto c = config_for(srv);
  c.client_cert_pem = certs().alice.cert_pem;
  c.client_key_pem = certs().alice.key_pem;
  auto r = whoami(c);
  BOOST_TEST_REQUIRE(r.ok(), r.error.to_string());
  BOOST_TEST(r.object->at("cn").as_string() == "alice");
  BOOST_TEST(r.object->at("auth").as_string() == "");
}

BOOST_AUTO_TEST_CASE(exec_plugin_client_certificate) {
  test_server srv(who_am_i, test_tls{certs().server.cert_pem, certs().server.key_pem,
                                     certs().ca.cert_pem});
  temp_dir d;
  auto bob = make_cert(certs().ca, "bob", {}, {}, true);
  auto esc = [](std::string s) {
    std::string o;
    for (char ch : s)
      o += ch == '\n' ? std::string("\\n") : std::string(1, ch);
    return o;
  };
  d.write("cred.json", R"({"apiVersion":"client.authentication.k8s.io/v1beta1",)"
                       R"("kind":"ExecCredential","status":{"clientCertificateData":")"
                         + esc(bob.cert_pem) + R"(","clientKeyData":")" + esc(bob.key_pem)
                         + "\"}}");
  exec_config e;
  e.api_version = "client.authentication.k8s.io/v1beta1";
  e.command = "/bin/cat";
  e.args = {d.path() + "/cred.json"};
  auto c = config_for(srv);
  c.exec = e;
  auto r = whoami(c);
  BOOST_TEST_REQUIRE(r.ok(), r.error.to_string());
  BOOST_TEST(r.object->at("cn").as_string() == "bob");
}

BOOST_AUTO_TEST_CASE(in_cluster_files_in_a_temp_dir) {
  test_server srv(who_am_i, test_tls{certs().server.cert_pem, certs().server.key_pem, {}});
  temp_dir d;
  d.write("token", "sa-token-1\n");
  d.write("ca.crt", certs().ca.cert_pem);
  d.write("namespace", "kube-ops\n");
  auto port = std::to_string(srv.port());
  scoped_env h("KUBERNETES_SERVICE_HOST", "127.0.0.1");
  scoped_env p("KUBERNETES_SERVICE_PORT", port.c_str());
  scoped_env ns("POD_NAMESPACE", nullptr);
  config_sources src;
  src.incluster_dir = d.path();
  auto c = load_client_config(src);
  BOOST_TEST(c.server == "https://127.0.0.1:" + port);
  BOOST_TEST(c.ns == "kube-ops");
  auto r = whoami(c);
  BOOST_TEST_REQUIRE(r.ok(), r.error.to_string());
  BOOST_TEST(r.object->at("auth").as_string() == "Bearer sa-token-1");
  scoped_env h6("KUBERNETES_SERVICE_HOST", "fd00::1");
  BOOST_TEST(load_incluster_config(d.path()).server == "https://[fd00::1]:" + port);
  BOOST_TEST(load_incluster_config(d.path()).host == "fd00::1");
}

BOOST_AUTO_TEST_SUITE_END()
