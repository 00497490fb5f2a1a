#pragma once

// The controller's admission webhook listener (`--enable-webhooks`, ADR
// 0042): HTTPS (Boost.Beast + OpenSSL) on its own io_context thread, the
// four paths of k8s/api/kubecombo/admission.hpp answered by the pure
// `handle_webhook`. Independent of leadership: every replica serves.
//
//   auto tls = kc::cmd::webhook_certificate("/certs", names); // throws
//   kc::cmd::webhook_server srv{tls, *kc::telemetry::parse_listen_address(":9443")};
//   srv.port();

#include "telemetry/admin_server.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kc::cmd {

/// The serving certificate and key (PEM) and, when generated, the CA that
/// signed it (the caBundle of the webhook configurations).
struct webhook_tls {
  std::string cert;
  std::string key;
  std::string ca; // empty when loaded from files
  bool generated = false;
};

/// The DNS names of deploy/manager/service.yaml's Service in namespace
/// `ns` (`kubecombo-controller`, `.ns`, `.ns.svc`, `.ns.svc.cluster.local`).
std::vector<std::string> webhook_service_names(const std::string& ns);

/// tls.crt + tls.key from `dir` when both exist; otherwise a fresh
/// certificate for `names` + 127.0.0.1 signed by a fresh CA, written to
/// `dir` (tls.crt, tls.key, ca.crt) when `dir` is not empty. Throws
/// std::runtime_error with a one-line reason (unreadable file, one of the
/// two missing, not PEM, key not matching, directory not writable).
webhook_tls webhook_certificate(const std::string& dir,
                                const std::vector<std::string>& names);

/// The HTTPS listener. Binds in the constructor (throws std::runtime_error
/// naming the address or the certificate problem) and serves until stop()
/// or destruction.
class webhook_server {
public:
  /// With `metrics`: kubecombo_webhook_requests_total{webhook, code} and
  /// kubecombo_webhook_request_duration_seconds{webhook}.
  webhook_server(const webhook_tls& tls, const telemetry::listen_address& at,
                 telemetry::registry* metrics = nullptr);
  ~webhook_server();
  webhook_server(const webhook_server&) = delete;
  webhook_server& operator=(const webhook_server&) = delete;

  /// The bound port.
  uint16_t port() const noexcept;
  /// Requests answered so far (any path).
  uint64_t served() const noexcept;
  /// Closes the listener and every connection, joins the thread. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// `--enable-webhooks`: the address (`--webhook-bind-address`), the
/// certificate (`--webhook-cert-dir`, SANs: the Service in the pod's
/// namespace and in kubecombo-system, 127.0.0.1) and the listener. On any
/// failure prints one line naming the flag to stderr, sets `failed` and
/// returns null; null without `failed` when the address disables it ("0").
std::unique_ptr<webhook_server> start_webhook_server(const std::string& addr,
                                                     const std::string& cert_dir,
                                                     bool& failed);

} // namespace kc::cmd
