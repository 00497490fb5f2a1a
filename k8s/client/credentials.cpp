#include "k8s/client/credentials.hpp"

#include "k8s/client/config_error.hpp"

namespace kc::k8s {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

} // namespace

credentials::credentials(const client_config& cfg) : cfg_(cfg) {
}

bool credentials::current(auth_material& out, std::string& error) {
  std::lock_guard guard{mtx_};
  out = {};
  out.client_cert_pem = cfg_.client_cert_pem;
  out.client_key_pem = cfg_.client_key_pem;
  if (cfg_.exec) {
    auto now = std::chrono::system_clock::now();
    if (exec_valid_ && exec_cred_.expiry && *exec_cred_.expiry <= now)
      exec_valid_ = false;
    if (!exec_valid_) {
      exec_cluster_info info{cfg_.server, cfg_.tls_server_name,
                             cfg_.insecure_skip_tls_verify, cfg_.ca_pem};
      exec_credential cred;
      if (!run_exec_plugin(*cfg_.exec, info, cfg_.exec_timeout, cred, error))
        return false;
      exec_cred_ = std::move(cred);
      exec_valid_ = true;
    }
    if (!exec_cred_.token.empty())
      out.authorization = "Bearer " + exec_cred_.token;
    if (!exec_cred_.client_certificate_data.empty()) {
      out.client_cert_pem = exec_cred_.client_certificate_data;
      out.client_key_pem = exec_cred_.client_key_data;
    }
    return true;
  }
  if (!cfg_.token.empty()) {
    out.authorization = "Bearer " + cfg_.token;
    return true;
  }
  if (!cfg_.token_file.empty()) {
    auto now = std::chrono::steady_clock::now();
    if (!file_valid_ || now - file_read_at_ >= cfg_.token_reread_interval) {
      std::string text, err;
      if (!read_file(cfg_.token_file, text, err)) {
        if (!file_valid_) {
          error = "cannot read token file " + cfg_.token_file + ": " + err;
          return false;
        }
        // keep the cached token; try again next time
      } else {
        file_token_ = trim(std::move(text));
        file_read_at_ = now;
        file_valid_ = true;
      }
    }
    out.authorization = "Bearer " + file_token_;
    return true;
  }
  if (!cfg_.username.empty() || !cfg_.password.empty())
    out.authorization =
      "Basic " + base64_encode(cfg_.username + ":" + cfg_.password);
  return true;
}

bool credentials::invalidate() {
  std::lock_guard guard{mtx_};
  if (cfg_.exec) {
    exec_valid_ = false;
    return true;
  }
  if (cfg_.token.empty() && !cfg_.token_file.empty()) {
    file_valid_ = false;
    return true;
  }
  return false;
}

} // namespace kc::k8s
