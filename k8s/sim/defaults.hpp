#pragma once

// API-server defaulting of built-in kinds (ADR 0013): what
// k8s.io/kubernetes/pkg/apis/{core,apps}/v1/defaults.go fills in when a
// field is absent, applied on every create and update (also patches and
// server-side apply) before the generation check, so `kubectl get -o yaml`
// shows what a real cluster stores. Admission-added fields (service
// account, priority, default tolerations) are not part of it.

#include "k8s/api/resource_type.hpp"
#include "k8s/sim/util.hpp"

namespace kc::sim {

/// Fills the defaults of `obj` in place (idempotent); kinds without
/// defaults are left unchanged. Pods, Deployments, DaemonSets,
/// ReplicaSets (and their pod templates) are covered.
void apply_defaults(const k8s::resource_type& t, json::object& obj);

/// SetDefaults_PodSpec + SetDefaults_Container for `spec` (a pod's or a
/// pod template's spec); `pod` adds the Pod-only defaults
/// (enableServiceLinks, requests copied from limits).
void default_pod_spec(json::object& spec, bool pod);

/// The imagePullPolicy a real API server picks for `image`: Always for
/// ":latest" or no tag (without digest), else IfNotPresent.
std::string default_pull_policy(std::string_view image);

} // namespace kc::sim
