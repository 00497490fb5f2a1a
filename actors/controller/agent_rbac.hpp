#pragma once

// Makes the agents' ServiceAccount, Role, RoleBinding and nodes
// ClusterRoleBinding of a namespace exist as desired
// (k8s::kubecombo::desired_agent_rbac): GET each, create it when absent,
// update it when a field we set differs, leave it alone otherwise. A failed
// ClusterRoleBinding write (e.g. a controller without that permission) is
// logged and does not fail the pass; the agents then lack only node reads.

#include "k8s/client/api_client.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kc::controller {

/// Called once at the end: "" on success, else what failed.
using on_done = std::function<void(std::string error)>;

/// Ensures `desired` (in order), then calls `done`.
void ensure_agent_rbac(std::shared_ptr<k8s::api_client> api,
                       std::vector<boost::json::object> desired, on_done done);

/// A fingerprint of the desired objects (skip the GETs while unchanged).
std::string rbac_fingerprint(const std::vector<boost::json::object>& desired);

} // namespace kc::controller
