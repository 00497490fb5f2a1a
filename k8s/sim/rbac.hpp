#pragma once

// RBAC authorization of the embedded control plane (ADR 0007): Roles,
// ClusterRoles, RoleBindings and ClusterRoleBindings read from the store
// on every request; system:masters is always allowed (no aggregation).

#include "k8s/sim/request.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace kc::sim {

class control_plane;

/// authorizer.Attributes of one request.
struct authz_attributes {
  std::string user;
  std::vector<std::string> groups;
  std::string verb;
  /// False for non-resource URLs (`path` then applies).
  bool resource_request = true;
  std::string group;
  std::string version;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  std::string path;
};

/// The answer and, like the apiserver, why.
struct authz_decision {
  bool allowed = false;
  /// "RBAC: allowed by ..." or, when denied, the evaluation errors.
  std::string reason;
};

/// Evaluates RBAC (and the system:masters bypass).
authz_decision authorize(control_plane& cp, const authz_attributes& a);

/// rbac.RuleAllows: one PolicyRule against the attributes.
bool rule_allows(const boost::json::object& rule, const authz_attributes& a);

/// The PolicyRules bound to a user (RBAC RulesFor): ClusterRoleBindings
/// first, then the RoleBindings of `ns` (if not empty).
struct rbac_rules {
  std::vector<boost::json::object> rules;
  /// Roles that bindings name but that do not exist.
  std::vector<std::string> errors;
};

/// The rules of `a.user` / `a.groups` in namespace `ns` (only user and
/// groups of `a` are used; no system:masters bypass).
rbac_rules rules_for(control_plane& cp, const authz_attributes& a,
                     const std::string& ns);

/// The 403 Status the apiserver returns for a denied request.
api_response forbidden_response(const authz_attributes& a,
                                const std::string& reason);

class txn;

/// Writes the default ClusterRoles and ClusterRoleBindings of a real
/// cluster: cluster-admin (system:masters), system:discovery,
/// system:basic-user, system:public-info-viewer (system:authenticated) and
/// simplified admin, edit and view roles (no aggregation).
void bootstrap_rbac(txn& tx);

/// True if `groups` contains `g`.
bool has_group(const std::vector<std::string>& groups, const std::string& g);

} // namespace kc::sim
