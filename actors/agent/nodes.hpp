#pragma once

// Node targets (issue 6; `--enable-node-ip-check`, upstream's HOST_NETWORK
// node pings, fixed: a watch instead of a LIST every round, up:P15): the
// child `nodes` of `root` watches Nodes through `informer/nodes` and puts
// one ICMP target (source "node") per node InternalIP (first IPv4, else
// the first); a deleted node or a changed address is removed and its engine
// slot dropped. Needs `list`/`watch` on nodes; without it the informer
// fails fast and the supervisor retries with backoff.

#include "actors/agent/actor_cell.hpp"
#include "actors/runtime/actor_registry.hpp"
#include "k8s/client/api_client.hpp"
#include "messages/pinger_agent_types.hpp"
#include "telemetry/metrics.hpp"

#include <boost/json/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace kc::agent {

/// How NODES runs.
struct nodes_config {
  std::shared_ptr<k8s::api_client> api;
  std::shared_ptr<actor_cell<targets_actor>> targets;
  /// Engine slot of a node address (adds or resumes it); nullopt = skip.
  std::function<std::optional<uint32_t>(uint8_t proto, const std::string&)>
      slot_for;
  /// The engine stops probing a slot.
  std::function<void(uint8_t proto, uint32_t slot)> release;
  telemetry::registry* metrics = nullptr;
};

/// NODES' state.
struct nodes_state {
  static inline const char* name = "nodes";
  nodes_config cfg;
  /// Node name → its probed address; address → slot.
  std::map<std::string, std::string> addr;
  std::map<std::string, uint32_t> slots;
  runtime::entry_ptr entry;
};

/// A node's InternalIP (first IPv4, else the first); nullopt if none.
std::optional<std::string> node_internal_ip(const boost::json::object& node);

/// NODES: accepts resource_event, (synced, kind), (get) → addresses, one
/// per line (sorted).
caf::behavior nodes(caf::stateful_actor<nodes_state>* self, nodes_config cfg,
                    runtime::entry_ptr entry);

} // namespace kc::agent
