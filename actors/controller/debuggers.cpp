#include "actors/controller/debuggers.hpp"

#include "actors/controller/api_calls.hpp"
#include "actors/controller/debugger_mapping.hpp"
#include "actors/controller/debugger_reconciler.hpp"
#include "actors/controller/object_cache.hpp"
#include "actors/runtime/informer.hpp"
#include "actors/runtime/readiness.hpp"
#include "actors/runtime/reconcile_supervisor.hpp"
#include "k8s/api/kubecombo/workload.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <map>
#include <mutex>

namespace kc::controller {

namespace {

/// Who subscribes to whom across restarts of either side.
struct hub {
  std::mutex mutex;
  caf::actor subscriber;
  std::map<std::string, runtime::informer_actor> informers;
};

using hub_ptr = std::shared_ptr<hub>;

child_spec supervisor_spec(
  const debugger_controller_config& cfg, std::shared_ptr<object_cache> cache,
  hub_ptr h, std::vector<std::shared_ptr<std::atomic<bool>>> synced) {
  runtime::reconcile_config rc;
  rc.name = "debuggers";
  rc.parent = "root";
  rc.child_prefix = "debugger";
  rc.primary_kind = debuggers_kind;
  rc.map = [cache](const resource_event& ev) {
    return map_debugger_event(*cache, ev);
  };
  rc.make = debugger_reconciler_factory(
    {cfg.api, cache, cfg.recorder, std::make_shared<agent_rbac>(cfg.api),
     std::move(synced)});
  auto inner = runtime::reconcile_supervisor_child(std::move(rc));
  child_factory start = [inner, h](caf::local_actor* parent,
                                   const child_context& ctx) {
    auto self = inner.start(parent, ctx);
    std::lock_guard<std::mutex> guard{h->mutex};
    h->subscriber = self;
    for (auto& [kind, inf] : h->informers)
      caf::anon_send(inf, atom::subscribe_v, self);
    return self;
  };
  return {inner.name, std::move(start), inner.policy};
}

child_spec informer_spec(const debugger_controller_config& cfg, hub_ptr h,
                         const std::string& kind, const std::string& labels,
                         std::shared_ptr<std::atomic<bool>> synced) {
  runtime::informer_config ic;
  ic.kind = kind;
  ic.resource = ref_of(kind, "");
  ic.label_selector = labels;
  ic.client = cfg.api;
  ic.synced = std::move(synced);
  auto name = "informer/" + kind;
  child_factory start = [ic, h](caf::local_actor* parent,
                                const child_context& ctx) {
    auto c = ic;
    c.entry = ctx.entry;
    // /readyz waits for every informer's first LIST (so for the CRDs too);
    // registered on spawn, so a standby (not leader) stays ready.
    runtime::global_readiness().add("informer/" + ic.kind, ic.synced);
    std::lock_guard<std::mutex> guard{h->mutex};
    if (h->subscriber)
      c.subscribers = {h->subscriber};
    auto inf = parent->spawn(runtime::informer, std::move(c));
    h->informers[ic.kind] = inf;
    return caf::actor_cast<caf::actor>(inf);
  };
  return {std::move(name), std::move(start), restart_policy::permanent};
}

} // namespace

debugger_controller make_debugger_controller(debugger_controller_config cfg) {
  debugger_controller out;
  auto cache = std::make_shared<object_cache>();
  auto h = std::make_shared<hub>();
  std::string label = k8s::kubecombo::debug_label;
  // The Debuggers last: their first passes then find Pingers, ConfigMaps
  // and workloads already listed (no create of an existing workload).
  for (auto [kind, selector] :
       {std::pair<const char*, std::string>{pingers_kind, ""},
        {configmaps_kind, ""},
        {daemonsets_kind, label},
        {pods_kind, label},
        {debuggers_kind, ""}}) {
    auto flag = std::make_shared<std::atomic<bool>>(false);
    out.children.push_back(informer_spec(cfg, h, kind, selector, flag));
    out.synced.emplace_back(kind, std::move(flag));
  }
  std::vector<std::shared_ptr<std::atomic<bool>>> flags;
  for (auto& [kind, flag] : out.synced)
    flags.push_back(flag);
  out.children.insert(out.children.begin(),
                      supervisor_spec(cfg, cache, h, std::move(flags)));
  return out;
}

} // namespace kc::controller
