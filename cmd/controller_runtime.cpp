#include "cmd/controller_runtime.hpp"

#include "actors/runtime/leader.hpp"
#include "actors/runtime/recorder.hpp"
#include "cmd/controller_writers.hpp"
#include "messages/controller_types.hpp"
#include "messages/type_ids.hpp"
#include "telemetry/admin_server.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/process_metrics.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

namespace kc::cmd {

using namespace std::chrono;

namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// Waits up to `d` for SIGINT/SIGTERM; the signal or 0.
int poll_signal(milliseconds d) {
  auto set = termination_set();
  timespec ts{static_cast<time_t>(d.count() / 1000),
              static_cast<long>((d.count() % 1000) * 1'000'000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

std::unique_ptr<telemetry::admin_server>
listen(const std::string& flag, const std::string& addr,
       telemetry::admin_routes routes, bool& failed) {
  std::optional<telemetry::listen_address> a;
  try {
    a = telemetry::parse_listen_address(addr);
  } catch (const std::exception& e) {
    std::cerr << "kubecombo controller: --" << flag << ": " << e.what() << '\n';
    failed = true;
    return nullptr;
  }
  if (!a)
    return nullptr; // disabled
  try {
    return std::make_unique<telemetry::admin_server>(std::move(routes), *a);
  } catch (const std::exception& e) {
    std::cerr << "kubecombo controller: --" << flag << " " << addr << ": "
              << e.what() << '\n';
    failed = true;
    return nullptr;
  }
}

} // namespace

int run_controller_runtime(const controller_options& opts) {
  auto api = std::make_shared<k8s::api_client>(opts.client);
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::kc_types>();
  cfg.add_message_types<caf::id_block::kc_controller_rt>();
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto identity = runtime::make_leader_identity();
  auto& reg = telemetry::global_registry();
  telemetry::register_process_metrics(reg);
  // --- RECORDER -------------------------------------------------------
  runtime::recorder_config rcfg;
  rcfg.correlator.host = identity.substr(0, identity.rfind('_'));
  rcfg.correlator.instance = identity;
  auto recorder = sys.spawn(runtime::recorder, api, rcfg);
  // --- LEADER ---------------------------------------------------------
  std::shared_ptr<runtime::leader_status> lstatus;
  leader_actor leader;
  k8s::lease_config lcfg;
  lcfg.ns = opts.leader_ns;
  lcfg.identity = identity;
  if (opts.leader_elect) {
    lstatus = std::make_shared<runtime::leader_status>(lcfg.renew_deadline);
    reg.add_callback(telemetry::metric_type::gauge, "kubecombo_leader",
                     "1 while this process holds the leader Lease and runs "
                     "the writers, else 0.",
                     [lstatus] { return lstatus->leading() ? 1.0 : 0.0; });
  } else {
    auto& g = reg.add_gauge("kubecombo_leader",
                            "1 while this process holds the leader Lease "
                            "and runs the writers, else 0.");
    g.set(1); // no election: this process is the only writer
  }
  caf::scoped_actor sub{sys};
  if (opts.leader_elect)
    leader = sys.spawn(runtime::leader, api, lcfg, lstatus);
  // --- admin listeners ------------------------------------------------
  controller_writers writers{sys, recorder};
  std::atomic<bool> ready{false};
  telemetry::admin_routes mroutes;
  mroutes.metrics = &reg;
  mroutes.debug_actors = [&sys, &writers, recorder, leader] {
    std::vector<named_actor> list{{"recorder", "root",
                                   caf::actor_cast<caf::actor>(recorder)}};
    if (leader)
      list.push_back({"leader", "root", caf::actor_cast<caf::actor>(leader)});
    for (auto& w : writers.list())
      list.push_back(w);
    return debug_actors_json(sys, list);
  };
  telemetry::admin_routes hroutes;
  hroutes.healthz = [] { return telemetry::check_result{}; };
  hroutes.readyz = [&ready] {
    return ready.load() ? telemetry::check_result{}
                        : telemetry::check_result{false, "starting"};
  };
  bool failed = false;
  auto metrics_srv = listen("metrics-bind-address", opts.metrics_addr,
                            mroutes, failed);
  auto health_srv = failed ? nullptr
                           : listen("health-probe-bind-address",
                                    opts.health_addr, hroutes, failed);
  if (failed) {
    caf::anon_send_exit(recorder, caf::exit_reason::user_shutdown);
    if (leader)
      caf::anon_send_exit(leader, caf::exit_reason::user_shutdown);
    return 2;
  }
  KC_INFO("root",
          {{"identity", identity}, {"server", opts.client.server},
           {"metrics", metrics_srv ? metrics_srv->port() : 0},
           {"health", health_srv ? health_srv->port() : 0}},
          "controller starting{}", opts.leader_elect ? " (leader election)" : "");
  if (opts.webhooks)
    KC_WARN("root", "--enable-webhooks: the admission webhook is not part of "
                    "this build yet; not serving it");
  if (opts.leader_elect) {
    caf::anon_send(leader, caf::subscribe_atom_v,
                   caf::actor_cast<caf::actor>(sub));
  } else {
    writers.start();
  }
  ready = true;
  // --- main loop: signals, leadership ---------------------------------
  int sig = 0;
  while (sig == 0) {
    sig = poll_signal(milliseconds{100});
    if (lstatus && lstatus->lost()) {
      // Stop acting as leader at once (api:L2): no graceful shutdown.
      KC_ERROR("root", {{"identity", identity}},
               "leader election lost: stopping every writer and exiting");
      writers.kill();
      if (metrics_srv)
        metrics_srv->stop();
      if (health_srv)
        health_srv->stop();
      spdlog::default_logger()->flush();
      std::cerr.flush();
      std::_Exit(1);
    }
    bool more = true;
    while (more) {
      more = false;
      sub->receive(
          [&](leadership& l) {
            more = true;
            if (l.leading && !writers.running()) {
              KC_INFO("root", {{"identity", l.identity}},
                      "became leader: starting writers");
              writers.start();
              event_request ev;
              ev.kind = "Lease";
              ev.api_version = "coordination.k8s.io/v1";
              ev.ns = lcfg.ns;
              ev.name = lcfg.name;
              ev.reason = "LeaderElection";
              ev.message = l.identity + " became leader";
              caf::anon_send(recorder, std::move(ev));
            }
          },
          caf::after(milliseconds{0}) >> [] {});
    }
  }
  // --- ordered shutdown -----------------------------------------------
  auto deadline = steady_clock::now() + opts.grace;
  auto left = [&] {
    return std::max(milliseconds{100}, duration_cast<milliseconds>(
                                           deadline - steady_clock::now()));
  };
  KC_INFO("root", "received signal {}: shutting down", sig);
  ready = false;
  caf::scoped_actor stopper{sys};
  writers.stop(stopper, left());
  if (leader) {
    sub->request(leader, std::min(left(), milliseconds{3000}),
                 atom::shutdown_v)
        .receive([](bool released) {
          if (!released)
            KC_INFO("root", "Lease not held; nothing to release");
        },
                 [](const caf::error& e) {
                   KC_WARN("root", "releasing the Lease failed: {}",
                           caf::to_string(e));
                 });
    caf::anon_send_exit(leader, caf::exit_reason::user_shutdown);
  }
  sub->request(recorder, std::min(left(), milliseconds{3000}),
               atom::shutdown_v)
      .receive([](bool) {},
               [](const caf::error&) {
                 KC_WARN("root", "events still queued at shutdown dropped");
               });
  caf::anon_send_exit(recorder, caf::exit_reason::user_shutdown);
  if (metrics_srv)
    metrics_srv->stop();
  if (health_srv)
    health_srv->stop();
  if (lstatus)
    reg.remove_callback("kubecombo_leader");
  KC_INFO("root", "shutdown complete");
  return 0;
}

} // namespace kc::cmd
