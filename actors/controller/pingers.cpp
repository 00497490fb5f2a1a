#include "actors/controller/pingers.hpp"

#include "actors/controller/api_calls.hpp"
#include "actors/controller/informer_links.hpp"
#include "actors/controller/pinger_reconciler.hpp"
#include "actors/runtime/reconcile_supervisor.hpp"
#include "k8s/api/kubecombo/workload.hpp"

namespace kc::controller {

std::vector<child_spec> make_pinger_controller(pinger_controller_config cfg) {
  auto links = std::make_shared<informer_links>();
  auto specs = std::make_shared<std::atomic<bool>>(false);
  auto agents = std::make_shared<std::atomic<bool>>(false);
  auto cache = std::make_shared<object_cache>();
  auto index = std::make_shared<agent_index>();
  runtime::reconcile_config rc;
  rc.name = "pingers";
  rc.parent = "root";
  rc.child_prefix = "pinger";
  rc.primary_kind = pinger_specs_kind;
  rc.map = [cache, index](const resource_event& ev) {
    return map_pinger_event(*cache, *index, ev);
  };
  rc.make = pinger_reconciler_factory(
    {cfg.api, cache, index, cfg.recorder, {specs, agents}});
  std::vector<child_spec> out;
  out.push_back(
    links->supervisor(runtime::reconcile_supervisor_child(std::move(rc))));
  // The Pods first: a Pinger's first pass then sees its agents.
  out.push_back(links->informer(watch_all(cfg.api, pinger_agents_kind, "pods",
                                          k8s::kubecombo::debug_label,
                                          agents)));
  out.push_back(links->informer(
    watch_all(cfg.api, pinger_specs_kind, "pingers", "", specs)));
  return out;
}

} // namespace kc::controller
