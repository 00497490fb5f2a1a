#include "actors/runtime/leader.hpp"

#include "telemetry/logging.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <random>

#include <unistd.h>

namespace kc::runtime {

using namespace std::chrono;
using steady = steady_clock;

// --- leader_status ---------------------------------------------------------

void leader_status::renewed(steady::time_point sent) {
  last_renew_ns_.store(
      duration_cast<nanoseconds>(sent.time_since_epoch()).count());
  held_.store(true);
}

bool leader_status::leading() const {
  if (!held_.load() || lost_.load())
    return false;
  auto last = steady::time_point{nanoseconds{last_renew_ns_.load()}};
  return steady::now() - last < deadline_;
}

bool leader_status::lost() const {
  if (lost_.load())
    return true;
  if (!held_.load())
    return false;
  auto last = steady::time_point{nanoseconds{last_renew_ns_.load()}};
  return steady::now() - last >= deadline_;
}

// --- helpers ---------------------------------------------------------------

api_outcome to_outcome(const k8s::http_result& r) {
  api_outcome out;
  out.status = static_cast<uint16_t>(r.status);
  if (r.error)
    out.error = r.error.to_string();
  if (!r.object)
    return out;
  auto& o = *r.object;
  auto text = [](const boost::json::object& obj, std::string_view k) {
    auto v = obj.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string{};
  };
  auto number = [](const boost::json::object& obj, std::string_view k) {
    auto v = obj.if_contains(k);
    return v && v->is_int64() ? static_cast<int32_t>(v->as_int64()) : 0;
  };
  if (auto m = o.if_contains("metadata"); m && m->is_object()) {
    out.name = text(m->as_object(), "name");
    out.uid = text(m->as_object(), "uid");
    out.resource_version = text(m->as_object(), "resourceVersion");
  }
  out.count = number(o, "count");
  if (auto s = o.if_contains("spec"); s && s->is_object()) {
    auto& spec = s->as_object();
    out.holder = text(spec, "holderIdentity");
    out.lease_duration_seconds = number(spec, "leaseDurationSeconds");
    out.acquire_time = text(spec, "acquireTime");
    out.renew_time = text(spec, "renewTime");
    out.lease_transitions = number(spec, "leaseTransitions");
  }
  return out;
}

std::string make_leader_identity() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "unknown");
  std::random_device rd;
  std::mt19937_64 gen{(static_cast<uint64_t>(rd()) << 32) ^ rd()};
  uint64_t a = gen(), b = gen();
  a = (a & ~0xf000ULL) | 0x4000ULL;            // version 4
  b = (b & 0x3fffffffffffffffULL) | (1ULL << 63); // variant 10
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return std::string{host} + "_" + uuid;
}

namespace {

using self_ptr = leader_actor::stateful_pointer<leader_state>;

k8s::lease_record record_of(const api_outcome& o) {
  return {o.holder,        o.lease_duration_seconds, o.acquire_time,
          o.renew_time,    o.lease_transitions,      o.resource_version};
}

k8s::resource_ref lease_ref(const k8s::lease_config& c, bool named) {
  k8s::resource_ref r;
  r.group = "coordination.k8s.io";
  r.resource = "leases";
  r.ns = c.ns;
  if (named)
    r.name = c.name;
  return r;
}

std::string describe(const leader_state& st) {
  return fmt::format("{} holder={} renewals={} failures={}{}",
                     st.leading ? "leading" : (st.stopped ? "stopped"
                                                           : "candidate"),
                     st.elector->observed_holder(), st.renewals, st.failures,
                     st.last_error.empty() ? "" : " last_error=" + st.last_error);
}

/// Top of every handler: /debug/actors statistics.
void touch(self_ptr self) {
  if (auto& e = self->state.entry) {
    e->handled(self);
    e->set_state(describe(self->state));
  }
}

void notify(self_ptr self, bool leading, const std::string& reason) {
  auto& st = self->state;
  if (st.leading == leading)
    return;
  st.leading = leading;
  leadership msg{leading, st.elector->config().identity, reason};
  for (auto& s : st.subscribers)
    caf::anon_send(s, msg);
}

void call(self_ptr self, leader_state::call kind, k8s::api_request req) {
  auto& st = self->state;
  st.pending = st.next_id++;
  st.pending_call = kind;
  st.pending_sent = steady::now();
  // A weak reference: a pending completion never keeps the actor (or,
  // after shutdown, the actor system) alive.
  caf::weak_actor_ptr weak = self->ctrl();
  st.api->send(std::move(req), st.pending,
               [weak](uint64_t id, k8s::http_result r) {
                 if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
                   caf::anon_send(caf::actor_cast<leader_actor>(strong),
                                  atom::http_done_v, id, to_outcome(r));
               });
}

void declare_lost(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.stopped)
    return;
  st.stopped = true;
  ++st.timer_generation; // no more renewals
  st.status->set_lost();
  KC_ERROR(self, {{"identity", st.elector->config().identity}},
           "leader election lost: {}", why);
  notify(self, false, why);
}

void on_get(self_ptr self, const api_outcome& out) {
  auto& st = self->state;
  std::optional<k8s::lease_record> current;
  if (out.ok()) {
    current = record_of(out);
  } else if (out.status != 404) {
    ++st.failures;
    st.last_error = out.error;
    KC_WARN(self, "cannot read the Lease: {}", out.error);
    return;
  }
  auto now = steady::now();
  auto act = st.elector->observe(current, now, system_clock::now());
  if (st.elector->lost(now))
    return declare_lost(self, "another holder took the Lease");
  if (act.what == k8s::lease_action::wait)
    return;
  auto& cfg = st.elector->config();
  auto body = k8s::make_lease(cfg, act.record);
  st.pending_record = act.record;
  if (act.what == k8s::lease_action::create)
    call(self, leader_state::call::write,
         k8s::make_create(lease_ref(cfg, false), body));
  else
    call(self, leader_state::call::write,
         k8s::make_update(lease_ref(cfg, true), body));
}

void on_write(self_ptr self, const api_outcome& out, bool release) {
  auto& st = self->state;
  auto& id = st.elector->config().identity;
  if (!out.ok()) {
    ++st.failures;
    st.last_error = out.error;
    st.elector->write_failed();
    if (out.status == 409)
      KC_DEBUG(self, "Lease write lost the race: {}", out.error);
    else
      KC_WARN(self, "cannot write the Lease: {}", out.error);
    if (release && st.release_promise) {
      st.release_promise->deliver(false);
      st.release_promise.reset();
    }
    return;
  }
  auto written = record_of(out);
  st.elector->write_succeeded(written, st.pending_sent);
  if (written.holder == id) {
    ++st.renewals;
    st.status->renewed(st.pending_sent);
    if (!st.leading)
      KC_INFO(self, {{"identity", id}, {"transitions", written.lease_transitions}},
              "successfully acquired lease {}/{}", st.elector->config().ns,
              st.elector->config().name);
    notify(self, true, "acquired");
  } else if (release) {
    st.status->released();
    KC_INFO(self, {{"identity", id}}, "released the Lease");
    notify(self, false, "released");
    if (st.release_promise) {
      st.release_promise->deliver(true);
      st.release_promise.reset();
    }
  }
}

} // namespace

leader_actor::behavior_type
leader(leader_actor::stateful_pointer<leader_state> self,
       std::shared_ptr<k8s::api_client> api, k8s::lease_config cfg,
       std::shared_ptr<leader_status> status, entry_ptr entry) {
  auto& st = self->state;
  st.api = std::move(api);
  st.entry = std::move(entry);
  st.status = std::move(status);
  KC_INFO(self, {{"identity", cfg.identity}},
          "attempting to acquire leader lease {}/{}", cfg.ns, cfg.name);
  st.elector.emplace(std::move(cfg));
  if (st.entry)
    st.entry->set_state(describe(st));
  self->send(self, atom::tick_v, st.timer_generation);
  return {
    [self](caf::subscribe_atom, caf::actor who) {
      touch(self);
      auto& st = self->state;
      st.subscribers.push_back(who);
      caf::anon_send(who, leadership{st.leading, st.elector->config().identity,
                                 st.leading ? "acquired" : "waiting"});
    },
    [self](atom::tick, uint64_t gen) {
      touch(self);
      auto& st = self->state;
      if (gen != st.timer_generation || st.stopped)
        return;
      self->delayed_send(self, st.elector->config().retry_period,
                         atom::tick_v, gen);
      auto now = steady::now();
      if (st.elector->lost(now))
        return declare_lost(self, "failed to renew the Lease within the "
                                  "renew deadline");
      if (st.pending != 0)
        return; // the previous call is still running
      call(self, leader_state::call::get,
           k8s::make_get(lease_ref(st.elector->config(), true)));
    },
    [self](atom::http_done, uint64_t id, api_outcome& out) {
      touch(self);
      auto& st = self->state;
      if (id != st.pending)
        return; // stale (rule 18)
      st.pending = 0;
      auto kind = st.pending_call;
      if (kind == leader_state::call::get && !st.stopped)
        on_get(self, out);
      else if (kind != leader_state::call::get)
        on_write(self, out, kind == leader_state::call::release);
      if (!st.stopped && st.elector->lost(steady::now()))
        declare_lost(self, "failed to renew the Lease within the renew "
                           "deadline");
    },
    [self](atom::shutdown) -> caf::result<bool> {
      touch(self);
      auto& st = self->state;
      ++st.timer_generation;
      auto rel = st.elector->release(system_clock::now());
      if (!rel || st.stopped || st.elector->lost(steady::now())) {
        st.stopped = true;
        return false;
      }
      st.stopped = true;
      st.pending_record = *rel;
      call(self, leader_state::call::release,
           k8s::make_update(lease_ref(st.elector->config(), true),
                            k8s::make_lease(st.elector->config(), *rel)));
      st.release_promise = self->make_response_promise<bool>();
      return *st.release_promise;
    },
    [self](atom::status) -> std::string {
      return describe(self->state);
    },
  };
}

} // namespace kc::runtime
