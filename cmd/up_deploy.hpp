#pragma once

// What `kubecombo up` installs and how it knows each part is up (ADR 0076):
// deploy/ (controller as a Pod with in-cluster config), then the samples —
// the job-style script Debugger first, the DaemonSet Debugger with its
// Pinger second (one machine: all pods of a node share its network
// namespace, so the two debugger agents must not overlap on port 8090).

#include "cmd/up_api.hpp"
#include "cmd/up_manifests.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace kc::cmd::up {

/// The port the sample Pinger's /metrics uses under `up` (the controller's
/// metrics keep :8080 in the same node namespace).
inline constexpr int pinger_metrics_port = 9080;

/// deploy/ rendered (plus the webhook component when `webhooks`).
std::vector<boost::json::object> deploy_objects(const manifest_source& src,
                                                bool webhooks);

/// Adds the Secret `kubecombo-webhook-cert` (a certificate for the
/// controller's Service names) and sets its CA as the caBundle of the
/// webhook configurations in `objs` (cmd/up_webhook.cpp).
void add_webhook_certificate(std::vector<boost::json::object>& objs);

/// Gives each node's hostPath root (`<kubelet_dir>/nodes/<node>`) read views
/// of the machine (/proc, /sys, /etc/resolv.conf) for the checks
/// (cmd/up_hostroot.cpp).
void link_host_views(const std::string& kubelet_dir, int nodes);

/// The samples `up` installs, adapted to one machine: the Pinger probes
/// only addresses of the node network (the gateway 198.18.0.1 where the
/// control plane listens on `api_port`, and the mesh) instead of cluster
/// service names, and serves /metrics on pinger_metrics_port.
struct sample_set {
  std::vector<boost::json::object> script_job; ///< ConfigMap + Debugger
  std::vector<boost::json::object> inspector;  ///< Pinger + Debugger
};
sample_set sample_objects(const manifest_source& src, uint16_t api_port);

/// What is missing before each part counts as up ("" = up).
std::string controller_missing(api_session& api);
std::string script_job_missing(api_session& api);
std::string inspector_missing(api_session& api, int nodes);

} // namespace kc::cmd::up
