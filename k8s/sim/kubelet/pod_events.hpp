#pragma once

// Events of the process kubelet (ADR 0075): what a real kubelet records on
// a pod (Pulled, Created, Started, Killing, BackOff, Failed), written as
// core/v1 Events with source {component: kubelet, host: <node>} so that
// `kubectl describe pod` and `kubectl events` show them.

#include "k8s/sim/store.hpp"

#include <string>

namespace kc::sim {
class control_plane;
}

namespace kc::sim::kubelet_process {

/// Records one Event about `pod` on `node` ("Normal" or "Warning").
/// `container` names the container (fieldPath spec.containers{NAME}).
void pod_event(control_plane& cp, const stored_ptr& pod,
               const std::string& node, const std::string& container, bool init,
               const std::string& type, const std::string& reason,
               const std::string& message);

} // namespace kc::sim::kubelet_process
