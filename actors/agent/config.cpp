#include "actors/agent/config.hpp"

#include "actors/agent/agent_informer.hpp"
#include "actors/runtime/informer.hpp"
#include "k8s/api/kubecombo/formats.hpp"
#include "k8s/api/kubecombo/spec.hpp"
#include "k8s/api/kubecombo/validate.hpp"
#include "messages/runtime_types.hpp"
#include "probes/default_route.hpp"
#include "probes/target.hpp"
#include "telemetry/logging.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

namespace kc::agent {

namespace kk = k8s::kubecombo;

namespace {

using self_ptr = caf::stateful_actor<config_state>*;

std::string key_of(uint8_t proto, const std::string& label) {
  return std::to_string(proto) + "/" + label;
}

/// The targets a configuration asks for: key → (proto, label).
std::map<std::string, std::pair<uint8_t, std::string>>
desired(const live_config& c) {
  std::map<std::string, std::pair<uint8_t, std::string>> out;
  for (uint8_t p = 0; p < 4; ++p)
    for (auto& spec :
         probes::parse_target_list(static_cast<probes::protocol>(p), c.lists[p])
             .good)
      out[key_of(p, spec.text)] = {p, spec.text};
  return out;
}

void send_thresholds(self_ptr self, const live_config& c) {
  auto& cfg = self->state.cfg;
  if (auto t = cfg.targets ? cfg.targets->get() : targets_actor{}) {
    self->send(t, target_thresholds{c.fail, c.recover, cfg.loss_threshold});
    self->state.thresholds_to = t;
  }
}

/// Brings the engines and TARGETS to `c`. Book locked.
void apply(self_ptr self, config_book& b, const live_config& c) {
  auto& cfg = self->state.cfg;
  auto t = cfg.targets ? cfg.targets->get() : targets_actor{};
  auto want = desired(c);
  size_t added = 0, removed = 0;
  for (auto i = b.applied.begin(); i != b.applied.end();) {
    if (want.count(i->first)) {
      ++i;
      continue;
    }
    auto slash = i->first.find('/');
    auto proto = static_cast<uint8_t>(std::stoi(i->first.substr(0, slash)));
    auto label = i->first.substr(slash + 1);
    if (t)
      self->send(t, atom::remove_v, proto, label);
    if (cfg.release)
      cfg.release(proto, i->second);
    i = b.applied.erase(i);
    ++removed;
  }
  for (auto& [key, pl] : want) {
    if (b.applied.count(key) || cfg.fixed.count(key))
      continue;
    std::string error;
    auto slot = cfg.slot_for ? cfg.slot_for(pl.first, pl.second, error)
                             : std::nullopt;
    if (!slot) {
      KC_WARN("config", "{} {}: not probed: {}",
              probes::to_string(static_cast<probes::protocol>(pl.first)),
              pl.second, error.empty() ? "no engine slot" : error);
      continue;
    }
    b.applied[key] = *slot;
    if (t)
      self->send(t, atom::put_v,
                 target_def{pl.second, pl.first, *slot, "config"});
    ++added;
  }
  bool reschedule = !b.last_good || !b.last_good->same_schedule(c);
  if (reschedule && cfg.reschedule)
    cfg.reschedule(c);
  send_thresholds(self, c);
  b.last_good = c;
  ++self->state.applied;
  KC_INFO("config",
          "Pinger {}/{} generation {} applied: {} targets (+{} -{}), every "
          "{}s, count {}, thresholds {}/{}",
          cfg.ns, cfg.name, c.generation, b.applied.size(), added, removed,
          c.interval, c.count, c.fail, c.recover);
}

void update_entry(self_ptr self) {
  auto& st = self->state;
  if (!st.entry)
    return;
  std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
  auto& b = *st.cfg.book;
  std::string s = b.last_good
                      ? "generation " + b.last_good->generation + ", "
                            + std::to_string(b.applied.size()) + " targets"
                      : "no Pinger yet (flags only)";
  if (!st.last_error.empty())
    s += "; last change rejected: " + st.last_error;
  st.entry->set_state(s);
}

} // namespace

std::optional<live_config> read_pinger(const boost::json::object& pinger,
                                       std::string& error) {
  auto spec = kk::parse_pinger_spec(pinger);
  auto errors = kk::validate_pinger(spec);
  if (!errors.empty()) {
    error = kk::describe(errors);
    return std::nullopt;
  }
  live_config c;
  c.lists[0] = spec.ping;
  c.lists[1] = spec.tcp_ping;
  c.lists[2] = spec.udp_ping;
  c.lists[3] = spec.dns;
  std::string gw = spec.gateway;
  if (gw == "auto")
    gw = probes::default_gateway().value_or("");
  if (!gw.empty())
    c.lists[0] += (c.lists[0].empty() ? "" : ",") + gw;
  c.interval = static_cast<double>(spec.interval);
  c.count = spec.count;
  if (!spec.timeout.empty())
    c.timeout_ms = kk::parse_duration_ms(spec.timeout).value_or(0);
  c.fail = static_cast<uint32_t>(spec.failure_threshold);
  c.recover = static_cast<uint32_t>(spec.recovery_threshold);
  c.generation = std::to_string(kk::meta_of(pinger).generation);
  return c;
}

caf::behavior config(caf::stateful_actor<config_state>* self, config_config cfg,
                     runtime::entry_ptr entry) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.entry = std::move(entry);
  if (!st.cfg.book)
    st.cfg.book = std::make_shared<config_book>();
  // Linked: a failed informer (403) takes CONFIG down; its supervisor
  // restarts both; the book keeps the last good configuration.
  spawn_linked_informer(
      self, "pinger",
      {"vpn-gw.kubecombo.com", "v1", "pingers", true, st.cfg.ns, "", ""},
      st.cfg.api, st.cfg.metrics, "", "metadata.name=" + st.cfg.name);
  self->delayed_send(self, st.cfg.resync, atom::tick_v);
  update_entry(self);
  return {
      [self](const resource_event& ev) {
        auto& st = self->state;
        if (st.entry)
          st.entry->handled(self);
        if (!ev.snapshot || ev.key.name != st.cfg.name) {
          if (!ev.snapshot)
            KC_WARN("config",
                    "Pinger {}/{} deleted: keeping the last good "
                    "configuration",
                    st.cfg.ns, st.cfg.name);
          return;
        }
        std::string error;
        auto c = read_pinger(*ev.snapshot, error);
        if (!c) {
          ++st.rejected;
          st.last_error = error;
          KC_WARN("config",
                  "Pinger {}/{} is invalid ({}); keeping the last "
                  "good configuration",
                  st.cfg.ns, st.cfg.name, error);
          update_entry(self);
          return;
        }
        st.last_error.clear();
        {
          std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
          apply(self, *st.cfg.book, *c);
        }
        update_entry(self);
      },
      [](atom::synced, const std::string&) {},
      [self](atom::tick) {
        auto& st = self->state;
        {
          std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
          auto& b = *st.cfg.book;
          auto t = st.cfg.targets ? st.cfg.targets->get() : targets_actor{};
          if (t && b.last_good && t != st.thresholds_to) {
            // A restarted TARGETS: it knows only the flag targets.
            st.thresholds_to = t;
            for (auto& [key, slot] : b.applied) {
              auto slash = key.find('/');
              self->send(t, atom::put_v,
                         target_def{key.substr(slash + 1),
                                    static_cast<uint8_t>(
                                        std::stoi(key.substr(0, slash))),
                                    slot, "config"});
            }
            send_thresholds(self, *b.last_good);
          }
        }
        self->delayed_send(self, self->state.cfg.resync, atom::tick_v);
      },
      [self](atom::status) -> std::string {
        auto& st = self->state;
        std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
        return std::to_string(st.cfg.book->applied.size()) + " targets, "
               + std::to_string(st.applied) + " applied, "
               + std::to_string(st.rejected) + " rejected";
      },
  };
}

} // namespace kc::agent
