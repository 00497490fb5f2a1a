#include "actors/controller/debuggers.hpp"

#include "actors/controller/api_calls.hpp"
#include "actors/controller/debugger_mapping.hpp"
#include "actors/controller/debugger_reconciler.hpp"
#include "actors/controller/informer_links.hpp"
#include "actors/controller/object_cache.hpp"
#include "actors/runtime/reconcile_supervisor.hpp"
#include "k8s/api/kubecombo/workload.hpp"

namespace kc::controller {

namespace {

child_spec supervisor_spec(
  const debugger_controller_config& cfg, std::shared_ptr<object_cache> cache,
  informer_links& links,
  std::vector<std::shared_ptr<std::atomic<bool>>> synced) {
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
  return links.supervisor(runtime::reconcile_supervisor_child(std::move(rc)));
}

} // namespace

debugger_controller make_debugger_controller(debugger_controller_config cfg) {
  debugger_controller out;
  auto cache = std::make_shared<object_cache>();
  auto links = std::make_shared<informer_links>();
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
    // /readyz waits for every informer's first LIST (so for the CRDs too).
    out.children.push_back(
      links->informer(watch_all(cfg.api, kind, kind, selector, flag)));
    out.synced.emplace_back(kind, std::move(flag));
  }
  std::vector<std::shared_ptr<std::atomic<bool>>> flags;
  for (auto& [kind, flag] : out.synced)
    flags.push_back(flag);
  out.children.insert(out.children.begin(),
                      supervisor_spec(cfg, cache, *links, std::move(flags)));
  return out;
}

} // namespace kc::controller
