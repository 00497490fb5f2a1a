#pragma once

// The CONFIG actor (issue 6; DESIGN §3; ADR 0024): watches the agent's own
// Pinger (PINGER_NAME in POD_NAMESPACE) through an INFORMER and applies its
// spec live — targets (ping, tcpPing, udpPing, dns, gateway), interval,
// timeout, count and the failure/recovery thresholds — without restarting
// the engines. An invalid spec is one log line and the last good
// configuration stays; a deleted Pinger keeps it too. Without API access
// there is no CONFIG: the flags are the configuration.

#include "actors/agent/actor_cell.hpp"
#include "actors/runtime/actor_registry.hpp"
#include "k8s/client/api_client.hpp"
#include "messages/pinger_agent_types.hpp"
#include "telemetry/metrics.hpp"

#include <boost/json/fwd.hpp>
#include <caf/stateful_actor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace kc::agent {

/// What a Pinger's spec sets live.
struct live_config {
  /// Target lists by probes::protocol (the gateway is appended to ICMP).
  std::string lists[4];
  double interval = 5;    // seconds per round
  int64_t timeout_ms = 0; // 0 = min(1 s, interval / count)
  int64_t count = 1;      // probes per target per interval
  uint32_t fail = 3, recover = 2;
  std::string generation; // metadata.generation, for the log line
  bool same_schedule(const live_config& o) const {
    return interval == o.interval && timeout_ms == o.timeout_ms
           && count == o.count;
  }
};

/// Reads and validates a Pinger object; nullopt and one line naming every
/// bad field if invalid. `gateway auto` reads /proc/net/route.
std::optional<live_config> read_pinger(const boost::json::object& pinger,
                                       std::string& error);

/// What CONFIG applied so far; survives restarts of CONFIG.
struct config_book {
  std::mutex mtx;
  /// "<proto>/<label>" → engine slot of every target CONFIG put.
  std::map<std::string, uint32_t> applied;
  std::optional<live_config> last_good;
};

/// How CONFIG runs.
struct config_config {
  std::shared_ptr<k8s::api_client> api;
  /// The own Pinger.
  std::string ns, name;
  std::shared_ptr<actor_cell<targets_actor>> targets;
  /// Engine slot for a target (adds or resumes it); nullopt + error line.
  std::function<std::optional<uint32_t>(uint8_t proto, const std::string&,
                                        std::string& error)>
      slot_for;
  /// The engine stops probing a slot.
  std::function<void(uint8_t proto, uint32_t slot)> release;
  /// Applies interval, timeout and count to the engines.
  std::function<void(const live_config&)> reschedule;
  /// "<proto>/<label>" of the flag targets: never removed by CONFIG.
  std::set<std::string> fixed;
  /// The loss threshold (a flag; the Pinger has none).
  double loss_threshold = 0.5;
  std::shared_ptr<config_book> book = std::make_shared<config_book>();
  /// Re-puts the applied targets and thresholds this often (a restarted
  /// TARGETS forgot them).
  caf::timespan resync = std::chrono::seconds{5};
  telemetry::registry* metrics = nullptr;
};

/// CONFIG's state.
struct config_state {
  static inline const char* name = "config";
  config_config cfg;
  uint64_t applied = 0, rejected = 0;
  std::string last_error;
  /// The TARGETS incarnation that has the applied targets and thresholds.
  targets_actor thresholds_to;
  runtime::entry_ptr entry;
};

/// CONFIG: accepts resource_event, (synced, kind), (status) → a summary.
caf::behavior config(caf::stateful_actor<config_state>* self, config_config cfg,
                     runtime::entry_ptr entry);

} // namespace kc::agent
