#pragma once

// The objects every simulated cluster starts with (ADR 0002): the four
// system namespaces with their `default` ServiceAccounts, and N Ready,
// untainted worker nodes `kubecombo-worker-1..N` with complete status
// (api:P2) and their node Leases.

#include "k8s/sim/util.hpp"

#include <string>

namespace kc::sim {

/// The name of worker node `i` (1-based).
std::string node_name(int i);

/// A complete Node object for worker `i`.
json::object make_node(int i);

/// The `default` ServiceAccount of namespace `ns`, with system fields.
json::object default_service_account(const std::string& ns);

/// A Namespace object with system fields and phase Active.
json::object make_namespace(const std::string& name);

/// The node Lease of worker `i` in kube-node-lease.
json::object make_node_lease(int i);

} // namespace kc::sim
