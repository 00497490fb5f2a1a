#include "actors/controller/object_cache.hpp"

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

namespace kc::controller {

namespace {

/// The labels with an index (a Debugger's pods; its run ConfigMaps).
constexpr const char* indexed_labels[] = {"debug", "kubecombo.com/debugger"};

/// The value of `label` on `obj`; null when it has none.
const boost::json::string* label_of(const boost::json::object& obj,
                                    const char* label) {
  auto md = k8s::obj_at(obj, "metadata");
  auto labels = md ? k8s::obj_at(*md, "labels") : nullptr;
  if (!labels)
    return nullptr;
  auto it = labels->find(label);
  return it == labels->end() ? nullptr : it->value().if_string();
}

std::string index_name(const std::string& kind, const std::string& label) {
  return kind + "\n" + label;
}

} // namespace

void object_cache::index(const std::string& kind, const object_key& key,
                         const snapshot_ptr& old, const snapshot_ptr& now) {
  for (auto label : indexed_labels) {
    auto o = old ? label_of(*old, label) : nullptr;
    auto n = now ? label_of(*now, label) : nullptr;
    if (!o && !n)
      continue;
    auto& idx = index_[index_name(kind, label)];
    if (o)
      idx.erase({key.ns, std::string(*o), key.name});
    if (n)
      idx[{key.ns, std::string(*n), key.name}] = now;
  }
}

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
  index(ev.kind, ev.key, previous, ev.snapshot);
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

std::vector<snapshot_ptr>
object_cache::list_labelled(const std::string& kind, const std::string& ns,
                            const std::string& label,
                            const std::string& value) const {
  bool indexed = false;
  for (auto l : indexed_labels)
    indexed = indexed || label == l;
  if (!indexed) {
    auto all = list(kind, ns);
    std::erase_if(all, [&](const snapshot_ptr& s) {
      auto v = label_of(*s, label.c_str());
      return !v || *v != value;
    });
    return all;
  }
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<snapshot_ptr> out;
  auto idx = index_.find(index_name(kind, label));
  if (idx == index_.end())
    return out;
  for (auto it = idx->second.lower_bound({ns, value, ""});
       it != idx->second.end() && std::get<0>(it->first) == ns
       && std::get<1>(it->first) == value;
       ++it)
    out.push_back(it->second);
  return out;
}

} // namespace kc::controller
