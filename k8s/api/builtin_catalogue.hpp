#pragma once

#include "k8s/api/resource_type.hpp"

#include <vector>

namespace kc::k8s {

/// The built-in resources a Kubernetes 1.32 apiserver reports in discovery
/// for the kinds kubecombo serves (issue 2 item 5), in a stable order.
std::vector<resource_type_ptr> builtin_resource_types();

} // namespace kc::k8s
