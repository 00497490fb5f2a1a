// `kubecombo controller --enable-webhooks`: flags → certificate → listener,
// every failure one line naming the flag (the caller exits 2).

#include "cmd/webhook_server.hpp"
#include "telemetry/logging.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>

namespace kc::cmd {

namespace {

/// POD_NAMESPACE, else the in-cluster service account's namespace.
std::string pod_namespace() {
  if (auto* ns = std::getenv("POD_NAMESPACE"); ns && *ns)
    return ns;
  std::ifstream in{"/var/run/secrets/kubernetes.io/serviceaccount/namespace"};
  std::string ns;
  return in >> ns ? ns : std::string{};
}

void fail(bool& failed, const std::string& flag, const std::string& why) {
  std::cerr << "kubecombo controller: --" << flag << ": " << why << '\n';
  failed = true;
}

} // namespace

std::unique_ptr<webhook_server> start_webhook_server(const std::string& addr,
                                                     const std::string& cert_dir,
                                                     bool& failed) {
  std::optional<telemetry::listen_address> at;
  try {
    at = telemetry::parse_listen_address(addr);
  } catch (const std::exception& e) {
    fail(failed, "webhook-bind-address", e.what());
    return nullptr;
  }
  if (!at)
    return nullptr;
  auto names = webhook_service_names("kubecombo-system");
  if (auto ns = pod_namespace(); !ns.empty() && ns != "kubecombo-system")
    for (auto& n : webhook_service_names(ns))
      names.push_back(n);
  webhook_tls tls;
  try {
    tls = webhook_certificate(cert_dir, names);
  } catch (const std::exception& e) {
    fail(failed, "webhook-cert-dir", e.what());
    return nullptr;
  }
  std::unique_ptr<webhook_server> srv;
  try {
    srv = std::make_unique<webhook_server>(tls, *at,
                                           &telemetry::global_registry());
  } catch (const std::exception& e) {
    fail(failed, tls.generated ? "webhook-bind-address" : "webhook-cert-dir",
         addr + ": " + e.what());
    return nullptr;
  }
  KC_INFO("root",
          {{"port", srv->port()},
           {"certificate", tls.generated
                             ? (cert_dir.empty() ? std::string{"generated"}
                                                 : "generated, written to "
                                                     + cert_dir)
                             : cert_dir}},
          "admission webhooks serving on port {}", srv->port());
  return srv;
}

} // namespace kc::cmd
