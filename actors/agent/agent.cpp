#include "actors/agent/agent.hpp"

#include <caf/all.hpp>

namespace kc::agent {

pinger_agent::pinger_agent(caf::actor_system& sys, agent_config cfg)
  : targets_(std::make_shared<actor_cell<targets_actor>>()),
    reporter_(std::make_shared<actor_cell<reporter_actor>>()),
    recorder_(std::make_shared<actor_cell<recorder_actor>>()) {
  runtime::supervisor_config root;
  root.name = "root";
  root.grace = cfg.grace;
  if (cfg.api) {
    auto api = cfg.api;
    auto rcfg = cfg.recorder;
    auto cell = recorder_;
    root.children.push_back(
        {"recorder",
         [api, rcfg, cell](caf::local_actor* parent, const child_context& ctx) {
           auto h = parent->spawn(runtime::recorder, api, rcfg, ctx.entry);
           cell->set(h);
           return caf::actor_cast<caf::actor>(h);
         },
         restart_policy::permanent});
  }
  reporter_config rep;
  rep.pod = cfg.pod;
  if (cfg.api)
    rep.recorder = recorder_;
  auto rep_cell = reporter_;
  root.children.push_back(
      {"reporter",
       [rep, rep_cell](caf::local_actor* parent, const child_context& ctx) {
         auto h = parent->spawn(kc::agent::reporter, rep, ctx.entry);
         rep_cell->set(h);
         return caf::actor_cast<caf::actor>(h);
       },
       restart_policy::permanent});
  auto tcfg = std::move(cfg.targets);
  tcfg.reporter = reporter_;
  if (cfg.api && !cfg.pod.name.empty())
    tcfg.summary = {cfg.api, cfg.pod.ns, cfg.pod.name};
  auto tcell = targets_;
  root.children.push_back(
      {"targets",
       [tcfg, tcell](caf::local_actor* parent, const child_context& ctx) {
         auto h = parent->spawn(kc::agent::targets, tcfg, ctx.entry);
         tcell->set(h);
         return caf::actor_cast<caf::actor>(h);
       },
       restart_policy::permanent});
  if (cfg.discovery && cfg.api) {
    auto dcfg = std::move(*cfg.discovery);
    dcfg.api = cfg.api;
    dcfg.targets = targets_;
    if (!dcfg.book)
      dcfg.book = std::make_shared<peer_book>();
    root.children.push_back(
        {"discovery",
         [dcfg](caf::local_actor* parent, const child_context& ctx) {
           return caf::actor_cast<caf::actor>(
               parent->spawn(kc::agent::discovery, dcfg, ctx.entry));
         },
         restart_policy::permanent});
  }
  if (cfg.nodes && cfg.api) {
    auto ncfg = std::move(*cfg.nodes);
    ncfg.api = cfg.api;
    ncfg.targets = targets_;
    root.children.push_back(
        {"nodes",
         [ncfg](caf::local_actor* parent, const child_context& ctx) {
           return caf::actor_cast<caf::actor>(
               parent->spawn(kc::agent::nodes, ncfg, ctx.entry));
         },
         restart_policy::permanent});
  }
  if (cfg.config && cfg.api) {
    auto ccfg = std::move(*cfg.config);
    ccfg.api = cfg.api;
    ccfg.targets = targets_;
    if (!ccfg.book)
      ccfg.book = std::make_shared<config_book>();
    root.children.push_back(
        {"config",
         [ccfg](caf::local_actor* parent, const child_context& ctx) {
           return caf::actor_cast<caf::actor>(
               parent->spawn(kc::agent::config, ccfg, ctx.entry));
         },
         restart_policy::permanent});
  }
  root_ = runtime::spawn_supervisor(sys, std::move(root));
}

void pinger_agent::post(probes::protocol p,
                        std::span<const probes::probe_result> batch) {
  if (batch.empty())
    return;
  if (auto t = targets_->get())
    caf::anon_send(t, atom::results_v, static_cast<uint8_t>(p),
                   probe_batch(batch.begin(), batch.end()));
}

void pinger_agent::add(target_def def) {
  if (auto t = targets_->get())
    caf::anon_send(t, atom::put_v, std::move(def));
}

void pinger_agent::shutdown() {
  caf::anon_send(root_, atom::shutdown_v);
}

} // namespace kc::agent
