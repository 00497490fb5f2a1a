#include "actors/runtime/reconcile_supervisor.hpp"

#include "telemetry/logging.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>

#include <algorithm>
#include <exception>

namespace kc::runtime {

using self_ptr
  = reconcile_supervisor_actor::stateful_pointer<reconcile_supervisor_state>;

namespace {

void touch(self_ptr self) {
  if (self->state.entry)
    self->state.entry->handled(self);
}

std::string describe(self_ptr self) {
  auto& st = self->state;
  uint64_t restarts = 0;
  for (auto& [k, s] : st.keys)
    restarts += s.restarts;
  std::string s = st.tearing_down ? "shutting down; " : "";
  s += "keys " + std::to_string(st.keys.size()) + ", restarts "
       + std::to_string(restarts) + ", synced";
  for (auto& k : st.synced_kinds)
    s += " " + k;
  return s;
}

void publish_state(self_ptr self) {
  if (self->state.entry)
    self->state.entry->set_state(describe(self));
}

std::string child_name(self_ptr self, const object_key& key) {
  return self->state.cfg.child_prefix + "/" + to_string(key);
}

void drop_entry(self_ptr self, key_slot& slot) {
  if (self->state.cfg.registry && slot.entry)
    self->state.cfg.registry->remove(slot.entry);
  slot.entry = nullptr;
}

bool start_key(self_ptr self, const object_key& key, key_slot& slot) {
  auto& st = self->state;
  if (!slot.impl) {
    try {
      slot.impl = st.cfg.make ? st.cfg.make(key) : nullptr;
    } catch (const std::exception& e) {
      slot.last_error = std::string{"reconciler factory: "} + e.what();
    }
    if (!slot.impl) {
      KC_ERROR(st.cfg.name, "no reconciler for {}: {}", to_string(key),
               slot.last_error);
      return false;
    }
  }
  if (st.cfg.registry) {
    slot.entry = st.cfg.registry->add(child_name(self, key), st.cfg.name);
    slot.entry->set_restarts(slot.restarts);
    slot.entry->set_error(slot.last_error);
  }
  reconciler_config rc{key,          st.cfg.primary_kind,
                       slot.impl,    st.cfg.backoff,
                       st.metrics,   slot.entry,
                       caf::actor_cast<caf::actor>(self)};
  slot.handle = self->spawn(key_reconciler, std::move(rc));
  self->monitor(slot.handle);
  return true;
}

void forward(self_ptr self, const object_key& key, key_slot& slot,
             const resource_event& ev) {
  slot.seq = ++self->state.seq;
  self->send(slot.handle, atom::reconcile_v, slot.seq, ev);
  (void) key;
}

void on_event(self_ptr self, resource_event& ev) {
  auto& st = self->state;
  if (st.tearing_down)
    return;
  std::vector<object_key> keys;
  if (st.cfg.map)
    keys = st.cfg.map(ev);
  else if (ev.kind == st.cfg.primary_kind)
    keys.push_back(ev.key);
  for (auto& key : keys) {
    auto& slot = st.keys[key];
    if (ev.kind == st.cfg.primary_kind && ev.key == key)
      slot.snapshot = ev.snapshot;
    if (!slot.handle) {
      if (slot.restarts > 0)
        continue; // waiting for its restart, which replays the snapshot
      if (!start_key(self, key, slot)) {
        st.keys.erase(key);
        continue;
      }
    }
    forward(self, key, slot, ev);
  }
  publish_state(self);
}

void finish_if_done(self_ptr self) {
  if (self->state.tearing_down && self->state.keys.empty())
    self->quit();
}

void begin_shutdown(self_ptr self) {
  auto& st = self->state;
  if (st.tearing_down)
    return;
  st.tearing_down = true;
  for (auto i = st.keys.begin(); i != st.keys.end();) {
    if (i->second.handle) {
      self->send_exit(i->second.handle, caf::exit_reason::user_shutdown);
      ++i;
    } else {
      i = st.keys.erase(i);
    }
  }
  self->delayed_send(self, st.cfg.grace, atom::tick_v,
                     ++st.grace_generation);
  publish_state(self);
  finish_if_done(self);
}

void on_down(self_ptr self, caf::down_msg& msg) {
  touch(self);
  auto& st = self->state;
  auto i = std::find_if(st.keys.begin(), st.keys.end(), [&](auto& kv) {
    return kv.second.handle && kv.second.handle.address() == msg.source;
  });
  if (i == st.keys.end())
    return;
  auto& slot = i->second;
  drop_entry(self, slot);
  slot.handle = nullptr;
  if (st.tearing_down) {
    st.keys.erase(i);
    finish_if_done(self);
    return;
  }
  slot.last_error = msg.reason ? self->system().render(msg.reason)
                               : std::string{"exited"};
  slot.impl = nullptr; // a fresh reconciler after a crash
  ++slot.failures;
  ++slot.restarts;
  auto delay = backoff_delay(st.cfg.restart_backoff, slot.failures);
  KC_WARN(st.cfg.name, "{} down ({}); restart in {} ms",
          child_name(self, i->first), slot.last_error,
          std::chrono::duration_cast<std::chrono::milliseconds>(delay)
            .count());
  self->delayed_send(self, delay, atom::restart_v, i->first,
                     ++slot.restart_generation);
  publish_state(self);
}

} // namespace

reconcile_supervisor_actor::behavior_type
reconcile_supervisor(self_ptr self, reconcile_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.metrics = reconcile_metrics::make(st.cfg.metrics, st.cfg.name);
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
  self->set_exit_handler([self](caf::exit_msg&) {
    touch(self);
    begin_shutdown(self);
  });
  publish_state(self);
  return {
    [self](resource_event& ev) {
      touch(self);
      on_event(self, ev);
    },
    [self](atom::synced, const std::string& kind) {
      touch(self);
      self->state.synced_kinds.push_back(kind);
      publish_state(self);
    },
    [self](atom::get) {
      touch(self);
      std::vector<object_key> out;
      for (auto& [k, s] : self->state.keys)
        if (s.handle)
          out.push_back(k);
      return out;
    },
    [self](atom::shutdown) {
      touch(self);
      begin_shutdown(self);
    },
    [self](atom::remove, const object_key& key, uint64_t seq) {
      touch(self);
      auto& st = self->state;
      auto i = st.keys.find(key);
      if (st.tearing_down || i == st.keys.end() || !i->second.handle
          || i->second.seq != seq)
        return; // newer events are on their way to it
      self->send_exit(i->second.handle, caf::exit_reason::user_shutdown);
      drop_entry(self, i->second);
      st.keys.erase(i);
      publish_state(self);
    },
    [self](atom::restart, const object_key& key, uint64_t generation) {
      touch(self);
      auto& st = self->state;
      auto i = st.keys.find(key);
      if (st.tearing_down || i == st.keys.end() || i->second.handle
          || i->second.restart_generation != generation)
        return;
      auto& slot = i->second;
      if (!start_key(self, key, slot)) {
        st.keys.erase(i);
        return;
      }
      forward(self, key, slot,
              resource_event{st.cfg.primary_kind, key, slot.snapshot});
      publish_state(self);
    },
    [self](atom::tick, uint64_t generation) {
      touch(self);
      auto& st = self->state;
      if (!st.tearing_down || generation != st.grace_generation)
        return;
      for (auto& [k, s] : st.keys)
        if (s.handle)
          self->send_exit(s.handle, caf::exit_reason::kill);
      self->quit();
    },
    [self](atom::status) {
      touch(self);
      return describe(self);
    },
  };
}

reconcile_supervisor_actor spawn_reconcile_supervisor(caf::actor_system& sys,
                                                      reconcile_config cfg) {
  return sys.spawn(reconcile_supervisor, std::move(cfg));
}

child_spec reconcile_supervisor_child(reconcile_config cfg) {
  auto name = cfg.name;
  child_factory start = [cfg](caf::local_actor* parent,
                              const child_context& ctx) {
    auto c = cfg;
    c.name = ctx.name;
    c.parent = ctx.parent;
    c.entry = ctx.entry;
    return caf::actor_cast<caf::actor>(
      parent->spawn(reconcile_supervisor, std::move(c)));
  };
  return child_spec{std::move(name), std::move(start),
                    restart_policy::permanent};
}

} // namespace kc::runtime
