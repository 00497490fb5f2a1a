#pragma once

#include "k8s/client/client_config.hpp"
#include "k8s/client/exec_credential.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace kc::k8s {

/// What goes on the wire for authentication at one moment.
struct auth_material {
  /// Value of the Authorization header ("Bearer ..." / "Basic ..."), or "".
  std::string authorization;
  /// PEM client certificate and key for TLS (static or from the plugin).
  std::string client_cert_pem;
  std::string client_key_pem;
};

/// The credential source of a client: static token, token file (re-read
/// every interval and on 401), basic auth, static client certificate, or
/// an exec plugin (cached until expiry, re-run on 401). Thread-safe.
class credentials {
public:
  explicit credentials(const client_config& cfg);

  /// The current material; false with `error` if a token file cannot be
  /// read or the exec plugin fails. May run the plugin (blocking).
  bool current(auth_material& out, std::string& error);

  /// Called after a 401: forget cached tokens so the next current() re-reads
  /// the file or re-runs the plugin. Returns false if nothing can change
  /// (static credentials), so retrying is pointless.
  bool invalidate();

private:
  client_config cfg_;
  std::mutex mtx_;
  std::string file_token_;
  std::chrono::steady_clock::time_point file_read_at_{};
  bool file_valid_ = false;
  exec_credential exec_cred_;
  bool exec_valid_ = false;
};

} // namespace kc::k8s
