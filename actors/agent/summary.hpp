#pragma once

// The pinger summary annotation on the agent's own Pod (issue 6; format
// agreed with the Pinger controller's roll-up in /work/team/requests.md):
// `kubecombo.com/pinger-summary` = compact JSON
// `{"targets":N,"unhealthy":U,"down":["icmp/10.0.0.1","tcp/x:80",...]}` —
// N every probed target (peers included), U the targets down, `down` at most
// 20 of them as `<proto>/<addr>`. TARGETS writes it by merge patch when it
// changes, at most once per 5 s (ADR 0025).

#include "k8s/client/api_client.hpp"

#include <memory>
#include <string>
#include <vector>

namespace kc::agent {

/// The annotation's key.
inline constexpr const char* pinger_summary_key
    = "kubecombo.com/pinger-summary";

/// The annotation's value; `down` is listed up to 20 entries (sorted).
std::string pinger_summary_json(size_t targets, std::vector<std::string> down);

/// Where and how TARGETS writes the summary (api null = not at all).
struct summary_target {
  std::shared_ptr<k8s::api_client> api;
  std::string ns, pod;
};

/// Merge-patches the annotation onto the Pod; fire and forget (a failure
/// is logged once per streak of failures).
void write_pinger_summary(const summary_target& t, const std::string& json);

} // namespace kc::agent
