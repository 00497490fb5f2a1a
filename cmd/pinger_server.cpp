#include "cmd/pinger_server.hpp"

#include "actors/agent/agent.hpp"
#include "actors/agent/peers.hpp"
#include "cmd/pinger_legacy.hpp"
#include "cmd/pinger_live.hpp"
#include "k8s/client/client_config.hpp"
#include "messages/controller_types.hpp"
#include "messages/pinger_agent_types.hpp"
#include "messages/runtime_types.hpp"
#include "messages/type_ids.hpp"
#include "probes/target.hpp"
#include "telemetry/admin_server.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/process_metrics.hpp"

#include <boost/asio/signal_set.hpp>
#include <caf/all.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace kc::cmd {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// API access when configured: --kubeconfig, or in-cluster. Never fatal:
/// without it the agent logs transitions and records no Events.
std::shared_ptr<k8s::api_client> connect(const std::string& kubeconfig) {
  if (kubeconfig.empty() && env("KUBERNETES_SERVICE_HOST").empty())
    return nullptr;
  try {
    k8s::config_sources src;
    src.explicit_path = kubeconfig;
    return std::make_shared<k8s::api_client>(k8s::load_client_config(src));
  } catch (const std::exception& e) {
    KC_WARN("root", "no API access ({}): logging transitions only, no Events",
            e.what());
    return nullptr;
  }
}

/// The slot_for and release of a live target source (DISCOVERY: kind 1,
/// NODES: kind 2) on the running engines: a target that cannot be added is
/// one warning "<what> <label>: <error>" of `component`.
template <class SourceConfig>
void live_slots(SourceConfig& c, live_session& live, uint8_t kind,
                const char* component, const char* what) {
  c.slot_for = [&live, kind, component,
                what](uint8_t proto,
                      const std::string& label) -> std::optional<uint32_t> {
    std::string error;
    auto slot = live.put(proto, label, error, kind);
    if (!slot)
      KC_WARN(component, "{} {}: {}", what, label, error);
    return slot;
  };
  c.release = [&live](uint8_t proto, uint32_t slot) {
    live.drop(proto, slot);
  };
}

/// DISCOVERY of the own DaemonSet's pods with API access, the pod identity
/// and a DaemonSet name. Peers are added to (and dropped from) the running
/// engines live (ADR 0023).
void discovery_setup(agent::agent_config& acfg, live_session& live,
                     const pinger_server_options& opts) {
  auto name = opts.ds_name.empty() ? env("DEBUGGER_NAME") : opts.ds_name;
  auto ns
      = opts.ds_namespace.empty() ? env("POD_NAMESPACE") : opts.ds_namespace;
  if (!acfg.api || name.empty() || ns.empty() || acfg.pod.name.empty())
    return;
  agent::discovery_config d;
  d.ns = ns;
  d.debugger = name;
  d.own_pod = acfg.pod.name;
  d.probes = {{static_cast<uint8_t>(probes::protocol::icmp), 0}};
  if (opts.udp_echo_port > 0)
    d.probes.push_back({static_cast<uint8_t>(probes::protocol::udp),
                        static_cast<uint16_t>(opts.udp_echo_port)});
  d.metrics = opts.enable_metrics ? &telemetry::global_registry() : nullptr;
  live_slots(d, live, 1, "discovery", "peer");
  KC_INFO("discovery", "peers: pods -l {} in {}", agent::peer_selector(name),
          ns);
  acfg.discovery = std::move(d);
}

/// CONFIG from the own Pinger (PINGER_NAME) with API access: targets,
/// interval, timeout, count and thresholds applied live (ADR 0024).
void config_setup(agent::agent_config& acfg, live_session& live,
                  pinger_session& session, const pinger_server_options& opts) {
  auto name = env("PINGER_NAME");
  auto ns = env("POD_NAMESPACE");
  if (name.empty())
    return;
  if (!acfg.api || ns.empty()) {
    KC_WARN("config",
            "PINGER_NAME={} but {}: the flags are the "
            "configuration",
            name, acfg.api ? "POD_NAMESPACE is not set" : "no API access");
    return;
  }
  agent::config_config c;
  c.ns = ns;
  c.name = name;
  for (auto& t : session.targets())
    c.fixed.insert(std::to_string(static_cast<int>(t.proto)) + "/" + t.label);
  c.loss_threshold = opts.health.loss_threshold;
  c.metrics = opts.enable_metrics ? &telemetry::global_registry() : nullptr;
  c.slot_for
      = [&live](uint8_t proto, const std::string& label, std::string& error) {
          return live.put(proto, label, error);
        };
  c.release = [&live](uint8_t proto, uint32_t slot) {
    live.drop(proto, slot);
  };
  c.reschedule = [&live](const agent::live_config& lc) {
    double per_probe
        = lc.interval / static_cast<double>(std::max<int64_t>(lc.count, 1));
    double timeout = lc.timeout_ms > 0
                         ? static_cast<double>(lc.timeout_ms) / 1e3
                         : std::min(1.0, per_probe);
    timeout = std::min(timeout, per_probe);
    live.reschedule(
        {std::chrono::nanoseconds{static_cast<int64_t>(per_probe * 1e9)},
         std::chrono::nanoseconds{static_cast<int64_t>(timeout * 1e9)}, 0});
  };
  KC_INFO("config", "live configuration from Pinger {}/{}", ns, name);
  acfg.config = std::move(c);
}

} // namespace

int run_pinger_server(boost::asio::io_context& io, pinger_session& session,
                      const pinger_server_options& opts) {
  std::unique_ptr<probes::udp_echo_responder> echo;
  if (opts.udp_echo_port != 0) {
    auto port = static_cast<uint16_t>(opts.udp_echo_port);
    try {
      echo = std::make_unique<probes::udp_echo_responder>(
          io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v6(), port));
    } catch (const std::exception&) {
      echo = std::make_unique<probes::udp_echo_responder>(
          io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v4(), port));
    }
  }
  // --- the actor tree -------------------------------------------------
  agent::pinger_agent* agent_ptr = nullptr;
  session.forward = [&agent_ptr](probes::protocol p,
                                 std::span<const probes::probe_result> b) {
    if (agent_ptr)
      agent_ptr->post(p, b);
  };
  agent::agent_config acfg;
  acfg.targets.health = opts.health;
  for (auto& t : session.targets())
    acfg.targets.initial.push_back(
        {t.label, static_cast<uint8_t>(t.proto), t.slot, "flag"});
  auto& reg = telemetry::global_registry();
  std::unique_ptr<telemetry::admin_server> admin;
  std::unique_ptr<legacy_metrics> legacy;
  if (opts.enable_metrics) {
    telemetry::register_process_metrics(reg);
    session.enable_metrics(reg, 100);
    if (opts.legacy_metrics) {
      legacy = std::make_unique<legacy_metrics>(reg);
      session.legacy = legacy.get();
    }
    auto fam = session.families();
    acfg.targets.target_up = fam.up;
    acfg.targets.target_loss = fam.loss;
    acfg.targets.by_state = fam.by_state;
    acfg.targets.max_target_series = 100;
    telemetry::admin_routes routes;
    routes.metrics = &reg;
    routes.healthz = [] {
      return telemetry::check_result{};
    };
    routes.debug_actors
        = runtime::debug_actors_route(runtime::global_actor_registry());
    try {
      admin = std::make_unique<telemetry::admin_server>(
          routes,
          telemetry::listen_address{"", static_cast<uint16_t>(opts.port)});
    } catch (const std::exception& e) {
      std::cerr << "kubecombo pinger: --port " << opts.port << ": " << e.what()
                << '\n';
      return 2;
    }
  }
  acfg.pod = {env("POD_NAMESPACE"), env("POD_NAME"), env("POD_UID")};
  acfg.api = connect(opts.kubeconfig);
  bool events = acfg.api && !acfg.pod.name.empty();
  if (acfg.api && acfg.pod.name.empty())
    KC_WARN("root", "POD_NAME is not set: no TargetDown/TargetUp Events");
  acfg.recorder.correlator.component = "kubecombo-pinger";
  acfg.recorder.correlator.host = env("NODE_NAME");
  acfg.recorder.correlator.instance = acfg.pod.name;
  live_session live(io, session);
  discovery_setup(acfg, live, opts);
  config_setup(acfg, live, session, opts);
  if (opts.node_ip_check && !acfg.api)
    KC_WARN("nodes",
            "--enable-node-ip-check needs API access: no node targets");
  if (opts.node_ip_check && acfg.api) {
    agent::nodes_config n;
    n.metrics = opts.enable_metrics ? &reg : nullptr;
    live_slots(n, live, 2, "nodes", "node");
    acfg.nodes = std::move(n);
  }
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::kc_types>();
  cfg.add_message_types<caf::id_block::kc_runtime>();
  cfg.add_message_types<caf::id_block::kc_controller_rt>();
  cfg.add_message_types<caf::id_block::kc_pinger_agent>();
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  agent::pinger_agent agent{sys, std::move(acfg)};
  agent_ptr = &agent;
  // --- run until a signal -----------------------------------------------
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    live.stop();
    session.stop();
    if (echo)
      echo->close();
    io.stop();
  });
  for (auto& w : live.start())
    KC_WARN("targets", "{}", w);
  KC_INFO("pinger", "probing {} targets every {}s{}{}{}", session.size(),
          opts.interval,
          echo ? ", UDP echo on port " + std::to_string(echo->port()) : "",
          admin ? ", metrics on port " + std::to_string(admin->port()) : "",
          events ? ", Events on pod " + env("POD_NAMESPACE") + "/"
                       + env("POD_NAME")
                 : "");
  io.run();
  agent_ptr = nullptr;
  agent.shutdown();
  if (admin)
    admin->stop();
  return 0; // ~actor_system waits for the ordered shutdown
}

} // namespace kc::cmd
