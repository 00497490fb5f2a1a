#pragma once

// The PINGER agent's actor tree (issue 6; DESIGN §3; ADR 0022):
//
//   root ── recorder (only with API access)
//        ── reporter
//        ── targets ── target/<proto>/<addr> ...
//        ── discovery ── informer/peers (API access + Debugger env only)
//        ── config ── informer/pinger (API access + PINGER_NAME only)
//
// The engines (probes/, Asio) stay outside the actor system: their result
// sink calls `post()` once per batch on the io thread, which becomes one
// message to TARGETS. Children are restartable; sibling handles travel
// through actor_cells that each factory refreshes.
//
//   kc::agent::pinger_agent agent{sys, cfg};
//   session.forward = [&](auto p, auto batch) { agent.post(p, batch); };
//   ...
//   agent.shutdown();     // ordered: targets, reporter, recorder

#include "actors/agent/actor_cell.hpp"
#include "actors/agent/config.hpp"
#include "actors/agent/discovery.hpp"
#include "actors/agent/nodes.hpp"
#include "actors/agent/reporter.hpp"
#include "actors/agent/targets.hpp"
#include "actors/runtime/recorder.hpp"
#include "actors/runtime/supervisor.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace kc::agent {

/// Everything the agent's tree needs.
struct agent_config {
  /// TARGETS: thresholds, the initial targets, metrics families.
  targets_config targets;
  /// The own Pod for Events (empty name = no Events).
  pod_ref pod;
  /// API access; null = log only (no RECORDER).
  std::shared_ptr<k8s::api_client> api;
  runtime::recorder_config recorder;
  /// DISCOVERY of peer pods (its `api` and `targets` are filled in);
  /// nullopt = no peers.
  std::optional<discovery_config> discovery;
  /// CONFIG from the own Pinger (its `api` and `targets` are filled in);
  /// nullopt = the flags are the configuration.
  std::optional<config_config> config;
  /// NODES (`--enable-node-ip-check`; its `api` and `targets` are filled
  /// in); nullopt = no node targets.
  std::optional<nodes_config> nodes;
  /// Budget of the ordered shutdown.
  caf::timespan grace = std::chrono::seconds{5};
};

/// Owns the running tree of one agent process.
class pinger_agent {
public:
  pinger_agent(caf::actor_system& sys, agent_config cfg);

  /// Hands one engine batch to TARGETS; callable from any thread (the
  /// engines' io thread). Dropped while TARGETS restarts.
  void post(probes::protocol p, std::span<const probes::probe_result> batch);
  /// Starts one more target (discovery, gateway).
  void add(target_def def);
  /// Starts the ordered shutdown; the actor_system's destructor waits.
  void shutdown();
  const runtime::supervisor_actor& root() const {
    return root_;
  }
  /// The current TARGETS (empty while it restarts).
  targets_actor targets() const {
    return targets_->get();
  }

private:
  std::shared_ptr<actor_cell<targets_actor>> targets_;
  std::shared_ptr<actor_cell<reporter_actor>> reporter_;
  std::shared_ptr<actor_cell<recorder_actor>> recorder_;
  runtime::supervisor_actor root_;
};

} // namespace kc::agent
