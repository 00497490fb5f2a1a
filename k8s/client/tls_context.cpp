#include "k8s/client/tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace kc::k8s {

namespace ssl = boost::asio::ssl;

std::string verified_name(const client_config& cfg) {
  return cfg.tls_server_name.empty() ? cfg.host : cfg.tls_server_name;
}

namespace {

bool is_ip(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

} // namespace

bool make_tls_context(const client_config& cfg, const auth_material& auth,
                      std::shared_ptr<ssl::context>& out, std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                     | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                     | ssl::context::no_tlsv1_1,
                   ec);
  if (cfg.insecure_skip_tls_verify) {
    ctx->set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (!cfg.ca_pem.empty()) {
      ctx->add_certificate_authority(boost::asio::buffer(cfg.ca_pem), ec);
      if (ec) {
        error = "invalid certificate-authority data: " + ec.message();
        return false;
      }
    } else {
      ctx->set_default_verify_paths(ec);
    }
  }
  if (!auth.client_cert_pem.empty()) {
    ctx->use_certificate_chain(boost::asio::buffer(auth.client_cert_pem), ec);
    if (ec) {
      error = "invalid client certificate: " + ec.message();
      return false;
    }
    ctx->use_private_key(boost::asio::buffer(auth.client_key_pem),
                         ssl::context::pem, ec);
    if (ec) {
      error = "invalid client key: " + ec.message();
      return false;
    }
  }
  out = std::move(ctx);
  return true;
}

bool prepare_tls_stream(tls_stream& s, const client_config& cfg,
                        std::string& error) {
  auto name = verified_name(cfg);
  SSL* native = s.native_handle();
  if (!is_ip(name) && !SSL_set_tlsext_host_name(native, name.c_str())) {
    error = "cannot set SNI '" + name + "'";
    return false;
  }
  if (cfg.insecure_skip_tls_verify)
    return true;
  X509_VERIFY_PARAM* param = SSL_get0_param(native);
  int ok = is_ip(name) ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                       : X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
  if (ok != 1) {
    error = "cannot set the verified host name '" + name + "'";
    return false;
  }
  boost::system::error_code ec;
  s.set_verify_callback(ssl::host_name_verification(name), ec);
  if (ec) {
    error = "cannot install host-name verification: " + ec.message();
    return false;
  }
  return true;
}

std::string describe_tls_failure(tls_stream& s, const client_config& cfg,
                                 const boost::system::error_code& ec) {
  std::string out = "TLS handshake with " + cfg.host + ":" + cfg.port
                    + " failed: " + ec.message();
  long vr = SSL_get_verify_result(s.native_handle());
  if (vr != X509_V_OK) {
    out += " (";
    out += X509_verify_cert_error_string(vr);
    if (vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
      out += ": the certificate is not valid for '" + verified_name(cfg) + "'";
    else if (vr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
             || vr == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
             || vr == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
      out += ": the server certificate is not signed by the configured CA";
    out += ")";
  }
  return out;
}

} // namespace kc::k8s
