#include "k8s/sim/store.hpp"

#include "k8s/sim/watcher.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace kc::sim {

namespace {

std::string map_key(const std::string& ns, const std::string& name) {
  return ns + '/' + name;
}

} // namespace

stored_ptr make_stored(json::object obj, uint64_t rev) {
  auto s = std::make_shared<stored_object>();
  auto& md = metadata_of(obj);
  md["resourceVersion"] = std::to_string(rev);
  s->ns = str_at(md, "namespace");
  s->name = str_at(md, "name");
  s->rev = rev;
  s->json = json::serialize(obj);
  s->obj = std::move(obj);
  return s;
}

const char* to_string(event_type t) {
  switch (t) {
    case event_type::added:
      return "ADDED";
    case event_type::modified:
      return "MODIFIED";
    case event_type::deleted:
      return "DELETED";
  }
  return "ERROR";
}

stored_ptr txn::get(const std::string& key, const std::string& ns,
                    const std::string& name) const {
  auto it = s_.data_.find(key);
  if (it == s_.data_.end())
    return nullptr;
  auto jt = it->second.find(map_key(ns, name));
  return jt == it->second.end() ? nullptr : jt->second;
}

std::vector<stored_ptr> txn::list(const std::string& key,
                                  const std::string& ns) const {
  std::vector<stored_ptr> out;
  auto it = s_.data_.find(key);
  if (it == s_.data_.end())
    return out;
  auto& m = it->second;
  if (ns.empty()) {
    out.reserve(m.size());
    for (auto& [k, v] : m)
      out.push_back(v);
    return out;
  }
  auto prefix = ns + '/';
  for (auto jt = m.lower_bound(prefix);
       jt != m.end() && jt->first.compare(0, prefix.size(), prefix) == 0; ++jt)
    out.push_back(jt->second);
  return out;
}

stored_ptr txn::put(const std::string& key, json::object obj) {
  auto rev = ++s_.revision_;
  auto s = make_stored(std::move(obj), rev);
  auto& slot = s_.data_[key][map_key(s->ns, s->name)];
  auto ev = std::make_shared<watch_event>();
  ev->rev = rev;
  ev->key = key;
  ev->ns = s->ns;
  ev->type = slot ? event_type::modified : event_type::added;
  ev->old = slot;
  ev->obj = s;
  if (!slot)
    ++s_.count_;
  slot = s;
  s_.record(std::move(ev));
  return s;
}

stored_ptr txn::erase(const std::string& key, const std::string& ns,
                      const std::string& name) {
  auto it = s_.data_.find(key);
  if (it == s_.data_.end())
    return nullptr;
  auto jt = it->second.find(map_key(ns, name));
  if (jt == it->second.end())
    return nullptr;
  auto old = jt->second;
  it->second.erase(jt);
  --s_.count_;
  auto rev = ++s_.revision_;
  auto s = make_stored(old->obj, rev);
  auto ev = std::make_shared<watch_event>();
  ev->rev = rev;
  ev->key = key;
  ev->ns = ns;
  ev->type = event_type::deleted;
  ev->old = old;
  ev->obj = s;
  s_.record(std::move(ev));
  return s;
}

uint64_t txn::revision() const {
  return s_.revision_;
}

store::store(std::size_t history_limit) : history_limit_(history_limit) {
}

void store::record(event_ptr ev) {
  for (auto& fn : observers_)
    fn(*ev);
  std::size_t alive = 0;
  for (auto& w : watchers_)
    if (w->offer(ev))
      watchers_[alive++] = w;
  watchers_.resize(alive);
  history_.push_back(std::move(ev));
  while (history_.size() > history_limit_) {
    compacted_ = history_.front()->rev;
    history_.pop_front();
  }
}

void store::transact(const std::function<void(txn&)>& fn) {
  std::lock_guard<std::mutex> g(mtx_);
  txn t{*this};
  fn(t);
}

stored_ptr store::get(const std::string& key, const std::string& ns,
                      const std::string& name) {
  std::lock_guard<std::mutex> g(mtx_);
  return txn{*this}.get(key, ns, name);
}

std::vector<stored_ptr> store::list(const std::string& key,
                                    const std::string& ns,
                                    uint64_t& revision) {
  std::lock_guard<std::mutex> g(mtx_);
  revision = revision_;
  return txn{*this}.list(key, ns);
}

uint64_t store::revision() {
  std::lock_guard<std::mutex> g(mtx_);
  return revision_;
}

std::size_t store::size() {
  std::lock_guard<std::mutex> g(mtx_);
  return count_;
}

watch_registration store::watch(const std::shared_ptr<watcher>& w,
                                std::optional<uint64_t> from) {
  std::lock_guard<std::mutex> g(mtx_);
  watch_registration reg;
  reg.revision = revision_;
  if (!from) {
    w->set_initial(txn{*this}.list(w->key(), w->ns()), {}, revision_);
  } else {
    if (*from > revision_) {
      reg.too_large = true;
      return reg;
    }
    if (*from < compacted_) {
      reg.expired = "too old resource version: " + std::to_string(*from)
                    + " (" + std::to_string(compacted_) + ")";
      return reg;
    }
    std::vector<event_ptr> replay;
    // History is ordered by revision: skip to the first event after `from`.
    auto first = std::lower_bound(
      history_.begin(), history_.end(), *from + 1,
      [](const event_ptr& e, uint64_t rev) { return e->rev < rev; });
    for (auto it = first; it != history_.end(); ++it)
      if ((*it)->key == w->key() && (w->ns().empty() || (*it)->ns == w->ns()))
        replay.push_back(*it);
    w->set_initial({}, std::move(replay), revision_);
  }
  watchers_.push_back(w);
  return reg;
}

void store::add_observer(observer fn) {
  std::lock_guard<std::mutex> g(mtx_);
  observers_.push_back(std::move(fn));
}

void store::compact() {
  std::lock_guard<std::mutex> g(mtx_);
  compacted_ = revision_;
  history_.clear();
}

void store::drop_watches() {
  std::lock_guard<std::mutex> g(mtx_);
  for (auto& w : watchers_)
    w->close();
  watchers_.clear();
}

} // namespace kc::sim
