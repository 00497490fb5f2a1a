#pragma once

// Building blocks of a pod's status as a kubelet reports it (api:P2):
// conditions, container statuses with image ids and container ids, IPs,
// the QoS class. Shared by the stage and process backends.

#include "k8s/sim/util.hpp"

#include <boost/json/array.hpp>

#include <string>

namespace kc::sim::kubelet_status {

/// "Guaranteed", "Burstable" or "BestEffort" from the containers' resources
/// (the apiserver's rule).
std::string qos_class(const json::object& spec);

/// One pod condition (`reason` only when not empty).
json::object condition(const char* type, bool status, const std::string& now,
                       const std::string& reason = "");

/// `[{"ip": ip}]` (podIPs / hostIPs).
json::array ip_list(const std::string& ip);

/// The image as the kubelet reports it, tagged: "busybox" → "busybox:latest"
/// (no registry host is invented; ADR 0070).
std::string image_ref(const std::string& image);

/// A stable, digest-style imageID for the image
/// ("busybox@sha256:<hex of the name>").
std::string image_id(const std::string& image);

/// A fresh "kubecombo://<64 hex>" container id.
std::string new_container_id();

/// The five conditions of a pod whose init containers are (not) done and
/// whose containers are (not) all ready; lastTransitionTime kept from
/// `old_status` while a condition's status stays.
json::array conditions(bool initialized, bool ready, const std::string& since,
                       const json::object* old_status);

/// The full status of a pod whose containers all run (stage mode):
/// Running, ready, init containers Completed.
json::object running_status(const json::object& pod, const std::string& ip,
                            const std::string& now);

/// True if `status` already describes the containers of `spec` as running
/// (same names and images), so nothing needs to be written.
bool is_running_for(const json::object& status, const json::object& spec);

} // namespace kc::sim::kubelet_status
