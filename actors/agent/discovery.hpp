#pragma once

// The DISCOVERY actor (issue 6; DESIGN §3; ADR 0022): watches the Ready
// pods of the own DaemonSet (`debug=<debugger>` in the own namespace)
// through an INFORMER (never periodic LISTs) and turns each peer's pod IP
// into one target per configured protocol for TARGETS (source "peer").
// New Ready peers are put, departed or unready ones removed. While the API
// is unreachable the informer backs off and the last known peers stay; an
// API that is down at start is retried, never fatal.

#include "actors/agent/actor_cell.hpp"
#include "actors/runtime/actor_registry.hpp"
#include "k8s/client/api_client.hpp"
#include "messages/pinger_agent_types.hpp"
#include "telemetry/metrics.hpp"

#include <caf/stateful_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kc::agent {

/// One protocol every peer is probed with (port 0 = ICMP).
struct peer_probe {
  uint8_t proto = 0;
  uint16_t port = 0;
};

/// The peers known so far; survives restarts of DISCOVERY.
struct peer_book {
  std::mutex mtx;
  /// Pod key "<ns>/<name>" → pod IP of every Ready peer.
  std::map<std::string, std::string> peers;
  /// "<proto>/<label>" → engine slot (a re-appearing IP keeps its slot).
  std::map<std::string, uint32_t> slots;
  /// Set once DISCOVERY saw its first full list.
  bool synced = false;
  /// Next slot per protocol when no allocator is set.
  uint32_t next_slot[4] = {0, 0, 0, 0};
};

/// How DISCOVERY runs.
struct discovery_config {
  std::shared_ptr<k8s::api_client> api;
  /// The own namespace, Debugger (label `debug=<name>`) and pod (skipped).
  std::string ns, debugger, own_pod;
  std::vector<peer_probe> probes{{0, 0}};
  /// Where targets go (may be empty while TARGETS restarts).
  std::shared_ptr<actor_cell<targets_actor>> targets;
  /// Engine slot of a peer target that appears (or re-appears: the same
  /// label gets its slot back and is probed again); nullopt = cannot probe
  /// it (the peer is only tracked). Null = count slots per protocol from 0
  /// (tests). Not called on the periodic re-puts.
  std::function<std::optional<uint32_t>(uint8_t proto,
                                        const std::string& label)>
      slot_for;
  /// A peer target left: its engine stops probing the slot (null = none).
  std::function<void(uint8_t proto, uint32_t slot)> release;
  std::shared_ptr<peer_book> book = std::make_shared<peer_book>();
  /// Re-puts every known peer this often (a restarted TARGETS forgot them).
  caf::timespan resync = std::chrono::seconds{5};
  /// Informer metrics (null = none).
  telemetry::registry* metrics = nullptr;
};

/// The DISCOVERY actor's state.
struct discovery_state {
  static inline const char* name = "discovery";
  discovery_config cfg;
  /// Pod keys seen by this incarnation's informer (for the sync sweep).
  std::set<std::string> seen;
  bool synced = false;
  uint64_t added = 0, removed = 0;
  runtime::entry_ptr entry;
};

/// The label of a peer target: "ip" for ICMP, "ip:port" / "[ip]:port".
std::string peer_label(const std::string& ip, const peer_probe& p);

/// DISCOVERY: accepts resource_event, (synced, kind), (get) → the peer IPs
/// one per line (sorted), (status) → a summary string.
caf::behavior discovery(caf::stateful_actor<discovery_state>* self,
                        discovery_config cfg, runtime::entry_ptr entry);

} // namespace kc::agent
