#pragma once

// The kubeconfig the control plane writes for its clients.

#include <string>

namespace kc::sim {

/// What goes into the kubeconfig.
struct kubeconfig_data {
  std::string server_url;
  std::string ca_pem;
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
};

/// The kubeconfig text: cluster `kubecombo`, users `kubecombo-admin`
/// (bearer token) and `kubecombo-admin-cert` (client certificate), contexts
/// `kubecombo` (current) and `kubecombo-cert`.
std::string render_kubeconfig(const kubeconfig_data& d);

/// Writes `text` to `path` atomically (temporary file + rename), mode 0600.
/// Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& text);

/// Standard base64.
std::string base64(const std::string& data);

} // namespace kc::sim
