#include "actors/runtime/reconciler.hpp"

#include "telemetry/logging.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <exception>

namespace kc::runtime {

using self_ptr = reconciler_actor::stateful_pointer<reconciler_state>;

namespace {

class fn_reconciler : public reconciler {
public:
  explicit fn_reconciler(std::function<void(reconcile_request)> fn)
    : fn_(std::move(fn)) {
  }
  void reconcile(reconcile_request req) override {
    fn_(std::move(req));
  }

private:
  std::function<void(reconcile_request)> fn_;
};

std::string name(self_ptr self) {
  return self->state.cfg.entry ? self->state.cfg.entry->name()
                               : to_string(self->state.cfg.key);
}

void publish_state(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.entry)
    return;
  std::string s = st.running ? "running" : "idle";
  s += " pass=" + std::to_string(st.pass) + " ok="
       + std::to_string(st.passes_ok) + " failed="
       + std::to_string(st.passes_failed) + " failures="
       + std::to_string(st.failures);
  if (st.dirty)
    s += " pending";
  if (!st.snapshot)
    s += " gone";
  st.cfg.entry->set_state(std::move(s));
}

void set_dirty(self_ptr self, bool dirty) {
  auto& st = self->state;
  if (st.dirty == dirty)
    return;
  st.dirty = dirty;
  if (auto& d = st.cfg.metrics.depth)
    dirty ? d->inc() : d->dec();
}

void start_pass(self_ptr self) {
  auto& st = self->state;
  set_dirty(self, false);
  st.running = true;
  auto pass = ++st.pass;
  st.started = self->clock().now();
  auto hdl = caf::actor_cast<reconciler_actor>(self);
  reconcile_request req{st.cfg.key, st.snapshot, pass,
                        [hdl, pass](reconcile_result r) {
                          caf::anon_send(hdl, atom::done_v, pass,
                                         std::move(r));
                        }};
  try {
    st.cfg.impl->reconcile(std::move(req));
  } catch (const std::exception& e) {
    caf::anon_send(hdl, atom::done_v, pass,
                   reconcile_result::failed(std::string{"exception: "}
                                            + e.what()));
  } catch (...) {
    caf::anon_send(hdl, atom::done_v, pass,
                   reconcile_result::failed("unknown exception"));
  }
  publish_state(self);
}

void maybe_start(self_ptr self) {
  if (!self->state.running && self->state.dirty)
    start_pass(self);
}

void schedule(self_ptr self, caf::timespan delay) {
  self->delayed_send(self, delay, atom::requeue_v,
                     ++self->state.timer_generation);
}

void on_done(self_ptr self, uint64_t pass, reconcile_result& r) {
  auto& st = self->state;
  if (!st.running || pass != st.pass)
    return;
  st.running = false;
  auto& m = st.cfg.metrics;
  if (m.duration)
    m.duration->observe(self->clock().now() - st.started);
  ++st.timer_generation; // a new result supersedes any pending timer
  switch (r.outcome) {
    case reconcile_result::success:
      ++st.passes_ok;
      st.failures = 0; // Forget
      if (r.requeue_after > caf::timespan{0}) {
        if (m.requeue_after)
          m.requeue_after->inc();
        schedule(self, r.requeue_after);
      } else if (m.success) {
        m.success->inc();
      }
      break;
    case reconcile_result::error: {
      ++st.passes_failed;
      ++st.failures;
      if (m.error)
        m.error->inc();
      if (m.errors)
        m.errors->inc();
      if (st.cfg.entry)
        st.cfg.entry->set_error(r.message);
      if (r.requeue_after > caf::timespan{0})
        KC_WARN(name(self), "requeue_after ignored on an error (api:Q4)");
      auto delay = backoff_delay(st.cfg.backoff, st.failures);
      KC_DEBUG(name(self), "reconcile failed: {}; retry in {} us", r.message,
               std::chrono::duration_cast<std::chrono::microseconds>(delay)
                 .count());
      schedule(self, delay);
      break;
    }
    default: // terminal: recorded, no requeue until the next event
      ++st.passes_failed;
      if (m.terminal)
        m.terminal->inc();
      if (m.errors)
        m.errors->inc();
      if (st.cfg.entry)
        st.cfg.entry->set_error("terminal: " + r.message);
      KC_WARN(name(self), "terminal error: {}", r.message);
  }
  if (st.dirty) {
    start_pass(self);
    return;
  }
  publish_state(self);
  bool idle_success = r.outcome == reconcile_result::success
                      && r.requeue_after <= caf::timespan{0};
  if (idle_success && !st.snapshot && st.cfg.parent)
    caf::anon_send(st.cfg.parent, atom::remove_v, st.cfg.key, st.last_seq);
}

} // namespace

reconciler_factory reconciler_from(std::function<void(reconcile_request)> fn) {
  auto impl = std::make_shared<fn_reconciler>(std::move(fn));
  return [impl](const object_key&) { return impl; };
}

reconcile_metrics reconcile_metrics::make(telemetry::registry* reg,
                                          const std::string& name) {
  reconcile_metrics m;
  if (!reg)
    return m;
  auto& total = reg->add_counter_family(
    "kc_reconcile_total", "Reconcile passes by result.",
    {"controller", "result"});
  m.success = total.with({name, "success"});
  m.error = total.with({name, "error"});
  m.requeue_after = total.with({name, "requeue_after"});
  m.terminal = total.with({name, "terminal_error"});
  m.errors = reg->add_counter_family("kc_reconcile_errors_total",
                                     "Reconcile passes that failed.",
                                     {"controller"})
               .with({name});
  m.duration
    = reg->add_histogram_family(
           "kc_reconcile_time_seconds", "Duration of reconcile passes.",
           {"controller"},
           {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60})
        .with({name});
  m.depth = reg->add_gauge_family("kc_workqueue_depth",
                                  "Keys waiting for a reconcile pass.",
                                  {"name"})
              .with({name});
  return m;
}

reconciler_actor::behavior_type key_reconciler(self_ptr self,
                                               reconciler_config cfg) {
  self->state.cfg = std::move(cfg);
  if (self->state.cfg.entry)
    self->state.cfg.entry->set_id(self->id());
  return {
    [self](atom::reconcile, uint64_t seq, resource_event& ev) {
      auto& st = self->state;
      if (st.cfg.entry)
        st.cfg.entry->handled(self);
      st.last_seq = seq;
      if (ev.kind == st.cfg.primary_kind && ev.key == st.cfg.key)
        st.snapshot = std::move(ev.snapshot);
      set_dirty(self, true);
      maybe_start(self);
    },
    [self](atom::done, uint64_t pass, reconcile_result& r) {
      if (self->state.cfg.entry)
        self->state.cfg.entry->handled(self);
      on_done(self, pass, r);
    },
    [self](atom::requeue, uint64_t generation) {
      auto& st = self->state;
      if (st.cfg.entry)
        st.cfg.entry->handled(self);
      if (generation != st.timer_generation)
        return;
      set_dirty(self, true);
      maybe_start(self);
    },
    [self](atom::status) {
      publish_state(self);
      return self->state.cfg.entry ? self->state.cfg.entry->view().state
                                   : std::string{"reconciler"};
    },
  };
}

} // namespace kc::runtime
