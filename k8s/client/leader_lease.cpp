#include "k8s/client/leader_lease.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>

namespace kc::k8s {

namespace json = boost::json;
using namespace std::chrono;

namespace {

std::string str(const json::object& o, std::string_view key) {
  if (auto v = o.if_contains(key); v && v->is_string())
    return std::string(v->as_string());
  return {};
}

long num(const json::object& o, std::string_view key) {
  if (auto v = o.if_contains(key)) {
    if (v->is_int64())
      return static_cast<long>(v->as_int64());
    if (v->is_uint64())
      return static_cast<long>(v->as_uint64());
  }
  return 0;
}

std::string format(system_clock::time_point t, bool micro) {
  auto secs = time_point_cast<seconds>(t);
  if (secs > t)
    secs -= seconds{1};
  auto us = duration_cast<microseconds>(t - secs).count();
  std::time_t tt = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  if (micro)
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, static_cast<long>(us));
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
  return buf;
}

} // namespace

std::string validate(const lease_config& c) {
  if (c.identity.empty())
    return "leader election identity is empty";
  if (c.name.empty() || c.ns.empty())
    return "lease name and namespace must be set";
  if (c.retry_period <= milliseconds::zero())
    return "retry period must be positive";
  if (c.lease_duration <= c.renew_deadline)
    return "lease duration must be greater than the renew deadline";
  if (c.renew_deadline.count() * 10 <= c.retry_period.count() * 12)
    return "renew deadline must be greater than 1.2 x the retry period";
  return {};
}

std::string format_micro_time(system_clock::time_point t) {
  return format(t, true);
}

std::string format_time(system_clock::time_point t) {
  return format(t, false);
}

lease_record parse_lease(const json::object& obj) {
  lease_record r;
  if (auto m = obj.if_contains("metadata"); m && m->is_object())
    r.resource_version = str(m->as_object(), "resourceVersion");
  if (auto s = obj.if_contains("spec"); s && s->is_object()) {
    auto& spec = s->as_object();
    r.holder = str(spec, "holderIdentity");
    r.lease_duration_seconds = num(spec, "leaseDurationSeconds");
    r.acquire_time = str(spec, "acquireTime");
    r.renew_time = str(spec, "renewTime");
    r.lease_transitions = num(spec, "leaseTransitions");
  }
  return r;
}

json::object make_lease(const lease_config& c, const lease_record& r) {
  json::object meta{{"name", c.name}, {"namespace", c.ns}};
  if (!r.resource_version.empty())
    meta["resourceVersion"] = r.resource_version;
  json::object spec;
  // An empty holder is written as "" (released), like client-go.
  spec["holderIdentity"] = r.holder;
  spec["leaseDurationSeconds"] = r.lease_duration_seconds;
  if (!r.acquire_time.empty())
    spec["acquireTime"] = r.acquire_time;
  if (!r.renew_time.empty())
    spec["renewTime"] = r.renew_time;
  spec["leaseTransitions"] = r.lease_transitions;
  return json::object{{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", std::move(meta)},
                      {"spec", std::move(spec)}};
}

lease_action lease_elector::observe(const std::optional<lease_record>& current,
                                    steady now, wall wall_now) {
  auto dur_s = duration_cast<seconds>(cfg_.lease_duration).count();
  auto stamp = format_micro_time(wall_now);
  if (!current) {
    lease_record r{cfg_.identity, static_cast<long>(dur_s), stamp, stamp, 0,
                   {}};
    return {lease_action::create, std::move(r)};
  }
  if (!have_observed_ || !(*current == observed_)) {
    observed_ = *current;
    observed_at_ = now;
    have_observed_ = true;
  }
  if (current->holder == cfg_.identity) {
    if (lost(now))
      return {};
    lease_record r = *current;
    r.lease_duration_seconds = static_cast<long>(dur_s);
    r.renew_time = stamp;
    if (r.acquire_time.empty())
      r.acquire_time = stamp;
    return {lease_action::update, std::move(r)};
  }
  if (held_) {
    // Somebody else holds what we held: leadership is gone for good.
    lost_ = true;
    return {};
  }
  auto valid = current->lease_duration_seconds > 0
                 ? milliseconds{seconds{current->lease_duration_seconds}}
                 : cfg_.lease_duration;
  if (!current->holder.empty() && observed_at_ + valid > now)
    return {};
  lease_record r{cfg_.identity,           static_cast<long>(dur_s), stamp,
                 stamp,                   current->lease_transitions + 1,
                 current->resource_version};
  return {lease_action::update, std::move(r)};
}

void lease_elector::write_succeeded(const lease_record& written, steady sent) {
  observed_ = written;
  observed_at_ = sent;
  have_observed_ = true;
  if (written.holder == cfg_.identity) {
    held_ = true;
    last_renew_ = sent;
  } else {
    held_ = false; // released
  }
}

void lease_elector::write_failed() {
  // Nothing to undo: the next observation decides again.
}

bool lease_elector::leading(steady now) const {
  return held_ && !lost_ && observed_.holder == cfg_.identity
         && now - last_renew_ < cfg_.renew_deadline;
}

bool lease_elector::lost(steady now) const {
  return held_ && (lost_ || now - last_renew_ >= cfg_.renew_deadline);
}

std::optional<lease_record> lease_elector::release(wall wall_now) const {
  if (!held_ || lost_ || observed_.holder != cfg_.identity)
    return std::nullopt;
  auto stamp = format_micro_time(wall_now);
  lease_record r = observed_;
  r.holder.clear();
  r.lease_duration_seconds = 1;
  r.acquire_time = stamp;
  r.renew_time = stamp;
  return r;
}

} // namespace kc::k8s
