#include "cmd/controller_runtime.hpp"
#include "cmd/webhook_server.hpp"

#include "actors/controller/debuggers.hpp"
#include "actors/controller/pingers.hpp"
#include "actors/runtime/leader.hpp"
#include "actors/runtime/readiness.hpp"
#include "actors/runtime/recorder.hpp"
#include "actors/runtime/supervisor.hpp"
#include "messages/controller_types.hpp"
#include "messages/runtime_types.hpp"
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

/// A running child of `root` by name (invalid if none), asked with a timeout.
caf::actor child(caf::scoped_actor& self, const runtime::supervisor_actor& root,
                 const std::string& name) {
  caf::actor out;
  self->request(root, seconds{2}, atom::get_v, name)
      .receive([&](caf::actor& a) { out = std::move(a); },
               [](const caf::error&) {});
  return out;
}

/// The writers (DESIGN §3), started only while leading. PLACEHOLDERS: empty
/// supervisors until the Debugger/Pinger logic (its own issue) adds the
/// per-object children and the informers that feed them.
const char* const writer_names[] = {"debuggers", "pingers", "nodes"};

void start_writers(const runtime::supervisor_actor& root,
                   const std::vector<child_spec>& debuggers) {
  for (auto& spec : debuggers) // the Debugger controller (actors/controller)
    caf::anon_send(root, atom::spawn_v, spec);
  for (auto name : writer_names) {
    if (std::string_view{name} == "debuggers"
        || std::string_view{name} == "pingers") // given in `debuggers`
      continue;
    runtime::supervisor_config w;
    w.name = name;
    caf::anon_send(root, atom::spawn_v, runtime::supervisor_child(std::move(w)));
  }
  KC_INFO("root", "writers started: debuggers, pingers (with their "
                  "informers), nodes (placeholder supervisor: the node logic "
                  "comes in its own issue)");
}

} // namespace

int run_controller_runtime(const controller_options& opts) {
  // Admission webhooks first (ADR 0042): a bad certificate is one line and
  // exit 2 before anything starts; every replica serves, leader or not.
  bool webhook_failed = false;
  auto webhook_srv = opts.webhooks
                         ? start_webhook_server(opts.webhook_addr,
                                                opts.webhook_cert_dir,
                                                webhook_failed)
                         : nullptr;
  if (webhook_failed)
    return 2;
  auto api = std::make_shared<k8s::api_client>(opts.client);
  auto recorder_link = std::make_shared<controller::recorder_link>();
  auto debugger_ctl = controller::make_debugger_controller({api, recorder_link});
  // The Pinger status roll-up (ADR 0043): `pingers` + its informers.
  for (auto& c : controller::make_pinger_controller({api, recorder_link}))
    debugger_ctl.children.push_back(std::move(c));
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::kc_types>();
  cfg.add_message_types<caf::id_block::kc_runtime>();
  cfg.add_message_types<caf::id_block::kc_controller_rt>();
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  auto identity = runtime::make_leader_identity();
  auto& reg = telemetry::global_registry();
  telemetry::register_process_metrics(reg);
  caf::scoped_actor sub{sys};
  auto sub_handle = caf::actor_cast<caf::actor>(sub);
  // --- root and its first children: RECORDER, LEADER ------------------
  runtime::recorder_config rcfg;
  rcfg.correlator.host = identity.substr(0, identity.rfind('_'));
  rcfg.correlator.instance = identity;
  runtime::supervisor_config root_cfg;
  root_cfg.name = "root";
  root_cfg.grace = opts.grace;
  root_cfg.children.push_back(
      {"recorder",
       [api, rcfg, recorder_link](caf::local_actor* parent,
                                  const child_context& ctx) {
         auto h = parent->spawn(runtime::recorder, api, rcfg, ctx.entry);
         recorder_link->set(h);
         return caf::actor_cast<caf::actor>(h);
       },
       restart_policy::permanent});
  std::shared_ptr<runtime::leader_status> lstatus;
  k8s::lease_config lcfg;
  lcfg.ns = opts.leader_ns;
  lcfg.identity = identity;
  if (opts.leader_elect) {
    lstatus = std::make_shared<runtime::leader_status>(lcfg.renew_deadline);
    reg.add_callback(telemetry::metric_type::gauge, "kubecombo_leader",
                     "1 while this process holds the leader Lease and runs "
                     "the writers, else 0.",
                     [lstatus] { return lstatus->leading() ? 1.0 : 0.0; });
    root_cfg.children.push_back(
        {"leader",
         [api, lcfg, lstatus, sub_handle](caf::local_actor* parent,
                                          const child_context& ctx) {
           auto h = parent->spawn(runtime::leader, api, lcfg, lstatus,
                                  ctx.entry);
           caf::anon_send(h, caf::subscribe_atom_v, sub_handle);
           return caf::actor_cast<caf::actor>(h);
         },
         restart_policy::permanent});
  } else {
    auto& g = reg.add_gauge("kubecombo_leader",
                            "1 while this process holds the leader Lease "
                            "and runs the writers, else 0.");
    g.set(1); // no election: this process is the only writer
  }
  auto root = runtime::spawn_supervisor(sys, std::move(root_cfg));
  // --- admin listeners ------------------------------------------------
  std::atomic<bool> ready{false};
  telemetry::admin_routes mroutes;
  mroutes.metrics = &reg;
  mroutes.debug_actors
      = runtime::debug_actors_route(runtime::global_actor_registry());
  telemetry::admin_routes hroutes;
  hroutes.healthz = [] { return telemetry::check_result{}; };
  // Ready once started and every registered informer synced (readiness.hpp).
  hroutes.readyz = [&ready] {
    return ready.load() ? runtime::global_readiness().check()
                        : telemetry::check_result{false, "starting"};
  };
  bool failed = false;
  auto metrics_srv = listen("metrics-bind-address", opts.metrics_addr,
                            mroutes, failed);
  auto health_srv = failed ? nullptr
                           : listen("health-probe-bind-address",
                                    opts.health_addr, hroutes, failed);
  if (failed) {
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    return 2;
  }
  KC_INFO("root",
          {{"identity", identity}, {"server", opts.client.server},
           {"metrics", metrics_srv ? metrics_srv->port() : 0},
           {"health", health_srv ? health_srv->port() : 0}},
          "controller starting{}", opts.leader_elect ? " (leader election)" : "");
  bool writers = false;
  if (!opts.leader_elect) {
    start_writers(root, debugger_ctl.children);
    writers = true;
  }
  ready = true;
  // --- main loop: signals, leadership ---------------------------------
  int sig = 0;
  while (sig == 0) {
    sig = poll_signal(milliseconds{100});
    if (lstatus && lstatus->lost()) {
      // Stop acting as leader at once (api:L2): no graceful shutdown; the
      // writers end with the process.
      KC_ERROR("root", {{"identity", identity}},
               "leader election lost: stopping every writer and exiting");
      for (auto name : writer_names)
        caf::anon_send(root, atom::remove_v, std::string{name});
      if (metrics_srv)
        metrics_srv->stop();
      if (health_srv)
        health_srv->stop();
      spdlog::default_logger()->flush();
      std::cerr.flush();
      std::_Exit(1);
    }
    // Drain leadership messages; act after the receive (no nested
    // blocking request inside a receive handler).
    bool became = false;
    std::string who;
    for (bool more = true; more;) {
      more = false;
      sub->receive(
          [&](leadership& l) {
            more = true;
            if (l.leading && !writers) {
              became = true;
              who = l.identity;
            }
          },
          caf::after(milliseconds{0}) >> [] {});
    }
    if (became && !writers) {
      KC_INFO("root", {{"identity", who}}, "became leader");
      start_writers(root, debugger_ctl.children);
      writers = true;
      event_request ev;
      ev.kind = "Lease";
      ev.api_version = "coordination.k8s.io/v1";
      ev.ns = lcfg.ns;
      ev.name = lcfg.name;
      ev.reason = "LeaderElection";
      ev.message = who + " became leader";
      if (auto rec = child(sub, root, "recorder"))
        caf::anon_send(caf::actor_cast<recorder_actor>(rec), std::move(ev));
    }
  }
  // --- ordered shutdown: writers, Lease, Events, root -----------------
  auto deadline = steady_clock::now() + opts.grace;
  auto left = [&] {
    return std::max(milliseconds{100}, duration_cast<milliseconds>(
                                           deadline - steady_clock::now()));
  };
  KC_INFO("root", "received signal {}: shutting down", sig);
  ready = false;
  caf::scoped_actor stopper{sys};
  for (auto it = std::rbegin(writer_names); it != std::rend(writer_names);
       ++it) {
    auto w = child(stopper, root, *it);
    if (!w)
      continue;
    stopper->monitor(w);
    caf::anon_send(root, atom::remove_v, std::string{*it});
    bool down = false;
    while (!down && steady_clock::now() < deadline)
      stopper->receive([&](caf::down_msg& d) { down = d.source == w.address(); },
                       caf::after(milliseconds{100}) >> [] {});
  }
  if (opts.leader_elect) {
    if (auto l = child(stopper, root, "leader"))
      stopper
          ->request(caf::actor_cast<leader_actor>(l),
                    std::min(left(), milliseconds{3000}), atom::shutdown_v)
          .receive(
              [](bool released) {
                if (!released)
                  KC_INFO("root", "Lease not held; nothing to release");
              },
              [](const caf::error& e) {
                KC_WARN("root", "releasing the Lease failed: {}",
                        caf::to_string(e));
              });
  }
  if (auto r = child(stopper, root, "recorder"))
    stopper
        ->request(caf::actor_cast<recorder_actor>(r),
                  std::min(left(), milliseconds{3000}), atom::shutdown_v)
        .receive([](bool) {},
                 [](const caf::error&) {
                   KC_WARN("root", "events still queued at shutdown dropped");
                 });
  stopper->monitor(root);
  caf::anon_send(root, atom::shutdown_v);
  bool root_down = false;
  while (!root_down && steady_clock::now() < deadline + milliseconds{500})
    stopper->receive([&](caf::down_msg& d) {
      root_down = d.source == root.address();
    },
                     caf::after(milliseconds{100}) >> [] {});
  if (!root_down)
    caf::anon_send_exit(root, caf::exit_reason::kill);
  if (metrics_srv)
    metrics_srv->stop();
  if (health_srv)
    health_srv->stop();
  if (webhook_srv)
    webhook_srv->stop();
  if (lstatus)
    reg.remove_callback("kubecombo_leader");
  KC_INFO("root", "shutdown complete");
  return 0;
}

} // namespace kc::cmd
