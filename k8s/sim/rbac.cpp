// RBAC evaluation (k8s plugin/pkg/auth/authorizer/rbac semantics).

#include "k8s/sim/rbac.hpp"
#include "k8s/sim/util.hpp"

#include "k8s/sim/control_plane.hpp"

#include <boost/json/array.hpp>

namespace kc::sim {

namespace {

const std::string rbac_group = "rbac.authorization.k8s.io";

bool resource_matches(const json::object& rule, const authz_attributes& a) {
  auto it = rule.find("resources");
  if (it == rule.end() || !it->value().is_array())
    return false;
  auto combined = a.subresource.empty() ? a.resource
                                        : a.resource + "/" + a.subresource;
  for (auto& e : it->value().as_array()) {
    if (!e.is_string())
      continue;
    std::string_view r = e.as_string();
    if (r == "*" || r == combined)
      return true;
    if (!a.subresource.empty() && r == "*/" + a.subresource)
      return true;
  }
  return false;
}

bool name_matches(const json::object& rule, const authz_attributes& a) {
  auto it = rule.find("resourceNames");
  if (it == rule.end() || !it->value().is_array()
      || it->value().as_array().empty())
    return true;
  for (auto& e : it->value().as_array())
    if (e.is_string() && e.as_string() == a.name)
      return true;
  return false;
}

bool url_matches(const json::object& rule, const std::string& path) {
  auto it = rule.find("nonResourceURLs");
  if (it == rule.end() || !it->value().is_array())
    return false;
  for (auto& e : it->value().as_array()) {
    if (!e.is_string())
      continue;
    std::string_view u = e.as_string();
    if (u == "*" || u == path)
      return true;
    if (!u.empty() && u.back() == '*'
        && path.compare(0, u.size() - 1, u.substr(0, u.size() - 1)) == 0)
      return true;
  }
  return false;
}

/// Whom `subject` names, for reasons: `User "x"`, `ServiceAccount "n/ns"`.
std::string describe(const json::object& s, const std::string& binding_ns) {
  auto kind = str_at(s, "kind");
  if (kind == "ServiceAccount") {
    auto ns = str_at(s, "namespace");
    return "ServiceAccount \"" + str_at(s, "name") + "/"
           + (ns.empty() ? binding_ns : ns) + "\"";
  }
  return kind + " \"" + str_at(s, "name") + "\"";
}

/// The first subject of `binding` that names the user, or null.
const json::object* applies_to(const json::object& binding,
                               const authz_attributes& a,
                               const std::string& binding_ns) {
  auto it = binding.find("subjects");
  if (it == binding.end() || !it->value().is_array())
    return nullptr;
  for (auto& e : it->value().as_array()) {
    auto s = e.if_object();
    if (!s)
      continue;
    auto kind = str_at(*s, "kind");
    auto name = str_at(*s, "name");
    if (kind == "User" && name == a.user)
      return s;
    if (kind == "Group" && has_group(a.groups, name))
      return s;
    if (kind == "ServiceAccount") {
      auto ns = str_at(*s, "namespace");
      if (ns.empty())
        ns = binding_ns;
      if (!ns.empty() && "system:serviceaccount:" + ns + ":" + name == a.user)
        return s;
    }
  }
  return nullptr;
}

/// Calls f(rule, binding, role kind, role name, subject) for every rule of
/// every role bound to the user in `ns` ("" = the ClusterRoleBindings)
/// until f returns true; missing roles are added to `errors`.
template <class F>
bool each_bound_rule(control_plane& cp, const authz_attributes& a,
                     const std::string& ns, std::vector<std::string>& errors,
                     F&& f) {
  bool cluster = ns.empty();
  uint64_t rev = 0;
  auto bindings = cp.objects.list(
    (cluster ? "clusterrolebindings." : "rolebindings.") + rbac_group, ns,
    rev);
  for (auto& b : bindings) {
    auto subject = applies_to(b->obj, a, ns);
    if (!subject)
      continue;
    auto ref = obj_at(b->obj, "roleRef");
    if (!ref)
      continue;
    auto kind = str_at(*ref, "kind");
    auto role_name = str_at(*ref, "name");
    bool cluster_role = kind == "ClusterRole";
    if (!cluster_role && (cluster || kind != "Role"))
      continue;
    auto role = cp.objects.get(
      (cluster_role ? "clusterroles." : "roles.") + rbac_group,
      cluster_role ? "" : ns, role_name);
    if (!role) {
      errors.push_back((cluster_role ? "clusterrole." : "role.") + rbac_group
                       + " \"" + role_name + "\" not found");
      continue;
    }
    auto rules = role->obj.find("rules");
    if (rules == role->obj.end() || !rules->value().is_array())
      continue;
    for (auto& r : rules->value().as_array())
      if (r.is_object() && f(r.as_object(), *b, kind, role_name, *subject))
        return true;
  }
  return false;
}

/// Looks for an allowing rule in the bindings of `ns` ("" = cluster).
bool visit(control_plane& cp, const authz_attributes& a,
           const std::string& ns, authz_decision& d,
           std::vector<std::string>& errors) {
  bool cluster = ns.empty();
  return each_bound_rule(
    cp, a, ns, errors,
    [&](const json::object& rule, const stored_object& b,
        const std::string& kind, const std::string& role_name,
        const json::object& subject) {
      if (!rule_allows(rule, a))
        return false;
      d.allowed = true;
      auto bname = cluster ? "\"" + b.name + "\""
                           : "\"" + b.name + "/" + ns + "\"";
      d.reason = "RBAC: allowed by "
                 + std::string(cluster ? "ClusterRoleBinding "
                                       : "RoleBinding ")
                 + bname + " of " + kind + " \"" + role_name + "\" to "
                 + describe(subject, ns);
      return true;
    });
}

} // namespace

bool has_group(const std::vector<std::string>& groups, const std::string& g) {
  for (auto& x : groups)
    if (x == g)
      return true;
  return false;
}

bool rule_allows(const json::object& rule, const authz_attributes& a) {
  if (!array_allows(rule, "verbs", a.verb))
    return false;
  if (!a.resource_request)
    return url_matches(rule, a.path);
  return array_allows(rule, "apiGroups", a.group) && resource_matches(rule, a)
         && name_matches(rule, a);
}

authz_decision authorize(control_plane& cp, const authz_attributes& a) {
  authz_decision d;
  if (has_group(a.groups, "system:masters")) {
    d.allowed = true;
    return d;
  }
  std::vector<std::string> errors;
  if (visit(cp, a, "", d, errors))
    return d;
  if (a.resource_request && !a.ns.empty() && visit(cp, a, a.ns, d, errors))
    return d;
  if (errors.size() == 1)
    d.reason = "RBAC: " + errors.front();
  else if (!errors.empty()) {
    d.reason = "RBAC: [";
    for (std::size_t i = 0; i < errors.size(); ++i)
      d.reason += (i ? ", " : "") + errors[i];
    d.reason += "]";
  }
  return d;
}

rbac_rules rules_for(control_plane& cp, const authz_attributes& a,
                     const std::string& ns) {
  rbac_rules out;
  auto collect = [&](const json::object& rule, const stored_object&,
                     const std::string&, const std::string&,
                     const json::object&) {
    out.rules.push_back(rule);
    return false;
  };
  each_bound_rule(cp, a, "", out.errors, collect);
  if (!ns.empty())
    each_bound_rule(cp, a, ns, out.errors, collect);
  return out;
}

api_response forbidden_response(const authz_attributes& a,
                                 const std::string& reason) {
  std::string msg = "User \"" + a.user + "\" cannot " + a.verb;
  if (!a.resource_request) {
    msg += " path \"" + a.path + "\"";
  } else {
    auto res = a.subresource.empty() ? a.resource
                                     : a.resource + "/" + a.subresource;
    msg += " resource \"" + res + "\" in API group \"" + a.group + "\"";
    msg += a.ns.empty() ? " at the cluster scope"
                        : " in the namespace \"" + a.ns + "\"";
  }
  if (!reason.empty())
    msg += ": " + reason;
  if (!a.resource_request)
    return from_status(k8s::status_forbidden(nullptr, "", msg));
  k8s::resource_type t;
  t.group = a.group;
  t.resource = a.resource;
  return from_status(k8s::status_forbidden(&t, a.name, msg));
}

} // namespace kc::sim
