#pragma once
/// The agent actors' (CONFIG, DISCOVERY, NODES) informer: one collection,
/// the spawning actor its only subscriber, spawned linked.

#include "actors/runtime/informer.hpp"

#include <caf/all.hpp>

#include <memory>
#include <string>

namespace kc::agent {

/// Spawns, linked to `self` (a failed informer takes `self` down and its
/// supervisor restarts both), an informer named informer/<kind> on
/// `resource` with the given selectors that sends its events to `self`.
template <class Self>
void spawn_linked_informer(Self* self, std::string kind,
                           k8s::resource_ref resource,
                           std::shared_ptr<k8s::api_client> client,
                           telemetry::registry* metrics,
                           std::string label_selector = {},
                           std::string field_selector = {}) {
  runtime::informer_config icfg;
  icfg.kind = std::move(kind);
  icfg.resource = std::move(resource);
  icfg.label_selector = std::move(label_selector);
  icfg.field_selector = std::move(field_selector);
  icfg.client = std::move(client);
  icfg.subscribers = {caf::actor_cast<caf::actor>(self)};
  icfg.metrics = metrics;
  self->template spawn<caf::linked>(runtime::informer, std::move(icfg));
}

} // namespace kc::agent
