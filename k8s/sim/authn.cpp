// Authentication (admin token, client certificates, ServiceAccount tokens)
// and impersonation (ADR 0007).

#include "k8s/sim/authn.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/rbac.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

namespace kc::sim {

namespace {

constexpr std::string_view sa_prefix = "system:serviceaccount:";

/// CN and O entries of a certificate subject.
void subject_of(X509* cert, std::string& cn, std::vector<std::string>& orgs) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int n = X509_NAME_entry_count(subject);
  for (int i = 0; i < n; ++i) {
    X509_NAME_ENTRY* e = X509_NAME_get_entry(subject, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    ASN1_STRING* d = X509_NAME_ENTRY_get_data(e);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, d);
    if (len < 0)
      continue;
    std::string v(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    if (nid == NID_commonName)
      cn = v;
    else if (nid == NID_organizationName)
      orgs.push_back(v);
  }
}

void add_group(std::vector<std::string>& groups, const std::string& g) {
  if (!has_group(groups, g))
    groups.push_back(g);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::vector<std::string> service_account_groups(const std::string& ns) {
  return {"system:serviceaccounts", "system:serviceaccounts:" + ns};
}

bool split_sa_username(std::string_view user, std::string& ns,
                       std::string& name) {
  if (user.substr(0, sa_prefix.size()) != sa_prefix)
    return false;
  auto rest = user.substr(sa_prefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0
      || colon + 1 == rest.size())
    return false;
  ns = std::string(rest.substr(0, colon));
  name = std::string(rest.substr(colon + 1));
  return name.find(':') == std::string::npos;
}

void authenticate(control_plane& cp, std::string_view authorization,
                  ssl_st* ssl, api_request& req) {
  req.authenticated = false;
  req.groups.clear();
  if (!ssl) {
    req.authenticated = true;
    req.user = admin_user;
    req.groups = {"system:masters", "system:authenticated"};
    return;
  }
  if (X509* peer = SSL_get1_peer_certificate(ssl)) {
    if (SSL_get_verify_result(ssl) == X509_V_OK) {
      std::string cn;
      std::vector<std::string> orgs;
      subject_of(peer, cn, orgs);
      if (!cn.empty()) {
        req.authenticated = true;
        req.user = cn;
        req.groups = orgs;
      }
    }
    X509_free(peer);
  }
  if (!req.authenticated && authorization.size() > 7) {
    auto scheme = lower(authorization.substr(0, 7));
    auto tok = authorization.substr(7);
    while (!tok.empty() && tok.front() == ' ')
      tok.remove_prefix(1);
    if (scheme == "bearer ") {
      if (tok == cp.token) {
        req.authenticated = true;
        req.user = admin_user;
        req.groups = {"system:masters"};
      } else if (auto id = verify_token(cp, tok)) {
        req.authenticated = true;
        req.user = id->username();
        req.uid = id->uid;
        req.groups = service_account_groups(id->ns);
      }
    }
  }
  if (req.authenticated)
    add_group(req.groups, "system:authenticated");
}

bool is_impersonation_header(std::string_view name) {
  return lower(name.substr(0, 12)) == "impersonate-";
}

std::optional<api_response> impersonate(control_plane& cp, api_request& req) {
  if (req.impersonate.empty())
    return std::nullopt;
  std::string user, uid;
  bool has_user = false;
  std::vector<std::string> groups;
  std::vector<std::pair<std::string, std::string>> extras;
  for (auto& [k, v] : req.impersonate) {
    if (k == "impersonate-user") {
      user = v;
      has_user = true;
    } else if (k == "impersonate-group") {
      groups.push_back(v);
    } else if (k == "impersonate-uid") {
      uid = v;
    } else if (k.rfind("impersonate-extra-", 0) == 0) {
      extras.emplace_back(k.substr(18), v);
    }
  }
  if (!has_user) {
    if (groups.empty() && extras.empty() && uid.empty())
      return std::nullopt;
    return from_status(k8s::status_internal(
      "requested impersonation of groups, extra or uid without impersonating "
      "a user"));
  }
  // Every impersonated attribute must be allowed (verb "impersonate").
  std::vector<authz_attributes> checks;
  auto base = [&] {
    authz_attributes a;
    a.user = req.user;
    a.groups = req.groups;
    a.verb = "impersonate";
    return a;
  };
  std::string sa_ns, sa_name;
  bool is_sa = split_sa_username(user, sa_ns, sa_name);
  {
    auto a = base();
    if (is_sa) {
      a.resource = "serviceaccounts";
      a.ns = sa_ns;
      a.name = sa_name;
    } else {
      a.resource = "users";
      a.name = user;
    }
    checks.push_back(a);
  }
  for (auto& g : groups) {
    auto a = base();
    a.resource = "groups";
    a.name = g;
    checks.push_back(a);
  }
  if (!uid.empty()) {
    auto a = base();
    a.group = "authentication.k8s.io";
    a.resource = "uids";
    a.name = uid;
    checks.push_back(a);
  }
  for (auto& [k, v] : extras) {
    auto a = base();
    a.group = "authentication.k8s.io";
    a.resource = "userextras";
    a.subresource = k;
    a.name = v;
    checks.push_back(a);
  }
  for (auto& a : checks) {
    auto d = authorize(cp, a);
    if (!d.allowed)
      return forbidden_response(a, d.reason);
  }
  if (is_sa && groups.empty())
    groups = service_account_groups(sa_ns);
  if (user != "system:anonymous")
    add_group(groups, "system:authenticated");
  else
    add_group(groups, "system:unauthenticated");
  req.user = user;
  req.uid = uid;
  req.groups = std::move(groups);
  return std::nullopt;
}

} // namespace kc::sim
