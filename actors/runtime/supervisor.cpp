#include "actors/runtime/supervisor.hpp"

#include "telemetry/logging.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/sec.hpp>

#include <algorithm>
#include <exception>

namespace kc::runtime {

namespace {

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

void touch(self_ptr self) {
  if (self->state.entry)
    self->state.entry->handled(self);
}

std::string describe(self_ptr self) {
  auto& st = self->state;
  size_t running = 0;
  uint64_t restarts = 0;
  for (auto& c : st.children) {
    running += c.handle ? 1 : 0;
    restarts += c.restarts;
  }
  std::string s = st.tearing_down ? "shutting down; " : "";
  s += "children " + std::to_string(running) + "/"
       + std::to_string(st.children.size()) + " running, restarts "
       + std::to_string(restarts);
  return s;
}

void publish_state(self_ptr self) {
  if (self->state.entry)
    self->state.entry->set_state(describe(self));
}

child_slot* find_slot(self_ptr self, const std::string& name) {
  for (auto& c : self->state.children)
    if (c.spec.name == name)
      return &c;
  return nullptr;
}

void schedule_restart(self_ptr self, child_slot& slot);

/// Starts (or restarts) the child of `slot`.
void start_child(self_ptr self, child_slot& slot) {
  auto& st = self->state;
  if (st.cfg.registry) {
    slot.entry = st.cfg.registry->add(slot.spec.name, st.cfg.name);
    slot.entry->set_restarts(slot.restarts);
    slot.entry->set_error(slot.last_error);
  }
  child_context ctx{slot.spec.name, st.cfg.name, slot.entry};
  caf::actor hdl;
  try {
    if (slot.spec.start)
      hdl = slot.spec.start(self, ctx);
  } catch (const std::exception& e) {
    slot.last_error = std::string{"start failed: "} + e.what();
  }
  slot.started = self->clock().now();
  if (!hdl) {
    if (slot.last_error.empty())
      slot.last_error = "start failed: the factory returned no actor";
    KC_ERROR(st.cfg.name, "child {}: {}", slot.spec.name, slot.last_error);
    if (st.cfg.registry)
      st.cfg.registry->remove(slot.entry);
    slot.entry = nullptr;
    schedule_restart(self, slot);
    return;
  }
  slot.handle = hdl;
  if (slot.entry)
    slot.entry->set_id(hdl.id());
  self->monitor(hdl);
  KC_DEBUG(st.cfg.name, "started child {} (restarts {})", slot.spec.name,
           slot.restarts);
}

void schedule_restart(self_ptr self, child_slot& slot) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (now - slot.started >= st.cfg.stable_after)
    slot.failures = 0;
  ++slot.failures;
  ++slot.restarts;
  auto delay = backoff_delay(st.cfg.restart_backoff, slot.failures);
  KC_WARN(st.cfg.name, "child {} down ({}); restart {} in {} ms",
          slot.spec.name, slot.last_error, slot.restarts,
          std::chrono::duration_cast<std::chrono::milliseconds>(delay)
            .count());
  self->delayed_send(self, delay, atom::restart_v, slot.spec.name,
                     ++slot.restart_generation);
}

void stop_next(self_ptr self) {
  auto& st = self->state;
  while (!st.children.empty() && !st.children.back().handle)
    st.children.pop_back();
  publish_state(self);
  if (st.children.empty()) {
    KC_DEBUG(st.cfg.name, "all children stopped; quitting");
    self->quit(st.exit_reason);
    return;
  }
  KC_DEBUG(st.cfg.name, "stopping {}", st.children.back().spec.name);
  self->send_exit(st.children.back().handle, caf::exit_reason::user_shutdown);
}

void begin_shutdown(self_ptr self, caf::error reason) {
  auto& st = self->state;
  if (st.tearing_down)
    return;
  st.tearing_down = true;
  st.exit_reason = std::move(reason);
  KC_INFO(st.cfg.name, "ordered shutdown of {} children",
          st.children.size());
  self->delayed_send(self, st.cfg.grace, atom::tick_v,
                     ++st.grace_generation);
  stop_next(self);
}

void on_down(self_ptr self, caf::down_msg& msg) {
  touch(self);
  auto& st = self->state;
  auto i = std::find_if(st.children.begin(), st.children.end(),
                        [&](const child_slot& c) {
                          return c.handle && c.handle.address() == msg.source;
                        });
  if (i == st.children.end())
    return;
  if (st.cfg.registry)
    st.cfg.registry->remove(i->entry);
  i->entry = nullptr;
  i->handle = nullptr;
  bool abnormal = msg.reason && msg.reason != caf::exit_reason::normal;
  if (abnormal)
    i->last_error = self->system().render(msg.reason);
  if (st.tearing_down) {
    bool was_last = i + 1 == st.children.end();
    st.children.erase(i);
    if (was_last)
      stop_next(self);
    return;
  }
  auto policy = i->spec.policy;
  if (policy == restart_policy::escalate && abnormal) {
    KC_ERROR(st.cfg.name, "child {} failed: {}; shutting down",
             i->spec.name, i->last_error);
    auto reason = msg.reason;
    st.children.erase(i);
    begin_shutdown(self, std::move(reason));
    return;
  }
  bool restart = policy == restart_policy::permanent
                 || (policy == restart_policy::transient && abnormal);
  if (!restart) {
    st.children.erase(i);
  } else {
    if (!abnormal)
      i->last_error = "exited normally";
    schedule_restart(self, *i);
  }
  publish_state(self);
}

} // namespace

supervisor_actor::behavior_type supervisor(self_ptr self,
                                           supervisor_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  if (st.cfg.entry) {
    st.entry = st.cfg.entry;
  } else if (st.cfg.registry) {
    st.own = scoped_registration{*st.cfg.registry, st.cfg.name,
                                 st.cfg.parent};
    st.entry = st.own.entry();
  }
  if (st.entry)
    st.entry->set_id(self->id());
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    touch(self);
    begin_shutdown(self, caf::error{});
    (void) msg;
  });
  for (auto& spec : st.cfg.children)
    st.children.push_back(child_slot{spec, {}, {}, 0, 0, {}, {}, 0});
  st.cfg.children.clear();
  for (auto& slot : st.children)
    start_child(self, slot);
  publish_state(self);
  return {
    [self](atom::spawn, child_spec& spec) {
      touch(self);
      auto& st = self->state;
      if (st.tearing_down || find_slot(self, spec.name))
        return;
      st.children.push_back(child_slot{std::move(spec), {}, {}, 0, 0, {},
                                       {}, 0});
      start_child(self, st.children.back());
      publish_state(self);
    },
    [self](atom::remove, const std::string& name) {
      touch(self);
      auto& st = self->state;
      auto slot = find_slot(self, name);
      if (!slot || st.tearing_down)
        return;
      slot->spec.policy = restart_policy::temporary;
      if (slot->handle) {
        self->send_exit(slot->handle, caf::exit_reason::user_shutdown);
      } else {
        st.children.erase(st.children.begin() + (slot - st.children.data()));
        publish_state(self);
      }
    },
    [self](atom::shutdown) {
      touch(self);
      begin_shutdown(self, caf::error{});
    },
    [self](atom::get) {
      touch(self);
      std::vector<std::string> names;
      for (auto& c : self->state.children)
        if (c.handle)
          names.push_back(c.spec.name);
      return names;
    },
    [self](atom::get, const std::string& name) -> caf::actor {
      touch(self);
      auto slot = find_slot(self, name);
      return slot ? slot->handle : caf::actor{};
    },
    [self](atom::restart, const std::string& name, uint64_t generation) {
      touch(self);
      auto slot = find_slot(self, name);
      if (self->state.tearing_down || !slot || slot->handle
          || slot->restart_generation != generation)
        return;
      start_child(self, *slot);
      publish_state(self);
    },
    [self](atom::tick, uint64_t generation) {
      touch(self);
      auto& st = self->state;
      if (!st.tearing_down || generation != st.grace_generation)
        return;
      KC_WARN(st.cfg.name, "grace period over; killing {} children",
              st.children.size());
      for (auto& c : st.children)
        if (c.handle)
          self->send_exit(c.handle, caf::exit_reason::kill);
      self->quit(st.exit_reason);
    },
    [self](atom::status) {
      touch(self);
      return describe(self);
    },
  };
}

caf::error keep_exception_text(caf::scheduled_actor*, std::exception_ptr& x) {
  try {
    std::rethrow_exception(x);
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::runtime_error,
                           std::string{"exception: "} + e.what());
  } catch (...) {
    return caf::make_error(caf::sec::runtime_error, "unknown exception");
  }
}

supervisor_actor spawn_supervisor(caf::actor_system& sys,
                                  supervisor_config cfg) {
  return sys.spawn(supervisor, std::move(cfg));
}

child_spec supervisor_child(supervisor_config cfg, restart_policy policy) {
  auto name = cfg.name;
  child_factory start = [cfg](caf::local_actor* parent,
                              const child_context& ctx) {
    auto c = cfg;
    c.name = ctx.name;
    c.parent = ctx.parent;
    c.entry = ctx.entry;
    return caf::actor_cast<caf::actor>(parent->spawn(supervisor, std::move(c)));
  };
  return child_spec{std::move(name), std::move(start), policy};
}

} // namespace kc::runtime
