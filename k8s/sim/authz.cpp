// Impersonation and RBAC hooks of the request path (ADR 0007).

#include "k8s/sim/authz.hpp"

#include "k8s/sim/authn.hpp"

#include <cctype>

namespace kc::sim {

namespace {

std::size_t segments(const std::string& path) {
  std::size_t n = 0;
  bool in = false;
  for (char c : path) {
    if (c == '/')
      in = false;
    else if (!in) {
      in = true;
      ++n;
    }
  }
  return n;
}

/// Admins (system:masters) and in-process components, which call
/// control_plane::handle without a user (e.g. the cluster controllers).
bool unrestricted(const api_request& req) {
  return req.user.empty() || has_group(req.groups, "system:masters");
}

} // namespace

bool is_resource_path(const std::string& path) {
  auto n = segments(path);
  if (path.rfind("/api/", 0) == 0)
    return n >= 3;
  if (path.rfind("/apis/", 0) == 0)
    return n >= 4;
  return false;
}

std::optional<api_response> authorize_request(control_plane& cp,
                                              api_request& req) {
  if (auto bad = impersonate(cp, req))
    return bad;
  if (is_resource_path(req.path) || unrestricted(req))
    return std::nullopt;
  authz_attributes a;
  a.user = req.user;
  a.groups = req.groups;
  a.resource_request = false;
  a.path = req.path;
  for (char c : req.method)
    a.verb += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto d = authorize(cp, a);
  if (d.allowed)
    return std::nullopt;
  return forbidden_response(a, d.reason);
}

authz_attributes route_attributes(const api_request& req, const route& r) {
  authz_attributes a;
  a.user = req.user;
  a.groups = req.groups;
  a.group = r.type->group;
  a.version = r.type->version;
  a.resource = r.type->resource;
  a.subresource = r.sub;
  a.ns = r.ns;
  a.name = r.name;
  auto& m = req.method;
  bool collection = r.name.empty();
  if (m == "GET" || m == "HEAD") {
    bool watch = r.watch_prefix;
    if (auto w = req.param("watch")) {
      bool v = false;
      if (parse_go_bool(*w, v) && v)
        watch = true;
    }
    a.verb = watch ? "watch" : collection ? "list" : "get";
  } else if (m == "POST") {
    a.verb = "create";
  } else if (m == "PUT") {
    a.verb = "update";
  } else if (m == "PATCH") {
    a.verb = "patch";
  } else if (m == "DELETE") {
    a.verb = collection ? "deletecollection" : "delete";
  } else {
    for (char c : m)
      a.verb += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // A namespace is its own namespace (RequestInfo sets it for namespaces).
  if (a.group.empty() && a.resource == "namespaces" && !a.name.empty())
    a.ns = a.name;
  return a;
}

std::optional<api_response> authorize_route(control_plane& cp,
                                            api_request& req,
                                            const route& r) {
  if (!unrestricted(req)) {
    auto a = route_attributes(req, r);
    auto d = authorize(cp, a);
    if (!d.allowed)
      return forbidden_response(a, d.reason);
  }
  return serve_security_resource(cp, req, r);
}

} // namespace kc::sim
