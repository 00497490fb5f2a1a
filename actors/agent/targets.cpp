#include "actors/agent/targets.hpp"

#include "telemetry/logging.hpp"

#include <caf/all.hpp>

namespace kc::agent {

namespace {

using self_ptr = targets_actor::stateful_pointer<targets_state>;

std::string key_of(uint8_t proto, const std::string& label) {
  return std::string(probes::to_string(static_cast<probes::protocol>(proto)))
         + "/" + label;
}

void publish_counts(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.by_state)
    return;
  for (uint8_t p = 0; p < 4; ++p) {
    if (!st.proto_seen[p])
      continue;
    for (uint8_t s = 0; s < 3; ++s)
      st.cfg.by_state
          ->with({probes::to_string(static_cast<probes::protocol>(p)),
                  probes::to_string(static_cast<probes::target_state>(s))})
          ->set(static_cast<double>(st.counts[p][s]));
  }
}

/// Writes the summary annotation now if it changed (at most once per
/// period; else a tick is scheduled).
void write_summary(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.summary.api || st.tearing_down)
    return;
  auto now = caf::make_timestamp();
  auto next = st.summary_at + st.cfg.summary_period;
  if (now < next) {
    if (!st.summary_scheduled) {
      st.summary_scheduled = true;
      self->delayed_send(self, next - now, atom::tick_v);
    }
    return;
  }
  std::vector<std::string> down;
  if (st.counts[0][2] + st.counts[1][2] + st.counts[2][2] + st.counts[3][2] > 0)
    for (auto& [key, child] : st.children)
      if (child.state == 2)
        down.push_back(key);
  auto json = pinger_summary_json(st.children.size(), std::move(down));
  if (json == st.summary_written)
    return;
  write_pinger_summary(st.cfg.summary, json);
  st.summary_written = std::move(json);
  st.summary_at = now;
}

void update_entry(self_ptr self) {
  write_summary(self);
  auto& st = self->state;
  if (!st.entry)
    return;
  int64_t by[3] = {};
  for (auto& c : st.counts)
    for (size_t s = 0; s < 3; ++s)
      by[s] += c[s];
  st.entry->set_state(std::to_string(st.children.size()) + " targets: "
                      + std::to_string(by[1]) + " up, " + std::to_string(by[2])
                      + " down, " + std::to_string(by[0]) + " unknown");
}

void start_child(self_ptr self, const target_def& def) {
  auto& st = self->state;
  if (def.proto >= 4)
    return;
  auto key = key_of(def.proto, def.label);
  if (st.children.count(key) != 0)
    return;
  target_gauges gauges;
  auto proto_name = probes::to_string(static_cast<probes::protocol>(def.proto));
  if (st.cfg.target_up && st.series_used < st.cfg.max_target_series) {
    ++st.series_used;
    gauges.up = st.cfg.target_up->with({proto_name, def.label});
    if (st.cfg.target_loss)
      gauges.loss = st.cfg.target_loss->with({proto_name, def.label});
  }
  runtime::entry_ptr entry;
  if (st.cfg.registry)
    entry = st.cfg.registry->add(target_name(def), "targets");
  auto h = self->spawn(target, def, st.cfg.health,
                       caf::actor_cast<targets_actor>(self), gauges, entry);
  self->monitor(h);
  st.by_addr[h.address()] = key;
  auto& slots = st.by_slot[def.proto];
  if (slots.size() <= def.slot)
    slots.resize(def.slot + 1);
  slots[def.slot] = key;
  st.children[key] = target_child{def, h, entry, 0, gauges.up != nullptr};
  st.proto_seen[def.proto] = true;
  ++st.counts[def.proto][0];
}

/// Forgets a child (its actor is gone or going); returns its definition.
target_def forget(self_ptr self,
                  std::map<std::string, target_child>::iterator i) {
  auto& st = self->state;
  auto def = i->second.def;
  --st.counts[def.proto][i->second.state];
  st.by_addr.erase(i->second.handle.address());
  auto& slots = st.by_slot[def.proto];
  if (def.slot < slots.size() && slots[def.slot] == i->first)
    slots[def.slot].clear();
  if (st.cfg.registry && i->second.entry)
    st.cfg.registry->remove(i->second.entry);
  if (i->second.series) { // a removed target leaves no stale series
    auto proto = std::string(
        probes::to_string(static_cast<probes::protocol>(def.proto)));
    std::vector<std::string> labels{proto, def.label};
    if (st.cfg.target_up)
      st.cfg.target_up->remove(labels);
    if (st.cfg.target_loss)
      st.cfg.target_loss->remove(labels);
    --st.series_used;
  }
  st.children.erase(i);
  return def;
}

} // namespace

targets_actor::behavior_type
targets(targets_actor::stateful_pointer<targets_state> self, targets_config cfg,
        runtime::entry_ptr entry) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.entry = std::move(entry);
  if (st.entry)
    st.entry->set_id(self->id());
  self->set_down_handler([self](const caf::down_msg& msg) {
    auto& st = self->state;
    auto a = st.by_addr.find(msg.source);
    if (a == st.by_addr.end())
      return; // removed on purpose
    auto i = st.children.find(a->second);
    if (i == st.children.end())
      return;
    auto def = forget(self, i);
    publish_counts(self);
    update_entry(self);
    if (st.tearing_down || msg.reason == caf::exit_reason::user_shutdown)
      return;
    ++st.restarts;
    KC_WARN("targets", "{} stopped ({}); restarting in {}ms", target_name(def),
            caf::to_string(msg.reason),
            std::chrono::duration_cast<std::chrono::milliseconds>(
                st.cfg.restart_delay)
                .count());
    if (st.entry)
      st.entry->set_error(target_name(def) + ": " + caf::to_string(msg.reason));
    self->delayed_send(self, st.cfg.restart_delay, atom::put_v, def);
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    auto& st = self->state;
    st.tearing_down = true;
    for (auto& [key, child] : st.children) {
      self->send_exit(child.handle, caf::exit_reason::user_shutdown);
      if (st.cfg.registry && child.entry)
        st.cfg.registry->remove(child.entry);
    }
    st.children.clear();
    self->quit(msg.reason);
  });
  for (auto& def : st.cfg.initial)
    start_child(self, def);
  publish_counts(self);
  update_entry(self);
  return {
      [self](atom::results, uint8_t proto, const probe_batch& batch) {
        auto& st = self->state;
        if (st.entry)
          st.entry->handled(self);
        if (proto >= 4)
          return;
        auto& slots = st.by_slot[proto];
        // One slice per target of this batch (usually one result each).
        std::unordered_map<target_child*, probe_batch> slices;
        for (auto& r : batch) {
          if (r.slot >= slots.size() || slots[r.slot].empty()) {
            ++st.unknown_slots;
            continue;
          }
          auto i = st.children.find(slots[r.slot]);
          if (i == st.children.end()) {
            ++st.unknown_slots;
            continue;
          }
          slices[&i->second].push_back(r);
        }
        for (auto& [child, slice] : slices)
          self->send(child->handle, atom::results_v, std::move(slice));
      },
      [self](atom::put, const target_def& def) {
        if (self->state.tearing_down)
          return;
        start_child(self, def);
        publish_counts(self);
        update_entry(self);
      },
      [self](atom::remove, uint8_t proto, const std::string& label) {
        auto& st = self->state;
        auto i = st.children.find(key_of(proto, label));
        if (i == st.children.end())
          return;
        auto h = i->second.handle;
        forget(self, i);
        self->demonitor(h.address());
        self->send_exit(h, caf::exit_reason::user_shutdown);
        publish_counts(self);
        update_entry(self);
      },
      [self](atom::tick) {
        self->state.summary_scheduled = false;
        write_summary(self);
      },
      [self](const target_thresholds& t) {
        auto& st = self->state;
        st.cfg.health.fail_threshold = t.fail;
        st.cfg.health.recover_threshold = t.recover;
        st.cfg.health.loss_threshold = t.loss;
        for (auto& [key, child] : st.children)
          self->send(child.handle, t);
      },
      [self](const target_transition& t) {
        auto& st = self->state;
        if (st.entry)
          st.entry->handled(self);
        ++st.transitions;
        auto i = st.children.find(key_of(t.proto, t.label));
        if (i != st.children.end() && t.proto < 4 && t.from < 3 && t.to < 3) {
          --st.counts[t.proto][t.from];
          ++st.counts[t.proto][t.to];
          i->second.state = t.to;
          publish_counts(self);
          update_entry(self);
        }
        if (auto rep
            = st.cfg.reporter ? st.cfg.reporter->get() : reporter_actor{})
          self->send(rep, t);
        else if (t.from != 0 || t.to != 1)
          KC_WARN("targets", "{} (no reporter running)", t.line);
      },
      [self](atom::get) -> std::string {
        std::string out;
        for (auto& [key, child] : self->state.children)
          out += target_name(child.def) + "\n";
        return out;
      },
      [self](atom::status) -> std::string {
        auto& st = self->state;
        return std::to_string(st.children.size()) + " targets, "
               + std::to_string(st.transitions) + " transitions, "
               + std::to_string(st.restarts) + " restarts, "
               + std::to_string(st.unknown_slots)
               + " results for unknown slots";
      },
  };
}

} // namespace kc::agent
