#pragma once

// ServiceAccount tokens of the embedded control plane (ADR 0007).
//
// A token is a JWT (HS256, signed with a random per-process key) with the
// claims of a real projected token: iss, sub
// ("system:serviceaccount:NS:NAME"), aud, iat, nbf, exp and
// "kubernetes.io": {namespace, serviceaccount:{name,uid}, pod:{name,uid}?}.
// It is valid while it has not expired and the ServiceAccount (and the
// bound Pod, if any) still exists with the same uid: deleting the
// ServiceAccount invalidates its tokens at once.
//
// In-process use (the process kubelet mounting a token):
//   auto tok = kc::sim::issue_token(plane, "default", "default");
//   if (tok) write(".../token", tok->token);   // std::nullopt: no such SA
// or through the server: `srv.issue_token("ns", "sa")` ("" if none).
// HTTP: POST /api/v1/namespaces/NS/serviceaccounts/NAME/token
// (TokenRequest, what `kubectl create token` sends).

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kc::sim {

class control_plane;

/// The audience of tokens that ask for none (the API server's issuer).
inline constexpr const char* default_token_audience
  = "https://kubernetes.default.svc.cluster.local";

/// What a TokenRequest may ask for.
struct token_options {
  /// Audiences; empty = {default_token_audience}.
  std::vector<std::string> audiences;
  /// Lifetime; clamped to [600, 2^32] like the apiserver (default 1 h).
  int64_t expiration_seconds = 3600;
  /// Optional bound object ("Pod" or "Secret"): the token dies with it.
  std::string bound_kind;
  std::string bound_name;
  std::string bound_uid;
};

/// An issued token.
struct issued_token {
  std::string token;
  /// RFC 3339 expiry (TokenRequest status.expirationTimestamp).
  std::string expiration_timestamp;
};

/// Who a valid token belongs to.
struct token_identity {
  std::string ns;
  std::string name;
  std::string uid;
  /// "system:serviceaccount:NS:NAME".
  std::string username() const {
    return "system:serviceaccount:" + ns + ":" + name;
  }
};

/// Signs and checks JWTs with HMAC-SHA256 and a random 256-bit key.
class token_signer {
public:
  token_signer();
  /// header.payload.signature (base64url, no padding).
  std::string sign(const boost::json::object& claims) const;
  /// The claims if the signature is valid (expiry not checked).
  std::optional<boost::json::object> verify(std::string_view token) const;

private:
  std::string key_;
};

/// Issues a token for ServiceAccount `ns`/`sa`; nullopt if it does not
/// exist (or the bound object does not exist / has another uid).
std::optional<issued_token> issue_token(control_plane& cp,
                                        const std::string& ns,
                                        const std::string& sa,
                                        const token_options& opt = {});

/// Checks a bearer token: signature, time window, and that the
/// ServiceAccount and the bound object still exist with the token's uids.
std::optional<token_identity> verify_token(control_plane& cp,
                                           std::string_view token);

} // namespace kc::sim
