#include "actors/runtime/informer.hpp"

#include "telemetry/logging.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>

namespace kc::runtime {

namespace json = boost::json;
using self_ptr = informer_actor::stateful_pointer<informer_state>;
using k8s::watch_event_type;

namespace {

std::string_view str_at(const json::object& o, std::string_view key) {
  if (auto p = o.if_contains(key); p && p->is_string())
    return p->get_string();
  return {};
}

const json::object* meta_of(const json::object& obj) {
  auto m = obj.if_contains("metadata");
  return m && m->is_object() ? &m->get_object() : nullptr;
}

std::string key_text(const object_key& k) {
  return k.ns.empty() ? k.name : k.ns + "/" + k.name;
}

std::string name(self_ptr self) {
  return "informer/" + self->state.cfg.kind;
}

void touch(self_ptr self) {
  if (self->state.cfg.entry)
    self->state.cfg.entry->handled(self);
}

void publish_state(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.entry)
    return;
  const char* ph = st.current == informer_state::phase::listing    ? "listing"
                   : st.current == informer_state::phase::watching ? "watching"
                                                                   : "backoff";
  st.cfg.entry->set_state(std::string{ph} + " rv=" + st.last_rv
                          + " objects=" + std::to_string(st.cache.size())
                          + " synced=" + (st.synced ? "true" : "false")
                          + " failures=" + std::to_string(st.failures));
}

void fan_out(self_ptr self, const object_key& key, snapshot_ptr obj) {
  auto& st = self->state;
  for (auto& s : st.subscribers)
    caf::anon_send(s, resource_event{st.cfg.kind, key, obj});
}

void record_error(self_ptr self, const std::string& what) {
  auto& st = self->state;
  if (st.errors)
    st.errors->inc();
  if (st.cfg.entry)
    st.cfg.entry->set_error(what);
}

void do_list(self_ptr self);
void do_watch(self_ptr self);

/// Waits with exponential backoff, then relists or re-watches.
void backoff(self_ptr self, bool relist) {
  auto& st = self->state;
  ++st.failures;
  st.current = informer_state::phase::backoff;
  st.backoff_relist = relist;
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  auto delay = backoff_delay(st.cfg.backoff, st.failures, unit(st.rng));
  KC_INFO(name(self), "{} in {} ms (failure {})",
          relist ? "relist" : "re-watch",
          std::chrono::duration_cast<std::chrono::milliseconds>(delay).count(),
          st.failures);
  ++st.request_id; // drop late completions
  self->delayed_send(self, delay, atom::tick_v, ++st.timer_generation);
  publish_state(self);
}

/// 403/401: no silent stall; quit with the cause (the supervisor restarts).
void fail_fast(self_ptr self, const std::string& what) {
  KC_ERROR(name(self), "giving up: {}", what);
  record_error(self, what);
  self->quit(caf::make_error(ec::forbidden, name(self) + ": " + what));
}

void cancel_watch(self_ptr self) {
  auto& st = self->state;
  if (*st.watch) {
    (*st.watch)->cancel();
    st.watch->reset();
  }
}

void do_list(self_ptr self) {
  auto& st = self->state;
  cancel_watch(self);
  st.current = informer_state::phase::listing;
  k8s::request_options o;
  o.label_selector = st.cfg.label_selector;
  o.field_selector = st.cfg.field_selector;
  if (!st.synced && st.last_rv.empty()) {
    o.resource_version = "0"; // served from the cache ("Any")
  } else if (!st.relist_quorum && !st.last_rv.empty()) {
    o.resource_version = st.last_rv;
    o.resource_version_match = "NotOlderThan";
  }
  auto id = ++st.request_id;
  auto hdl = caf::actor_cast<informer_actor>(self);
  st.cfg.client->list(
    st.cfg.resource, id,
    [hdl](uint64_t rid, k8s::http_result r) {
      caf::anon_send(hdl, atom::http_done_v, rid,
                     api_reply{std::make_shared<const k8s::http_result>(
                       std::move(r))});
    },
    o);
  publish_state(self);
}

void do_watch(self_ptr self) {
  auto& st = self->state;
  cancel_watch(self);
  st.current = informer_state::phase::watching;
  k8s::request_options o;
  o.label_selector = st.cfg.label_selector;
  o.field_selector = st.cfg.field_selector;
  o.resource_version = st.last_rv;
  o.allow_watch_bookmarks = true;
  auto min = st.cfg.min_watch_timeout.count();
  std::uniform_int_distribution<long> secs{min, std::max(min, 2 * min - 1)};
  o.timeout_seconds = secs(st.rng);
  auto id = ++st.request_id;
  st.watch_events = 0;
  st.watch_started = std::chrono::steady_clock::now();
  auto hdl = caf::actor_cast<informer_actor>(self);
  k8s::watch_callbacks cb;
  cb.on_event = [hdl](uint64_t wid, k8s::watch_event ev) {
    caf::anon_send(hdl, atom::event_v, wid,
                   watch_item{static_cast<uint8_t>(ev.type),
                              std::move(ev.object), std::move(ev.rv)});
  };
  cb.on_done = [hdl](uint64_t wid, k8s::api_error err) {
    caf::anon_send(hdl, atom::watch_end_v, wid,
                   watch_end_info{static_cast<uint8_t>(err.code),
                                  err.http_status, std::move(err.reason),
                                  std::move(err.message)});
  };
  *st.watch = st.cfg.client->watch(k8s::make_watch(st.cfg.resource, o), id,
                                   std::move(cb));
  publish_state(self);
}

/// Applies a full LIST: events for the differences, deletes for the gone.
void apply_list(self_ptr self, const std::shared_ptr<const json::object>& list) {
  auto& st = self->state;
  std::unordered_map<std::string, informer_item> fresh;
  if (auto items = list->if_contains("items"); items && items->is_array()) {
    fresh.reserve(items->get_array().size());
    for (auto& v : items->get_array()) {
      if (!v.is_object())
        continue;
      auto meta = meta_of(v.get_object());
      if (!meta)
        continue;
      object_key key{std::string{str_at(*meta, "namespace")},
                     std::string{str_at(*meta, "name")}};
      // Aliasing pointer: shares the list's storage, no copy.
      snapshot_ptr obj{list, &v.get_object()};
      auto text = key_text(key);
      fresh.emplace(std::move(text),
                    informer_item{std::move(key), std::move(obj),
                                  std::string{str_at(*meta,
                                                     "resourceVersion")}});
    }
  }
  for (auto& [text, item] : fresh) {
    auto old = st.cache.find(text);
    if (old == st.cache.end() || old->second.rv != item.rv) {
      if (old == st.cache.end() ? st.added : st.modified)
        (old == st.cache.end() ? st.added : st.modified)->inc();
      fan_out(self, item.key, item.object);
    }
  }
  for (auto& [text, item] : st.cache)
    if (!fresh.count(text)) {
      if (st.deleted)
        st.deleted->inc();
      KC_DEBUG(name(self), "synthesized delete of {}", text);
      fan_out(self, item.key, nullptr);
    }
  st.cache = std::move(fresh);
  if (auto meta = meta_of(*list))
    st.last_rv = std::string{str_at(*meta, "resourceVersion")};
  if (st.objects)
    st.objects->set(static_cast<double>(st.cache.size()));
  if (!st.synced) {
    st.synced = true;
    if (st.cfg.synced)
      st.cfg.synced->store(true);
    if (st.synced_gauge)
      st.synced_gauge->set(1);
    KC_INFO(name(self), "synced: {} objects at rv {}", st.cache.size(),
            st.last_rv);
    for (auto& s : st.subscribers)
      caf::anon_send(s, atom::synced_v, st.cfg.kind);
  }
}

void on_list(self_ptr self, uint64_t id, const api_reply& reply) {
  auto& st = self->state;
  if (id != st.request_id || !reply.result)
    return;
  auto& r = *reply.result;
  if (!r.ok() || !r.object) {
    auto what = r.ok() ? std::string{"list: no JSON body"}
                       : "list: " + r.error.to_string();
    if (r.error.code == ec::forbidden || r.error.code == ec::unauthorized)
      return fail_fast(self, what);
    KC_WARN(name(self), "{}", what);
    record_error(self, what);
    if (r.error.code == ec::expired) {
      st.relist_quorum = true;
      do_list(self);
      return;
    }
    backoff(self, true);
    return;
  }
  st.relist_quorum = false;
  st.failures = 0;
  apply_list(self, r.object);
  do_watch(self);
}

void on_watch_event(self_ptr self, uint64_t id, watch_item& ev) {
  auto& st = self->state;
  if (id != st.request_id || st.current != informer_state::phase::watching)
    return;
  auto type = static_cast<watch_event_type>(ev.type);
  if (type == watch_event_type::error || !ev.object)
    return; // the end of the watch follows with the mapped error
  ++st.watch_events;
  st.failures = 0;
  if (!ev.rv.empty())
    st.last_rv = ev.rv;
  if (type == watch_event_type::bookmark) {
    if (st.bookmarks)
      st.bookmarks->inc();
    return;
  }
  auto meta = meta_of(*ev.object);
  if (!meta)
    return;
  object_key key{std::string{str_at(*meta, "namespace")},
                 std::string{str_at(*meta, "name")}};
  auto text = key_text(key);
  if (type == watch_event_type::deleted) {
    st.cache.erase(text);
    if (st.deleted)
      st.deleted->inc();
    fan_out(self, key, nullptr);
  } else {
    auto& counter = type == watch_event_type::added ? st.added : st.modified;
    if (counter)
      counter->inc();
    st.cache[text] = informer_item{key, ev.object, ev.rv};
    fan_out(self, key, std::move(ev.object));
  }
  if (st.objects)
    st.objects->set(static_cast<double>(st.cache.size()));
}

void on_watch_end(self_ptr self, uint64_t id, const watch_end_info& end) {
  auto& st = self->state;
  if (id != st.request_id)
    return;
  st.watch->reset();
  auto code = static_cast<ec>(end.code);
  auto what = "watch: " + std::string{to_string(code)} + " ("
              + std::to_string(end.http_status) + " " + end.reason
              + "): " + end.message;
  switch (code) {
    case ec::no_error: {
      // Normal end: re-watch from the last RV. A watch that ends at once
      // without events backs off instead of spinning.
      auto lived = std::chrono::steady_clock::now() - st.watch_started;
      if (st.watch_events == 0 && lived < std::chrono::seconds{1}) {
        backoff(self, false);
        return;
      }
      KC_DEBUG(name(self), "watch ended; re-watch from rv {}", st.last_rv);
      if (st.cfg.rewatch_delay > caf::timespan{0}) {
        st.current = informer_state::phase::backoff;
        st.backoff_relist = false;
        self->delayed_send(self, st.cfg.rewatch_delay, atom::tick_v,
                           ++st.timer_generation);
        return;
      }
      do_watch(self);
      return;
    }
    case ec::expired:
      KC_INFO(name(self), "{}; relisting", what);
      if (st.relists)
        st.relists->inc();
      do_list(self);
      return;
    case ec::forbidden:
    case ec::unauthorized:
      fail_fast(self, what);
      return;
    case ec::watch_line_too_long:
    case ec::parse_error:
      KC_WARN(name(self), "{}; relisting", what);
      record_error(self, what);
      backoff(self, true);
      return;
    default:
      // Network errors, 429/5xx, invalid or over-long lines: logged,
      // counted, the watch restarted after a backoff.
      KC_WARN(name(self), "{}", what);
      record_error(self, what);
      backoff(self, false);
  }
}

void init_metrics(self_ptr self) {
  auto& st = self->state;
  auto reg = st.cfg.metrics;
  if (!reg)
    return;
  auto& events = reg->add_counter_family(
    "kc_informer_events_total",
    "Watch and list events delivered by informers.", {"kind", "type"});
  st.added = events.with({st.cfg.kind, "added"});
  st.modified = events.with({st.cfg.kind, "modified"});
  st.deleted = events.with({st.cfg.kind, "deleted"});
  st.bookmarks = events.with({st.cfg.kind, "bookmark"});
  st.relists = reg->add_counter_family("kc_informer_relists_total",
                                       "Relists after 410 Gone.", {"kind"})
                 .with({st.cfg.kind});
  st.errors = reg->add_counter_family("kc_informer_errors_total",
                                      "List and watch errors.", {"kind"})
                .with({st.cfg.kind});
  st.objects = reg->add_gauge_family("kc_informer_objects",
                                     "Objects in the informer cache.",
                                     {"kind"})
                 .with({st.cfg.kind});
  st.synced_gauge = reg->add_gauge_family("kc_informer_synced",
                                          "1 once the first list arrived.",
                                          {"kind"})
                      .with({st.cfg.kind});
}

} // namespace

informer_actor::behavior_type informer(self_ptr self, informer_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.subscribers = st.cfg.subscribers;
  st.rng.seed(st.cfg.seed ? st.cfg.seed : std::random_device{}());
  st.watch = std::make_shared<std::shared_ptr<k8s::watch_handle>>();
  if (st.cfg.entry)
    st.cfg.entry->set_id(self->id());
  init_metrics(self);
  for (auto& s : st.subscribers)
    self->monitor(s);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const caf::actor& a) {
                                return a.address() == msg.source;
                              }),
               subs.end());
  });
  self->attach_functor([w = st.watch] {
    if (*w)
      (*w)->cancel();
  });
  do_list(self);
  return {
    [self](atom::subscribe, caf::actor sub) {
      touch(self);
      auto& st = self->state;
      self->monitor(sub);
      if (st.synced) {
        for (auto& [text, item] : st.cache)
          caf::anon_send(sub, resource_event{st.cfg.kind, item.key, item.object});
        caf::anon_send(sub, atom::synced_v, st.cfg.kind);
      }
      st.subscribers.push_back(std::move(sub));
    },
    [self](atom::get) {
      touch(self);
      std::vector<resource_event> out;
      for (auto& [text, item] : self->state.cache)
        out.push_back({self->state.cfg.kind, item.key, item.object});
      std::sort(out.begin(), out.end(), [](auto& a, auto& b) {
        return a.key < b.key;
      });
      return out;
    },
    [self](atom::http_done, uint64_t id, api_reply& reply) {
      touch(self);
      on_list(self, id, reply);
    },
    [self](atom::event, uint64_t id, watch_item& ev) {
      touch(self);
      on_watch_event(self, id, ev);
    },
    [self](atom::watch_end, uint64_t id, watch_end_info& end) {
      touch(self);
      on_watch_end(self, id, end);
      publish_state(self);
    },
    [self](atom::tick, uint64_t generation) {
      touch(self);
      auto& st = self->state;
      if (generation != st.timer_generation
          || st.current != informer_state::phase::backoff)
        return;
      if (st.backoff_relist)
        do_list(self);
      else
        do_watch(self);
    },
    [self](atom::status) {
      touch(self);
      publish_state(self);
      return self->state.cfg.entry ? self->state.cfg.entry->view().state
                                   : std::string{"informer"};
    },
  };
}

informer_actor spawn_informer(caf::actor_system& sys, informer_config cfg) {
  return sys.spawn(informer, std::move(cfg));
}

child_spec informer_child(informer_config cfg) {
  auto name = "informer/" + cfg.kind;
  child_factory start = [cfg](caf::local_actor* parent,
                              const child_context& ctx) {
    auto c = cfg;
    c.entry = ctx.entry;
    return caf::actor_cast<caf::actor>(parent->spawn(informer, std::move(c)));
  };
  return child_spec{std::move(name), std::move(start),
                    restart_policy::permanent};
}

} // namespace kc::runtime
