#include "k8s/client/client_config.hpp"
#include "k8s/client/config_error.hpp"
#include "k8s/client/credentials.hpp"
#include "k8s/client/exec_credential.hpp"
#include "k8s/client/kubeconfig.hpp"
#include "test/k8s/client/support/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace kc::k8s;
using kc::test::scoped_env;
using kc::test::temp_dir;

namespace {

const char* full_config = R"(apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443/prefix/
    certificate-authority: certs/ca.crt
    tls-server-name: api.internal
    disable-compression: true
- name: c2
  cluster:
    server: http://[::1]:8080
    certificate-authority-data: LS0tQ0EtLS0K
    insecure-skip-tls-verify: true
users:
- name: u1
  user:
    client-certificate: certs/client.crt
    client-key: /abs/client.key
    token: abc
- name: u2
  user:
    client-certificate-data: Q0VSVAo=
    client-key-data: S0VZCg==
    username: admin
    password: secret
- name: u3
  user:
    tokenFile: tok
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin
      args: [get-token, --x]
      env:
      - name: FOO
        value: bar
      provideClusterInfo: true
      interactiveMode: Never
      installHint: install the plugin
contexts:
- name: ctx1
  context: {cluster: c1, user: u1, namespace: team-a}
- name: ctx2
  context: {cluster: c2, user: u2}
current-context: ctx1
)";

/// The field error message of `f`.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const config_error& e) {
    return e.what();
  }
  return "(no error)";
}

} // namespace

BOOST_AUTO_TEST_SUITE(kubeconfig)

BOOST_AUTO_TEST_CASE(every_field_is_parsed) {
  auto kc = parse_kubeconfig(full_config, "/cfg/config", "/cfg");
  auto& c1 = kc.clusters.at("c1");
  BOOST_TEST(c1.server == "https://127.0.0.1:6443/prefix/");
  BOOST_TEST(c1.certificate_authority == "/cfg/certs/ca.crt");
  BOOST_TEST(c1.tls_server_name == "api.internal");
  BOOST_TEST(c1.disable_compression);
  auto& c2 = kc.clusters.at("c2");
  BOOST_TEST(c2.certificate_authority_data == "---CA---\n");
  BOOST_TEST(c2.insecure_skip_tls_verify);
  auto& u1 = kc.users.at("u1");
  BOOST_TEST(u1.client_certificate == "/cfg/certs/client.crt");
  BOOST_TEST(u1.client_key == "/abs/client.key");
  BOOST_TEST(u1.token == "abc");
  auto& u2 = kc.users.at("u2");
  BOOST_TEST(u2.client_certificate_data == "CERT\n");
  BOOST_TEST(u2.client_key_data == "KEY\n");
  BOOST_TEST(u2.username == "admin");
  BOOST_TEST(u2.password == "secret");
  auto& u3 = kc.users.at("u3");
  BOOST_TEST(u3.token_file == "/cfg/tok");
  BOOST_REQUIRE(u3.exec.has_value());
  BOOST_TEST(u3.exec->command == "/cfg/./bin/plugin");
  BOOST_TEST(u3.exec->args.size() == 2u);
  BOOST_TEST(u3.exec->env.at(0).first == "FOO");
  BOOST_TEST(u3.exec->provide_cluster_info);
  BOOST_TEST(u3.exec->interactive_mode == "Never");
  BOOST_TEST(u3.exec->install_hint == "install the plugin");
  BOOST_TEST(kc.contexts.at("ctx1").ns == "team-a");
  BOOST_TEST(kc.current_context == "ctx1");
}

BOOST_AUTO_TEST_CASE(resolve_reads_relative_files) {
  temp_dir d;
  d.write("certs/ca.crt", "CA-PEM");
  d.write("certs/client.crt", "CLIENT-CERT");
  d.write("client.key", "CLIENT-KEY");
  std::string cfg = full_config;
  cfg.replace(cfg.find("/abs/client.key"), 15, "client.key");
  auto path = d.write("kube/../config", cfg);
  auto c = resolve_context(load_kubeconfig({d.path() + "/config"}, true), "");
  BOOST_TEST(c.scheme == "https");
  BOOST_TEST(c.host == "127.0.0.1");
  BOOST_TEST(c.port == "6443");
  BOOST_TEST(c.base_path == "/prefix");
  BOOST_TEST(c.ca_pem == "CA-PEM");
  BOOST_TEST(c.client_cert_pem == "CLIENT-CERT");
  BOOST_TEST(c.client_key_pem == "CLIENT-KEY");
  BOOST_TEST(c.tls_server_name == "api.internal");
  BOOST_TEST(c.token == "abc");
  BOOST_TEST(c.ns == "team-a");
  auto c2 = resolve_context(load_kubeconfig({path}, true), "ctx2");
  BOOST_TEST(c2.host == "::1");
  BOOST_TEST(c2.port == "8080");
  BOOST_TEST(c2.scheme == "http");
  BOOST_TEST(c2.ns == "default");
  BOOST_TEST(c2.insecure_skip_tls_verify);
}

BOOST_AUTO_TEST_CASE(kubeconfig_env_merges_first_wins) {
  temp_dir d;
  auto a = d.write("a", R"(clusters:
- name: shared
  cluster: {server: "https://first:1"}
contexts:
- name: ca
  context: {cluster: shared}
current-context: ca
)");
  auto b = d.write("b", R"(clusters:
- name: shared
  cluster: {server: "https://second:2"}
- name: only-b
  cluster: {server: "https://b:3"}
contexts:
- name: cb
  context: {cluster: only-b}
current-context: cb
)");
  scoped_env env("KUBECONFIG", (a + ":" + d.path() + "/missing:" + b).c_str());
  scoped_env svc("KUBERNETES_SERVICE_HOST", nullptr);
  auto c = load_client_config();
  BOOST_TEST(c.host == "first");
  config_sources src;
  src.context = "cb";
  BOOST_TEST(load_client_config(src).host == "b");
  BOOST_TEST(split_kubeconfig_env("x::y:").size() == 2u);
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_field) {
  temp_dir d;
  auto missing = d.path() + "/nope";
  BOOST_TEST(error_of([&] { load_kubeconfig({missing}, true); }).find(missing + ": ")
             == 0u);
  auto bad_yaml = d.write("bad", "clusters: [\n  - {name: x\n");
  BOOST_TEST(error_of([&] { load_kubeconfig({bad_yaml}, true); }).find(bad_yaml + ": invalid YAML")
             == 0u);
  auto bad_bool = d.write("bool", "clusters:\n- name: c\n  cluster: {server: 'https://a', "
                                  "insecure-skip-tls-verify: maybe}\n");
  BOOST_TEST(error_of([&] { load_kubeconfig({bad_bool}, true); })
             == bad_bool + ": clusters[c].cluster.insecure-skip-tls-verify: expected true "
                           "or false, got 'maybe'");
  auto cfg = d.write("cfg", full_config);
  auto kc = load_kubeconfig({cfg}, true);
  BOOST_TEST(error_of([&] { resolve_context(kc, "nope"); })
             == cfg + ": contexts: context 'nope' not found");
  auto no_user = d.write("nouser", "clusters:\n- name: c\n  cluster: {server: 'https://a'}\n"
                                   "contexts:\n- name: x\n  context: {cluster: c, user: ghost}\n"
                                   "current-context: x\n");
  BOOST_TEST(error_of([&] { resolve_context(load_kubeconfig({no_user}, true), ""); })
             == no_user + ": contexts[x].context.user: user 'ghost' not found");
  // the CA file of c1 is relative and absent here
  BOOST_TEST(error_of([&] { resolve_context(kc, "ctx1"); })
               .find(cfg + ": clusters[c1].cluster.certificate-authority: cannot read '")
             == 0u);
  auto proxy = d.write("proxy", "clusters:\n- name: c\n  cluster: {server: 'https://a', "
                                "proxy-url: 'http://p:3128'}\ncontexts:\n- name: x\n"
                                "  context: {cluster: c}\ncurrent-context: x\n");
  BOOST_TEST(error_of([&] { resolve_context(load_kubeconfig({proxy}, true), ""); })
             == proxy + ": clusters[c].cluster.proxy-url: proxies are not supported by "
                        "kubecombo");
  auto exec_v = d.write("execv", "users:\n- name: u\n  user:\n    exec: {apiVersion: "
                                 "client.authentication.k8s.io/v1alpha1, command: x}\n");
  BOOST_TEST(error_of([&] { load_kubeconfig({exec_v}, true); }).find(exec_v + ": users[u].user.exec.apiVersion: unsupported")
             == 0u);
}

BOOST_AUTO_TEST_CASE(exec_plugin_runs_without_shell_and_caches) {
  temp_dir d;
  auto count = d.path() + "/count";
  auto info = d.path() + "/info";
  auto script = d.write("bin/plugin",
                        "#!/bin/sh\n"
                        "echo run >> '" + count + "'\n"
                        "printf '%s' \"$KUBERNETES_EXEC_INFO\" > '" + info + "'\n"
                        "[ \"$1\" = get-token ] || exit 3\n"
                        "[ \"$FOO\" = bar ] || exit 4\n"
                        "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                        "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"tok-'$(wc -l < '"
                          + count + "' | tr -d ' ')'\",\"expirationTimestamp\":\"2999-01-01T00:00:00Z\"}}'\n",
                        0755);
  std::string cfg = full_config;
  auto path = d.write("config", cfg);
  d.write("certs/ca.crt", "CA");
  d.write("certs/client.crt", "C");
  d.write("tok", "file-token");
  auto kc = load_kubeconfig({path}, true);
  kc.contexts["ctx3"] = {"c2", "u3", "", path};
  auto c = resolve_context(kc, "ctx3");
  credentials creds(c);
  auth_material m;
  std::string err;
  BOOST_TEST_REQUIRE(creds.current(m, err), err);
  BOOST_TEST(m.authorization == "Bearer tok-1");
  BOOST_TEST_REQUIRE(creds.current(m, err), err);
  BOOST_TEST(m.authorization == "Bearer tok-1"); // cached until expiry
  BOOST_TEST(creds.invalidate());                  // a 401 re-runs it
  BOOST_TEST_REQUIRE(creds.current(m, err), err);
  BOOST_TEST(m.authorization == "Bearer tok-2");
  std::string text;
  BOOST_REQUIRE(read_file(info, text, err));
  BOOST_TEST(text.find("\"kind\":\"ExecCredential\"") != std::string::npos);
  BOOST_TEST(text.find("\"server\":\"http://[::1]:8080\"") != std::string::npos);
  (void) script;
}

BOOST_AUTO_TEST_CASE(exec_plugin_failures_are_clear) {
  exec_config e;
  e.api_version = "client.authentication.k8s.io/v1";
  e.command = "/nonexistent/kc-plugin";
  e.install_hint = "run: apt install kc-plugin";
  exec_credential out;
  std::string err;
  BOOST_TEST(!run_exec_plugin(e, {}, std::chrono::seconds(5), out, err));
  BOOST_TEST(err.find("/nonexistent/kc-plugin") != std::string::npos);
  BOOST_TEST(err.find("apt install kc-plugin") != std::string::npos);
  temp_dir d;
  e.command = d.write("p", "#!/bin/sh\necho broken >&2\nexit 1\n", 0755);
  BOOST_TEST(!run_exec_plugin(e, {}, std::chrono::seconds(5), out, err));
  BOOST_TEST(err.find("exit code 1): broken") != std::string::npos, err);
  e.command = d.write("slow", "#!/bin/sh\nexec sleep 5\n", 0755);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_TEST(!run_exec_plugin(e, {}, std::chrono::milliseconds(200), out, err));
  BOOST_TEST(err.find("did not finish") != std::string::npos, err);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3)));
  e.command = d.write("cert", "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
                              "\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"C\"}}'\n",
                      0755);
  BOOST_TEST(!run_exec_plugin(e, {}, std::chrono::seconds(5), out, err));
  BOOST_TEST(err.find("needs both") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(exec_credential_expiry) {
  exec_credential out;
  std::string err;
  BOOST_TEST(parse_exec_credential(
    R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",)"
    R"("status":{"token":"t","expirationTimestamp":"2026-01-02T03:04:05.5+01:00"}})",
    "client.authentication.k8s.io/v1beta1", out, err));
  BOOST_REQUIRE(out.expiry.has_value());
  auto t = std::chrono::system_clock::to_time_t(*out.expiry);
  BOOST_TEST(t == 1767319445); // 2026-01-02T02:04:05Z
  BOOST_TEST(!parse_exec_credential(R"({"kind":"ExecCredential","apiVersion":"x","status":{"token":"t"}})",
                                    "client.authentication.k8s.io/v1", out, err));
}

BOOST_AUTO_TEST_SUITE_END()
