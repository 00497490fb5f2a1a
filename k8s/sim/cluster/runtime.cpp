#include "k8s/sim/cluster/runtime.hpp"

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/cluster/scheduler.hpp"
#include "k8s/sim/cluster/workloads.hpp"
#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/watcher.hpp"

#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>
#include <unordered_map>

namespace kc::sim::cluster {

namespace {

/// A watcher that falls this far behind is closed and resubscribed.
constexpr std::size_t queue_limit = 1000000;

const char* keys[] = {"pods", "nodes", "daemonsets.apps", "replicasets.apps",
                      "deployments.apps"};

std::pair<std::string, std::string> split_key(const std::string& k) {
  auto slash = k.find('/');
  return {k.substr(0, slash), k.substr(slash + 1)};
}

} // namespace

struct runtime::impl {
  impl(control_plane& c, runtime_options o) : cp(c), opts(o), sched(c) {
  }

  control_plane& cp;
  runtime_options opts;
  scheduler sched;
  std::thread thread;
  std::mutex mtx;
  std::condition_variable cv;
  bool stopping = false;
  bool woken = false;
  std::atomic<uint64_t> passes{0};

  std::vector<std::shared_ptr<watcher>> watchers;
  std::unordered_map<std::string, std::set<std::string>> by_owner;
  std::unordered_map<std::string, std::string> owner_of;
  std::set<std::string> dirty_ds, dirty_rs, dirty_deploy;

  void wake() {
    std::lock_guard<std::mutex> g(mtx);
    woken = true;
    cv.notify_one();
  }

  void subscribe() {
    for (auto& w : watchers)
      w->close();
    watchers.clear();
    by_owner.clear();
    owner_of.clear();
    sched.reset();
    for (auto k : keys) {
      auto w = std::make_shared<watcher>(k, "", queue_limit);
      cp.objects.watch(w, std::nullopt);
      w->set_notify([this] { wake(); });
      watchers.push_back(w);
    }
  }

  void index_pod(const std::string& key, const stored_object* o) {
    if (auto it = owner_of.find(key); it != owner_of.end()) {
      auto bo = by_owner.find(it->second);
      if (bo != by_owner.end()) {
        bo->second.erase(key);
        if (bo->second.empty())
          by_owner.erase(bo);
      }
      owner_of.erase(it);
    }
    if (opts.scheduler)
      sched.observe_pod(key, o);
    if (!o)
      return;
    if (auto owner = controller_of(o->obj)) {
      by_owner[owner->uid].insert(key);
      owner_of[key] = owner->uid;
      auto target = o->ns + '/' + owner->name;
      if (owner->kind == "DaemonSet")
        dirty_ds.insert(target);
      else if (owner->kind == "ReplicaSet")
        dirty_rs.insert(target);
    }
  }

  void observe(const std::string& key, const stored_ptr& obj,
               const stored_ptr& old, bool deleted) {
    auto k = obj->ns + '/' + obj->name;
    if (key == "pods") {
      if (deleted)
        index_pod(k, nullptr);
      else
        index_pod(k, obj.get());
      if (deleted)
        if (auto owner = controller_of(obj->obj)) {
          auto target = obj->ns + '/' + owner->name;
          (owner->kind == "DaemonSet" ? dirty_ds : dirty_rs).insert(target);
        }
    } else if (key == "nodes") {
      if (opts.scheduler)
        sched.retry_all();
      mark_all_daemonsets();
    } else if (key == "daemonsets.apps") {
      dirty_ds.insert(k);
    } else if (key == "replicasets.apps") {
      dirty_rs.insert(k);
      if (auto owner = controller_of(obj->obj);
          owner && owner->kind == "Deployment")
        dirty_deploy.insert(obj->ns + '/' + owner->name);
    } else if (key == "deployments.apps") {
      dirty_deploy.insert(k);
    }
  }

  void mark_all_daemonsets() {
    uint64_t rev = 0;
    for (auto& d : cp.objects.list("daemonsets.apps", "", rev))
      dirty_ds.insert(d->ns + '/' + d->name);
  }

  void mark_all() {
    uint64_t rev = 0;
    mark_all_daemonsets();
    for (auto& d : cp.objects.list("replicasets.apps", "", rev))
      dirty_rs.insert(d->ns + '/' + d->name);
    for (auto& d : cp.objects.list("deployments.apps", "", rev))
      dirty_deploy.insert(d->ns + '/' + d->name);
    if (opts.scheduler)
      sched.retry_all();
  }

  /// Takes every queued event; false if a watcher closed (resubscribe).
  bool drain() {
    for (std::size_t i = 0; i < watchers.size(); ++i) {
      auto b = watchers[i]->take();
      if (b.closed)
        return false;
      for (auto& s : b.snapshot)
        observe(keys[i], s, nullptr, false);
      for (auto& e : b.events)
        observe(keys[i], e->obj, e->old, e->type == event_type::deleted);
    }
    return true;
  }

  std::vector<stored_ptr> owned(const std::string& uid) {
    std::vector<stored_ptr> out;
    auto it = by_owner.find(uid);
    if (it == by_owner.end())
      return out;
    cp.objects.transact([&](txn& tx) {
      for (auto& k : it->second) {
        auto [ns, name] = split_key(k);
        auto p = tx.get("pods", ns, name);
        auto owner = p ? controller_of(p->obj) : std::nullopt;
        if (owner && owner->uid == uid)
          out.push_back(p);
      }
    });
    return out;
  }

  void reconcile() {
    if (opts.scheduler)
      sched.run();
    if (!opts.controllers) {
      dirty_ds.clear();
      dirty_rs.clear();
      dirty_deploy.clear();
      return;
    }
    uint64_t rev = 0;
    context ctx{cp, cp.objects.list("nodes", "", rev),
                [this](const std::string& uid) { return owned(uid); },
                sys_clock::now()};
    auto run = [&](std::set<std::string>& dirty, const char* key,
                   void (*fn)(context&, const stored_ptr&)) {
      auto todo = std::move(dirty);
      dirty.clear();
      for (auto& k : todo) {
        auto [ns, name] = split_key(k);
        if (auto o = cp.objects.get(key, ns, name))
          fn(ctx, o);
      }
    };
    run(dirty_deploy, "deployments.apps", reconcile_deployment);
    run(dirty_rs, "replicasets.apps", reconcile_replicaset);
    run(dirty_ds, "daemonsets.apps", reconcile_daemonset);
  }

  void renew_leases() {
    uint64_t rev = 0;
    for (auto& n : cp.objects.list("nodes", "", rev)) {
      auto lease = cp.objects.get("leases.coordination.k8s.io",
                                  "kube-node-lease", n->name);
      if (lease) {
        json::object next = lease->obj;
        auto& spec = next["spec"];
        if (!spec.is_object())
          spec = json::object{};
        spec.as_object()["renewTime"] = now_micro();
        put(cp, "Lease", next);
        continue;
      }
      json::object ref{{"apiVersion", "v1"},
                       {"kind", "Node"},
                       {"name", n->name},
                       {"uid", meta_str(n->obj, "uid")}};
      json::object obj{
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", json::object{{"name", n->name},
                                  {"namespace", "kube-node-lease"},
                                  {"ownerReferences", json::array{ref}}}},
        {"spec", json::object{{"holderIdentity", n->name},
                              {"leaseDurationSeconds", 40},
                              {"renewTime", now_micro()}}}};
      create(cp, "Lease", "kube-node-lease", obj);
    }
  }

  void loop() {
    using steady = std::chrono::steady_clock;
    subscribe();
    auto next_resync = steady::now() + opts.resync;
    auto next_lease = steady::now() + opts.lease_renewal;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mtx);
        cv.wait_until(lock, std::min(next_resync, next_lease),
                      [&] { return stopping || woken; });
        if (stopping)
          return;
        woken = false;
      }
      if (!drain()) {
        subscribe();
        drain();
      }
      auto now = steady::now();
      if (now >= next_resync) {
        mark_all();
        next_resync = now + opts.resync;
      }
      if (now >= next_lease) {
        renew_leases();
        next_lease = now + opts.lease_renewal;
      }
      reconcile();
      ++passes;
    }
  }
};

runtime::runtime(control_plane& cp, runtime_options opts)
  : impl_(std::make_unique<impl>(cp, opts)) {
}

runtime::~runtime() {
  stop();
}

void runtime::start() {
  if (impl_->thread.joinable())
    return;
  impl_->stopping = false;
  impl_->thread = std::thread([this] { impl_->loop(); });
}

void runtime::stop() {
  {
    std::lock_guard<std::mutex> g(impl_->mtx);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable())
    impl_->thread.join();
  for (auto& w : impl_->watchers)
    w->close();
  impl_->watchers.clear();
}

uint64_t runtime::passes() const {
  return impl_->passes.load();
}

} // namespace kc::sim::cluster
