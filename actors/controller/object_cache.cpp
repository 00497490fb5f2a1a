#include "actors/controller/object_cache.hpp"

namespace kc::controller {

snapshot_ptr object_cache::apply(const resource_event& ev) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& objects = kinds_[ev.kind];
  auto it = objects.find(ev.key);
  snapshot_ptr previous;
  if (it != objects.end()) {
    previous = it->second;
    if (ev.snapshot)
      it->second = ev.snapshot;
    else
      objects.erase(it);
  } else if (ev.snapshot) {
    objects.emplace(ev.key, ev.snapshot);
  }
  return previous;
}

snapshot_ptr object_cache::get(const std::string& kind,
                               const object_key& key) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto k = kinds_.find(kind);
  if (k == kinds_.end())
    return nullptr;
  auto it = k->second.find(key);
  return it == k->second.end() ? nullptr : it->second;
}

std::vector<snapshot_ptr> object_cache::list(const std::string& kind,
                                             const std::string& ns) const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<snapshot_ptr> out;
  auto k = kinds_.find(kind);
  if (k == kinds_.end())
    return out;
  for (auto it = k->second.lower_bound(object_key{ns, ""});
       it != k->second.end() && it->first.ns == ns; ++it)
    out.push_back(it->second);
  return out;
}

} // namespace kc::controller
