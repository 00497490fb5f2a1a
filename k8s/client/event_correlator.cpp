#include "k8s/client/event_correlator.hpp"

#include "k8s/client/leader_lease.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

namespace kc::k8s {

namespace json = boost::json;
using namespace std::chrono;

template <class V>
V* event_correlator::lru<V>::find(const std::string& k) {
  auto i = index.find(k);
  if (i == index.end())
    return nullptr;
  items.splice(items.begin(), items, i->second);
  return &i->second->second;
}

template <class V>
V& event_correlator::lru<V>::put(const std::string& k, V v) {
  if (auto* x = find(k)) {
    *x = std::move(v);
    return *x;
  }
  items.emplace_front(k, std::move(v));
  index[k] = items.begin();
  while (items.size() > cap) {
    index.erase(items.back().first);
    items.pop_back();
  }
  return items.front().second;
}

namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    out.append(p);
    out.push_back('\x1f'); // unit separator: no accidental collisions
  }
  return out;
}

std::string event_name(const std::string& object, event_correlator::wall now) {
  auto nanos = duration_cast<nanoseconds>(now.time_since_epoch()).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, ".%llx",
                static_cast<unsigned long long>(nanos));
  return object + buf;
}

} // namespace

event_correlator::event_correlator(correlator_options o)
  : opts_(std::move(o)),
    aggregates_{opts_.cache_size, {}, {}},
    logs_{opts_.cache_size, {}, {}},
    buckets_{opts_.cache_size, {}, {}} {
}

bool event_correlator::spam_accept(const std::string& key, wall now) {
  auto* b = buckets_.find(key);
  if (!b)
    b = &buckets_.put(key, bucket{static_cast<double>(opts_.spam_burst), now});
  auto elapsed = duration<double>(now - b->last).count();
  if (elapsed > 0) {
    b->tokens = std::min<double>(opts_.spam_burst,
                                 b->tokens
                                   + elapsed / static_cast<double>(
                                       opts_.spam_refill.count()));
    b->last = now;
  }
  if (b->tokens < 1.0)
    return false;
  b->tokens -= 1.0;
  return true;
}

correlated_event event_correlator::correlate(const event_input& in, wall now) {
  const auto& o = in.object;
  // (1) Aggregation: similar = same source, object, type, reason, reporter.
  auto agg_key = join({opts_.component, opts_.host, o.kind, o.ns, o.name,
                       o.uid, o.api_version, in.type, in.reason,
                       opts_.component, opts_.instance});
  auto* rec = aggregates_.find(agg_key);
  if (!rec || now - rec->last > opts_.max_interval)
    rec = &aggregates_.put(agg_key, aggregate_record{});
  rec->messages.insert(in.message);
  rec->last = now;
  std::string message = in.message;
  std::string key;
  bool aggregated = false;
  if (rec->messages.size() < opts_.max_similar) {
    key = join({opts_.component, opts_.host, o.kind, o.ns, o.name,
                o.field_path, o.uid, o.api_version, in.type, in.reason,
                in.message});
  } else {
    // Do not grow the set beyond the threshold (client-go's PopAny).
    rec->messages.erase(rec->messages.begin());
    message = std::string{combined_prefix} + in.message;
    key = agg_key;
    aggregated = true;
  }
  // (2) Dedup: an event seen before becomes count+1 on the same object.
  correlated_event out;
  out.key = key;
  out.ns = o.ns.empty() ? "default" : o.ns;
  auto stamp = format_time(now);
  auto* log = logs_.find(key);
  if (log && log->count > 0) {
    out.what = correlated_event::patch;
    out.name = log->name;
    out.count = log->count + 1;
    log->count = out.count;
  } else {
    out.what = correlated_event::create;
    out.name = event_name(o.name, now);
    out.count = 1;
    logs_.put(key, log_record{1, stamp, out.name});
    log = logs_.find(key);
  }
  json::object ref{{"kind", o.kind},         {"namespace", o.ns},
                   {"name", o.name},         {"uid", o.uid},
                   {"apiVersion", o.api_version}};
  if (!aggregated && !o.resource_version.empty())
    ref["resourceVersion"] = o.resource_version;
  if (!aggregated && !o.field_path.empty())
    ref["fieldPath"] = o.field_path;
  out.body = json::object{
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", json::object{{"name", out.name}, {"namespace", out.ns}}},
      {"involvedObject", std::move(ref)},
      {"reason", in.reason},
      {"message", message},
      {"source",
       json::object{{"component", opts_.component}, {"host", opts_.host}}},
      {"firstTimestamp", log->first_timestamp},
      {"lastTimestamp", stamp},
      {"count", out.count},
      {"type", in.type},
      {"reportingComponent", opts_.component},
      {"reportingInstance", opts_.instance}};
  if (out.what == correlated_event::patch) {
    json::object p{{"count", out.count},
                   {"lastTimestamp", stamp},
                   {"message", message},
                   {"series", json::object{{"count", out.count},
                                           {"lastObservedTime",
                                            format_micro_time(now)}}}};
    out.patch_body = json::serialize(p);
  }
  // (3) Spam filter per object+source+type, after dedup like client-go (a
  // dropped event still counts in the dedup cache).
  auto spam_key = join({opts_.component, opts_.host, o.kind, o.ns, o.name,
                        o.uid, o.api_version, in.type});
  if (!spam_accept(spam_key, now))
    out.what = correlated_event::skip;
  return out;
}

void event_correlator::update_state(const std::string& key,
                                    const std::string& name, int count) {
  if (auto* log = logs_.find(key)) {
    log->name = name;
    log->count = count;
  }
}

} // namespace kc::k8s
