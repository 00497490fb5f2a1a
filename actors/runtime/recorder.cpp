#include "actors/runtime/recorder.hpp"

#include "actors/runtime/leader.hpp"
#include "telemetry/logging.hpp"
#include "telemetry/metrics.hpp"

#include <caf/all.hpp>

#include <random>

namespace kc::runtime {

using namespace std::chrono;

namespace {

using self_ptr = recorder_actor::stateful_pointer<recorder_state>;

telemetry::family<telemetry::counter>& events_family() {
  return telemetry::global_registry().add_counter_family(
      "kubecombo_events_total",
      "Events handled by the recorder, by result (written, skipped by the "
      "spam filter, dropped on a full queue, failed).",
      {"result"});
}

void count(const char* result) {
  events_family().with({result})->inc();
}

k8s::resource_ref events_ref(const std::string& ns, const std::string& name) {
  k8s::resource_ref r;
  r.resource = "events";
  r.ns = ns;
  r.name = name;
  return r;
}

std::string describe(const recorder_state& st) {
  auto& c = st.counts;
  return fmt::format("written={} skipped={} dropped={} failed={} queue={}",
                     c.written, c.skipped, c.dropped, c.failed,
                     st.queue.size());
}

/// Top of every handler: /debug/actors statistics.
void touch(self_ptr self) {
  if (auto& e = self->state.entry) {
    e->handled(self);
    e->set_state(describe(self->state));
    if (!self->state.last_error.empty())
      e->set_error(self->state.last_error);
  }
}

void send_current(self_ptr self) {
  auto& st = self->state;
  st.pending = st.next_id++;
  ++st.attempts;
  auto& ev = st.current;
  auto req = st.current_is_patch
               ? k8s::make_patch(events_ref(ev.ns, ev.name),
                                 k8s::patch_type::strategic, ev.patch_body)
               : k8s::make_create(events_ref(ev.ns, {}), ev.body);
  // A weak reference: a pending completion never keeps the actor (or,
  // after shutdown, the actor system) alive.
  caf::weak_actor_ptr weak = self->ctrl();
  st.api->send(std::move(req), st.pending,
               [weak](uint64_t id, k8s::http_result r) {
                 if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
                   caf::anon_send(caf::actor_cast<recorder_actor>(strong),
                                  atom::http_done_v, id, to_outcome(r));
               });
}

void finish_flush(self_ptr self) {
  auto& st = self->state;
  if (st.pending != 0 || !st.queue.empty())
    return;
  for (auto& p : st.flush_waiters)
    p.deliver(true);
  st.flush_waiters.clear();
}

/// Starts the next write if idle.
void pump(self_ptr self) {
  auto& st = self->state;
  while (st.pending == 0 && !st.queue.empty()) {
    auto in = std::move(st.queue.front());
    st.queue.pop_front();
    k8s::event_input ev{{in.kind, in.api_version, in.ns, in.name, in.uid,
                         in.resource_version, in.field_path},
                        in.type,
                        in.reason,
                        in.message};
    st.current = st.correlator->correlate(ev, system_clock::now());
    if (st.current.what == k8s::correlated_event::skip) {
      ++st.counts.skipped;
      count("skipped");
      KC_DEBUG(self, {{"object", in.ns + "/" + in.name}, {"reason", in.reason}},
               "event dropped by the spam filter");
      continue;
    }
    st.current_is_patch = st.current.what == k8s::correlated_event::patch;
    st.attempts = 0;
    send_current(self);
  }
  finish_flush(self);
}

void on_done(self_ptr self, const api_outcome& out) {
  auto& st = self->state;
  if (out.ok()) {
    ++st.counts.written;
    count("written");
    st.correlator->update_state(st.current.key, out.name,
                                out.count > 0 ? out.count : st.current.count);
    st.pending = 0;
    return pump(self);
  }
  if (st.current_is_patch && out.status == 404) {
    // The Event expired or was deleted: create it anew (client-go).
    st.current_is_patch = false;
    return send_current(self);
  }
  bool retriable = out.status == 0 || out.status == 429 || out.status >= 500;
  if (retriable && st.attempts <= st.cfg.max_retries) {
    auto delay = st.cfg.retry_delay;
    if (st.attempts == 1) { // the first delay is randomized (client-go)
      static thread_local std::mt19937 gen{std::random_device{}()};
      std::uniform_int_distribution<int64_t> d{0, delay.count()};
      delay = milliseconds{d(gen)};
    }
    st.last_error = out.error;
    KC_DEBUG(self, "event write failed, retrying in {} ms: {}", delay.count(),
             out.error);
    self->delayed_send(self, delay, atom::tick_v, ++st.timer_generation);
    return;
  }
  ++st.counts.failed;
  count("failed");
  st.last_error = out.error;
  KC_WARN(self, {{"event", st.current.ns + "/" + st.current.name}},
          "cannot write event: {}", out.error);
  st.pending = 0;
  pump(self);
}

} // namespace

recorder_actor::behavior_type
recorder(recorder_actor::stateful_pointer<recorder_state> self,
         std::shared_ptr<k8s::api_client> api, recorder_config cfg,
         entry_ptr entry) {
  auto& st = self->state;
  st.api = std::move(api);
  st.entry = std::move(entry);
  st.correlator.emplace(cfg.correlator);
  st.cfg = std::move(cfg);
  if (st.entry)
    st.entry->set_state(describe(st));
  return {
    [self](event_request& in) {
      touch(self);
      auto& st = self->state;
      if (st.queue.size() >= st.cfg.queue_limit) {
        ++st.counts.dropped;
        count("dropped");
        return;
      }
      st.queue.push_back(std::move(in));
      pump(self);
    },
    [self](atom::http_done, uint64_t id, api_outcome& out) {
      touch(self);
      if (id != self->state.pending)
        return; // stale (rule 18)
      on_done(self, out);
    },
    [self](atom::tick, uint64_t gen) {
      auto& st = self->state;
      if (gen != st.timer_generation || st.pending == 0)
        return;
      send_current(self);
    },
    [self](atom::shutdown) -> caf::result<bool> {
      auto& st = self->state;
      if (st.pending == 0 && st.queue.empty())
        return true;
      st.flush_waiters.push_back(self->make_response_promise<bool>());
      return st.flush_waiters.back();
    },
    [self](atom::status) -> std::string {
      return describe(self->state);
    },
  };
}

} // namespace kc::runtime
