#include "actors/controller/informer_links.hpp"

#include "actors/controller/api_calls.hpp"
#include "actors/runtime/readiness.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace kc::controller {

runtime::informer_config watch_all(std::shared_ptr<k8s::api_client> client,
                                   const std::string& kind,
                                   const std::string& resource,
                                   const std::string& labels,
                                   std::shared_ptr<std::atomic<bool>> synced) {
  runtime::informer_config ic;
  ic.kind = kind;
  ic.resource = ref_of(resource, "");
  ic.label_selector = labels;
  ic.client = std::move(client);
  ic.synced = std::move(synced);
  return ic;
}

child_spec informer_links::supervisor(child_spec inner) {
  auto self_ptr = shared_from_this();
  child_factory start = [inner, self_ptr](caf::local_actor* parent,
                                          const child_context& ctx) {
    auto sup = inner.start(parent, ctx);
    std::lock_guard<std::mutex> guard{self_ptr->mutex_};
    self_ptr->subscriber_ = sup;
    for (auto& [kind, inf] : self_ptr->informers_)
      caf::anon_send(inf, atom::subscribe_v, sup);
    return sup;
  };
  return {inner.name, std::move(start), inner.policy};
}

child_spec informer_links::informer(runtime::informer_config ic) {
  auto self_ptr = shared_from_this();
  auto name = "informer/" + ic.kind;
  child_factory start = [ic, self_ptr](caf::local_actor* parent,
                                       const child_context& ctx) {
    auto c = ic;
    c.entry = ctx.entry;
    // /readyz waits for every informer's first LIST; registered on spawn,
    // so a standby (not leader) stays ready.
    runtime::global_readiness().add("informer/" + ic.kind, ic.synced);
    std::lock_guard<std::mutex> guard{self_ptr->mutex_};
    if (self_ptr->subscriber_)
      c.subscribers = {self_ptr->subscriber_};
    auto inf = parent->spawn(runtime::informer, std::move(c));
    self_ptr->informers_[ic.kind] = inf;
    return caf::actor_cast<caf::actor>(inf);
  };
  return {std::move(name), std::move(start), restart_policy::permanent};
}

} // namespace kc::controller
