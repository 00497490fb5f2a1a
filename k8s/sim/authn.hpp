#pragma once

// Authentication and impersonation of the embedded control plane
// (ADR 0003, ADR 0007).
//
// Users:
//   admin bearer token      "kubecombo-admin", groups system:masters
//   client certificate      CN = user, O = groups (admin cert: system:masters)
//   ServiceAccount token    "system:serviceaccount:NS:NAME", groups
//                           system:serviceaccounts, system:serviceaccounts:NS
//   plain HTTP              "kubecombo-admin", system:masters
// Everyone authenticated also gets system:authenticated.

#include "k8s/sim/request.hpp"

#include <optional>
#include <string_view>

struct ssl_st;

namespace kc::sim {

class control_plane;

/// The admin user of the generated kubeconfig (token context).
inline constexpr const char* admin_user = "kubecombo-admin";

/// Fills req.authenticated/user/groups from the Authorization header value
/// or the peer certificate of `ssl` (null: plain HTTP, everyone is admin).
void authenticate(control_plane& cp, std::string_view authorization,
                  ssl_st* ssl, api_request& req);

/// True for a header that must be copied into api_request::impersonate.
bool is_impersonation_header(std::string_view name);

/// Applies the Impersonate-* headers of `req` if the requester may
/// impersonate (RBAC verb `impersonate` on users/groups/serviceaccounts/
/// uids); the 403 response otherwise.
std::optional<api_response> impersonate(control_plane& cp, api_request& req);

/// The groups of ServiceAccount NS:NAME (without system:authenticated).
std::vector<std::string> service_account_groups(const std::string& ns);

/// Splits "system:serviceaccount:NS:NAME"; false for other names.
bool split_sa_username(std::string_view user, std::string& ns,
                       std::string& name);

} // namespace kc::sim
