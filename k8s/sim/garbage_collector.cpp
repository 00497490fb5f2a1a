#include "k8s/sim/garbage_collector.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/gc_state.hpp"

#include <algorithm>

namespace kc::sim {

namespace {

/// The owner uids of `obj` (metadata.ownerReferences[].uid).
std::vector<std::string> owner_uids(const json::object& obj) {
  std::vector<std::string> out;
  auto md = obj_at(obj, "metadata");
  if (!md)
    return out;
  auto refs = md->if_contains("ownerReferences");
  if (!refs || !refs->is_array())
    return out;
  for (auto& r : refs->as_array())
    if (auto ro = r.if_object())
      if (auto u = str_at(*ro, "uid"); !u.empty())
        out.push_back(std::move(u));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

} // namespace

void gc_state::wake() {
  pending = true;
  cv.notify_one();
}

void gc_state::observe(const watch_event& ev) {
  if (!ev.obj)
    return;
  auto md = obj_at(ev.obj->obj, "metadata");
  if (!md)
    return;
  auto uid = str_at(*md, "uid");
  if (uid.empty())
    return;
  bool queued = false;
  auto unlink = [&](const std::vector<std::string>& prev) {
    for (auto& p : prev) {
      auto it = dependents.find(p);
      if (it == dependents.end())
        continue;
      it->second.erase(uid);
      if (it->second.empty())
        dependents.erase(it);
    }
  };
  if (ev.type == event_type::deleted) {
    uids.erase(uid);
    graceful.erase(uid);
    if (auto it = owners.find(uid); it != owners.end()) {
      unlink(it->second);
      // A foreground owner may be waiting for this dependent.
      for (auto& o : it->second)
        if (uids.count(o)) {
          queue.insert(o);
          queued = true;
        }
      owners.erase(it);
    }
    if (auto it = dependents.find(uid); it != dependents.end()) {
      queue.insert(it->second.begin(), it->second.end());
      queued = !it->second.empty() || queued;
    }
    if (ev.key == "namespaces")
      terminating.erase(ev.obj->name);
  } else {
    uids[uid] = gc_ref{ev.key, ev.obj->ns, ev.obj->name};
    auto now = owner_uids(ev.obj->obj);
    auto it = owners.find(uid);
    static const std::vector<std::string> none;
    auto prev = it == owners.end() ? none : it->second;
    if (prev != now) {
      unlink(prev);
      for (auto& o : now)
        dependents[o].insert(uid);
      if (now.empty())
        owners.erase(uid);
      else
        owners[uid] = now;
    }
    // New or changed owners: one may be absent (checked by the thread).
    if (prev != now && !now.empty())
      queued = true;
    if (md->contains("deletionTimestamp"))
      queued = true;
    if (queued)
      queue.insert(uid);
  }
  if (queued)
    wake();
}

k8s::resource_type_ptr gc_state::type_of(const std::string& key) {
  if (types_generation != cp.registry.generation()) {
    types.clear();
    for (auto& t : cp.registry.all()) {
      auto k = control_plane::storage_key(*t);
      auto& slot = types[k];
      // Events: the core view (storage form).
      if (!slot || (k == "events" && t->group.empty()))
        slot = t;
    }
    types_generation = cp.registry.generation();
  }
  auto it = types.find(key);
  return it == types.end() ? nullptr : it->second;
}

void gc_state::work(txn& tx) {
  auto now = std::chrono::system_clock::now();
  for (auto it = graceful.begin(); it != graceful.end();) {
    if (it->second <= now) {
      queue.insert(it->first);
      it = graceful.erase(it);
    } else {
      ++it;
    }
  }
  auto names = terminating;
  for (auto& ns : names)
    finish_namespace(tx, ns);
  // Bounded transactions: at most this many objects per pass.
  constexpr std::size_t batch_limit = 2000;
  std::vector<std::string> batch;
  for (auto it = queue.begin();
       it != queue.end() && batch.size() < batch_limit;)
  {
    batch.push_back(*it);
    it = queue.erase(it);
  }
  for (auto& uid : batch)
    process(tx, uid);
  if (!queue.empty())
    pending = true;
}

garbage_collector::garbage_collector(control_plane& cp,
                                     std::chrono::milliseconds period)
  : st_(std::make_shared<gc_state>(cp, period)) {
  std::weak_ptr<gc_state> weak = st_;
  cp.objects.add_observer([weak](const watch_event& ev) {
    if (auto s = weak.lock())
      s->observe(ev);
  });
}

garbage_collector::~garbage_collector() {
  stop();
}

void garbage_collector::start() {
  auto st = st_;
  st->thread = std::thread([st] {
    for (;;) {
      {
        std::unique_lock<std::mutex> l(st->mtx);
        st->cv.wait_for(l, st->period,
                        [&] { return st->stopping || st->pending.load(); });
        if (st->stopping)
          return;
      }
      st->pending = false;
      st->cp.objects.transact([&](txn& tx) { st->work(tx); });
    }
  });
}

void garbage_collector::stop() {
  {
    std::lock_guard<std::mutex> l(st_->mtx);
    st_->stopping = true;
  }
  st_->cv.notify_all();
  if (st_->thread.joinable())
    st_->thread.join();
}

void garbage_collector::run_once() {
  st_->cp.objects.transact([&](txn& tx) { st_->work(tx); });
}

} // namespace kc::sim
