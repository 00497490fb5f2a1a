#pragma once

// Deployment status and conditions (internal to the Deployment controller).

#include "k8s/sim/cluster/workloads.hpp"

#include <string>

namespace kc::sim::cluster {

/// Writes the Deployment's status (only if it changed): counts summed over
/// its ReplicaSets, observedGeneration, Available and Progressing.
/// `new_rs` is the current template's ReplicaSet ("" if none yet).
void write_deployment_status(context& ctx, const stored_ptr& dp,
                             const std::string& new_rs, int64_t updated,
                             int64_t spec_total, int64_t total, int64_t ready,
                             int64_t available, int64_t max_unavailable,
                             bool created_now);

} // namespace kc::sim::cluster
