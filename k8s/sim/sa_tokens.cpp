// ServiceAccount tokens: HS256 JWTs, issue and verification (ADR 0007).

#include "k8s/sim/sa_tokens.hpp"

#include "k8s/api/json_access.hpp"
#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/jose.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace kc::sim {

namespace {

using k8s::int_at;

std::string hmac_sha256(const std::string& key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md,
       &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

const char* header_b64() {
  static const std::string h
    = base64url_encode(R"({"alg":"HS256","kid":"kubecombo-sa","typ":"JWT"})");
  return h.c_str();
}

/// The store key of a bound object kind ("" if unsupported).
std::string bound_key(const std::string& kind) {
  if (kind == "Pod")
    return "pods";
  if (kind == "Secret")
    return "secrets";
  return {};
}

} // namespace

token_signer::token_signer() : key_(32, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), 32) != 1)
    throw std::runtime_error("RAND_bytes failed");
}

std::string token_signer::sign(const json::object& claims) const {
  std::string msg = std::string(header_b64()) + "."
                    + base64url_encode(json::serialize(claims));
  return msg + "." + base64url_encode(hmac_sha256(key_, msg));
}

std::optional<json::object> token_signer::verify(std::string_view token) const {
  auto d1 = token.find('.');
  if (d1 == std::string_view::npos)
    return std::nullopt;
  auto d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.substr(0, d1) != header_b64())
    return std::nullopt;
  std::string sig;
  if (!base64url_decode(token.substr(d2 + 1), sig))
    return std::nullopt;
  auto want = hmac_sha256(key_, token.substr(0, d2));
  if (sig.size() != want.size()
      || CRYPTO_memcmp(sig.data(), want.data(), sig.size()) != 0)
    return std::nullopt;
  std::string payload;
  if (!base64url_decode(token.substr(d1 + 1, d2 - d1 - 1), payload))
    return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  return v.as_object();
}

std::optional<issued_token> issue_token(control_plane& cp,
                                        const std::string& ns,
                                        const std::string& sa,
                                        const token_options& opt) {
  auto acct = cp.objects.get("serviceaccounts", ns, sa);
  if (!acct)
    return std::nullopt;
  json::object k8s{{"namespace", ns},
                   {"serviceaccount",
                    json::object{{"name", sa},
                                 {"uid", meta_str(acct->obj, "uid")}}}};
  if (!opt.bound_kind.empty()) {
    auto key = bound_key(opt.bound_kind);
    auto bound = key.empty() ? nullptr : cp.objects.get(key, ns, opt.bound_name);
    if (!bound
        || (!opt.bound_uid.empty() && meta_str(bound->obj, "uid") != opt.bound_uid))
      return std::nullopt;
    json::object ref{{"name", opt.bound_name},
                     {"uid", meta_str(bound->obj, "uid")}};
    k8s[opt.bound_kind == "Pod" ? "pod" : "secret"] = std::move(ref);
    if (opt.bound_kind == "Pod")
      if (auto spec = obj_at(bound->obj, "spec"))
        if (auto node = str_at(*spec, "nodeName"); !node.empty())
          k8s["node"] = json::object{{"name", node}};
  }
  json::array aud;
  for (auto& a : opt.audiences)
    aud.emplace_back(a);
  if (aud.empty())
    aud.emplace_back(default_token_audience);
  auto now = unix_now();
  auto exp = now + std::clamp<int64_t>(opt.expiration_seconds, 600,
                                       int64_t{1} << 32);
  json::object claims{{"aud", std::move(aud)},
                      {"exp", exp},
                      {"iat", now},
                      {"iss", default_token_audience},
                      {"jti", random_uuid()},
                      {"kubernetes.io", std::move(k8s)},
                      {"nbf", now},
                      {"sub", "system:serviceaccount:" + ns + ":" + sa}};
  return issued_token{
    cp.sa_signer.sign(claims),
    rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(exp)))};
}

std::optional<token_identity> verify_token(control_plane& cp,
                                           std::string_view token) {
  auto claims = cp.sa_signer.verify(token);
  if (!claims)
    return std::nullopt;
  auto now = unix_now();
  if (int_at(*claims, "exp") <= now || int_at(*claims, "nbf") > now + 60)
    return std::nullopt;
  auto k8s = obj_at(*claims, "kubernetes.io");
  auto sa = k8s ? obj_at(*k8s, "serviceaccount") : nullptr;
  if (!sa)
    return std::nullopt;
  token_identity id{str_at(*k8s, "namespace"), str_at(*sa, "name"),
                    str_at(*sa, "uid")};
  auto acct = cp.objects.get("serviceaccounts", id.ns, id.name);
  if (!acct || meta_str(acct->obj, "uid") != id.uid)
    return std::nullopt;
  for (auto [claim, key] : {std::pair{"pod", "pods"},
                            std::pair{"secret", "secrets"}})
    if (auto ref = obj_at(*k8s, claim)) {
      auto bound = cp.objects.get(key, id.ns, str_at(*ref, "name"));
      if (!bound || meta_str(bound->obj, "uid") != str_at(*ref, "uid"))
        return std::nullopt;
    }
  return id;
}

} // namespace kc::sim
