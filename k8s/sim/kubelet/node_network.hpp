#pragma once

// Nodes as network namespaces for the process kubelet (ADR 0072): a bridge
// with the gateway 198.18.0.1 (where the control plane also listens), one
// named network namespace per node with the node's InternalIP on its eth0
// (a veth into the bridge) and a default route via the gateway. Root and
// iproute2 are needed; otherwise pods use the host's network (loopback
// fallback). teardown() removes the bridge, the veths and the namespaces.

#include <map>
#include <string>
#include <vector>

namespace kc::sim {

struct server_config;

/// The gateway on the bridge; the control plane is reachable there.
inline constexpr const char* node_bridge_gateway = "198.18.0.1";

/// Extra addresses the control plane's certificate must carry for `cfg`
/// (the gateway when the process kubelet may build node namespaces).
std::vector<std::string> kubelet_certificate_hosts(const server_config& cfg);

/// The bridge and the node namespaces of one control plane.
class node_network {
public:
  node_network() = default;
  ~node_network();
  node_network(const node_network&) = delete;
  node_network& operator=(const node_network&) = delete;

  /// Builds the network for `nodes` (name → InternalIP). Returns false
  /// with the reason in `why` when it cannot (not root, no `ip`, the
  /// gateway address taken by another instance); nothing is left then.
  bool setup(const std::map<std::string, std::string>& nodes,
             std::string& why);

  /// /run/netns/<name> of `node`, or "" (host network).
  std::string netns_path(const std::string& node) const;

  /// Removes everything setup() created (idempotent).
  void teardown();

private:
  std::string bridge_;
  std::map<std::string, std::string> netns_; // node → netns name
  std::vector<std::string> veths_;
};

} // namespace kc::sim

namespace kc::sim {

/// `host` plus kubelet_certificate_hosts(cfg).
inline std::vector<std::string> with_kubelet_hosts(const server_config& cfg,
                                                   const std::string& host) {
  auto out = kubelet_certificate_hosts(cfg);
  out.insert(out.begin(), host);
  return out;
}

} // namespace kc::sim
