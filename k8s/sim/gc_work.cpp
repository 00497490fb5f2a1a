// The garbage collector's rules (api:C6, ADR 0005): owners by uid,
// foreground and orphan finalizers, namespace termination, the grace period
// fallback for pods.

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/deletion.hpp"
#include "k8s/sim/gc_state.hpp"

#include <algorithm>

namespace kc::sim {

namespace {

bool deleting(const json::object& obj) {
  return !meta_str(obj, "deletionTimestamp").empty();
}

bool has(const std::vector<std::string>& v, const char* s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// A copy of `obj` without the ownerReferences whose uid is in `drop`.
json::object without_owners(const json::object& obj,
                            const std::vector<std::string>& drop) {
  json::object next = obj;
  auto& md = metadata_of(next);
  auto refs = md.if_contains("ownerReferences");
  if (!refs || !refs->is_array())
    return next;
  json::array kept;
  for (auto& r : refs->as_array()) {
    auto ro = r.if_object();
    auto uid = ro ? str_at(*ro, "uid") : std::string{};
    if (std::find(drop.begin(), drop.end(), uid) == drop.end())
      kept.push_back(r);
  }
  if (kept.empty())
    md.erase("ownerReferences");
  else
    md["ownerReferences"] = std::move(kept);
  return next;
}

/// True if `obj`'s reference to `owner` has blockOwnerDeletion: true.
bool blocks(const json::object& obj, const std::string& owner) {
  auto md = obj_at(obj, "metadata");
  auto refs = md ? md->if_contains("ownerReferences") : nullptr;
  if (!refs || !refs->is_array())
    return false;
  for (auto& r : refs->as_array())
    if (auto ro = r.if_object(); ro && str_at(*ro, "uid") == owner) {
      auto b = ro->if_contains("blockOwnerDeletion");
      return b && b->is_bool() && b->as_bool();
    }
  return false;
}

} // namespace

void gc_state::process(txn& tx, const std::string& uid) {
  auto ref = uids.find(uid);
  if (ref == uids.end())
    return;
  auto r = ref->second; // copied: writes below change the index
  auto s = tx.get(r.key, r.ns, r.name);
  auto t = type_of(r.key);
  if (!s || !t)
    return;
  if (deleting(s->obj))
    process_deleting(tx, *t, s, uid);
  else
    check_owners(tx, *t, s);
}

void gc_state::write_finalizers(txn& tx, const k8s::resource_type& t,
                                const stored_ptr& s,
                                const std::vector<std::string>& fins) {
  json::object next = s->obj;
  set_finalizers(next, fins);
  if (should_delete_on_update(t, next))
    erase_object(cp, tx, t, s->ns, s->name);
  else
    tx.put(control_plane::storage_key(t), std::move(next));
}

void gc_state::process_deleting(txn& tx, const k8s::resource_type& t,
                                const stored_ptr& s, const std::string& uid) {
  if (t.group.empty() && t.resource == "namespaces") {
    terminating.insert(s->name);
    finish_namespace(tx, s->name);
    return;
  }
  auto fins = finalizers_of(s->obj);
  if (has(fins, "orphan")) {
    orphan_dependents(tx, uid);
    fins.erase(std::find(fins.begin(), fins.end(), "orphan"));
    write_finalizers(tx, t, s, fins);
    return;
  }
  if (has(fins, "foregroundDeletion")) {
    if (!delete_dependents(tx, uid)) {
      fins.erase(std::find(fins.begin(), fins.end(), "foregroundDeletion"));
      write_finalizers(tx, t, s, fins);
    }
    return;
  }
  // Graceful pod deletion without a kubelet to finish it: the grace period
  // ends at deletionTimestamp. That timestamp has second precision (up to 1 s
  // early) and a kubelet finishes the deletion itself after SIGKILL at the end
  // of the grace period, so this fallback waits 2 s longer: it never cuts a
  // running kubelet's grace period short.
  if (t.group.empty() && t.resource == "pods" && fins.empty()) {
    auto end = parse_rfc3339(meta_str(s->obj, "deletionTimestamp"))
               + std::chrono::seconds(2);
    if (end <= std::chrono::system_clock::now())
      erase_object(cp, tx, t, s->ns, s->name);
    else
      graceful[uid] = end;
  }
}

void gc_state::orphan_dependents(txn& tx, const std::string& owner) {
  auto it = dependents.find(owner);
  if (it == dependents.end())
    return;
  std::vector<std::string> deps(it->second.begin(), it->second.end());
  for (auto& d : deps) {
    auto ref = uids.find(d);
    if (ref == uids.end())
      continue;
    auto r = ref->second;
    if (auto s = tx.get(r.key, r.ns, r.name))
      tx.put(r.key, without_owners(s->obj, {owner}));
  }
}

bool gc_state::delete_dependents(txn& tx, const std::string& owner) {
  auto it = dependents.find(owner);
  if (it == dependents.end())
    return false;
  std::vector<std::string> deps(it->second.begin(), it->second.end());
  bool blocked = false;
  for (auto& d : deps) {
    auto ref = uids.find(d);
    if (ref == uids.end())
      continue;
    auto r = ref->second;
    auto s = tx.get(r.key, r.ns, r.name);
    auto t = type_of(r.key);
    if (!s || !t)
      continue;
    bool gone = false;
    if (!deleting(s->obj)) {
      delete_options o;
      o.propagation = dependents.count(d) ? "Foreground" : "Background";
      gone = delete_object(cp, tx, *t, r.ns, r.name, o).gone;
    }
    if (!gone && blocks(s->obj, owner))
      blocked = true;
  }
  return blocked;
}

void gc_state::check_owners(txn& tx, const k8s::resource_type& t,
                            const stored_ptr& s) {
  auto oit = owners.find(meta_str(s->obj, "uid"));
  if (oit == owners.end())
    return;
  std::vector<std::string> absent;
  int solid = 0, waiting = 0;
  for (auto& o : oit->second) {
    auto ref = uids.find(o);
    auto owner = ref == uids.end() ? nullptr
                                   : tx.get(ref->second.key, ref->second.ns,
                                            ref->second.name);
    // Owners must be cluster-scoped or in the dependent's namespace.
    if (!owner || (!owner->ns.empty() && owner->ns != s->ns)) {
      absent.push_back(o);
    } else if (deleting(owner->obj)
               && has(finalizers_of(owner->obj), "foregroundDeletion")) {
      ++waiting;
    } else {
      ++solid;
    }
  }
  if (solid > 0) {
    if (!absent.empty())
      tx.put(control_plane::storage_key(t), without_owners(s->obj, absent));
    return;
  }
  delete_options o;
  o.propagation = waiting > 0 && dependents.count(meta_str(s->obj, "uid"))
                    ? "Foreground"
                    : "Background";
  delete_object(cp, tx, t, s->ns, s->name, o);
}

void gc_state::finish_namespace(txn& tx, const std::string& name) {
  auto ns = tx.get("namespaces", "", name);
  if (!ns || !deleting(ns->obj)) {
    terminating.erase(name);
    return;
  }
  std::set<std::string> keys;
  for (auto& t : cp.registry.all())
    if (t->namespaced)
      keys.insert(control_plane::storage_key(*t));
  bool left = false;
  for (auto& key : keys) {
    auto t = type_of(key);
    for (auto& s : tx.list(key, name)) {
      if (!t || deleting(s->obj)) {
        left = true;
        continue;
      }
      left = !delete_object(cp, tx, *t, s->ns, s->name, {}).gone || left;
    }
  }
  if (left)
    return;
  // Empty: the namespace controller's finalizer is done.
  json::object next = ns->obj;
  if (auto spec = next.if_contains("spec"); spec && spec->is_object())
    spec->as_object().erase("finalizers");
  auto t = type_of("namespaces");
  if (t && should_delete_on_update(*t, next))
    erase_object(cp, tx, *t, "", name);
  else
    tx.put("namespaces", std::move(next));
  terminating.erase(name);
}

} // namespace kc::sim
