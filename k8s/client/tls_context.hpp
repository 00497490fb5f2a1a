#pragma once

#include "k8s/client/client_config.hpp"
#include "k8s/client/credentials.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <memory>
#include <string>

namespace kc::k8s {

using tls_stream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

/// Builds the OpenSSL client context (TLS >= 1.2): verify_peer with the
/// configured CA bundle (or the system paths), unless
/// insecure-skip-tls-verify is set; the client certificate and key of
/// `auth` if any. False with a one-line `error` on bad PEM data.
bool make_tls_context(const client_config& cfg, const auth_material& auth,
                      std::shared_ptr<boost::asio::ssl::context>& out,
                      std::string& error);

/// Prepares a stream before the handshake: SNI only for DNS names, and
/// host-name verification (pitfall 31) of tls-server-name or the host,
/// both as X509 verify parameter (for a clear error) and as
/// ssl::host_name_verification callback. False with `error` on failure.
bool prepare_tls_stream(tls_stream& s, const client_config& cfg,
                        std::string& error);

/// The name the server certificate must carry.
std::string verified_name(const client_config& cfg);

/// Describes a failed handshake: the OpenSSL reason plus the certificate
/// verification result (e.g. "Hostname mismatch") if there was one.
std::string describe_tls_failure(tls_stream& s, const client_config& cfg,
                                 const boost::system::error_code& ec);

} // namespace kc::k8s
