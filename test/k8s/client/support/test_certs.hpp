#pragma once

#include <string>
#include <vector>

namespace kc::test {

/// A PEM certificate and its PEM private key.
struct cert_pair {
  std::string cert_pem;
  std::string key_pem;
};

/// A self-signed CA (EC P-256, valid one day).
cert_pair make_ca(const std::string& cn);

/// A leaf certificate signed by `ca` with the given SANs (DNS names and IP
/// addresses). `client` selects clientAuth instead of serverAuth.
cert_pair make_cert(const cert_pair& ca, const std::string& cn,
                    const std::vector<std::string>& dns,
                    const std::vector<std::string>& ips, bool client = false);

} // namespace kc::test
