#pragma once

// The certificates of the embedded control plane, generated with OpenSSL at
// start: a CA, a serving certificate and an admin client certificate.

#include <string>
#include <vector>

namespace kc::sim {

/// A PEM certificate with its PEM private key.
struct pem_pair {
  std::string cert;
  std::string key;
};

/// Everything TLS needs.
struct cluster_certs {
  /// The self-signed CA (clients trust it).
  pem_pair ca;
  /// The serving certificate, SANs 127.0.0.1, ::1, localhost and the hosts.
  pem_pair serving;
  /// Client certificate CN=kubecombo-admin, O=system:masters.
  pem_pair admin;
};

/// Generates a fresh CA and the certificates signed by it. `hosts` are extra
/// SANs (IP literals become IP SANs, others DNS SANs). Throws on failure.
cluster_certs generate_certs(const std::vector<std::string>& hosts);

} // namespace kc::sim
