#include "k8s/sim/kubelet/kubelet.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/deletion.hpp"
#include "k8s/sim/watcher.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace kc::sim {

namespace {

/// Internal watchers never overflow in practice; a closed one is replaced.
constexpr std::size_t watch_queue_limit = 1u << 22;

std::string internal_ip(const json::object& node) {
  if (auto st = obj_at(node, "status"))
    if (auto a = k8s::arr_at(*st, "addresses"))
      for (auto& x : *a)
        if (x.is_object() && str_at(x.as_object(), "type") == "InternalIP")
          return str_at(x.as_object(), "address");
  return "";
}

} // namespace

struct kubelet::impl {
  control_plane& cp;
  std::unique_ptr<kubelet_backend> backend;
  int wake_fd = -1;
  std::shared_ptr<watcher> w;
  /// ConfigMaps and Secrets (backends that mount them).
  std::vector<std::shared_ptr<watcher>> config_w;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mtx;
  std::set<std::string> requested;

  impl(control_plane& c, std::unique_ptr<kubelet_backend> b)
    : cp(c), backend(std::move(b)) {
  }

  void wake() {
    uint64_t one = 1;
    auto n = ::write(wake_fd, &one, sizeof one);
    (void)n;
  }

  std::shared_ptr<watcher> make_watcher(const char* key) {
    auto x = std::make_shared<watcher>(key, "", watch_queue_limit);
    int fd = wake_fd;
    x->set_notify([fd] {
      uint64_t one = 1;
      auto n = ::write(fd, &one, sizeof one);
      (void)n;
    });
    return x;
  }

  void watch_pods() {
    w = make_watcher("pods");
    cp.objects.watch(w, std::nullopt);
  }

  void watch_config() {
    for (auto& x : config_w)
      x->close();
    config_w.clear();
    if (!backend->watches_config())
      return;
    for (auto key : {"configmaps", "secrets"}) {
      config_w.push_back(make_watcher(key));
      cp.objects.watch(config_w.back(), cp.objects.revision());
    }
  }

  /// Bound pods of the namespaces whose ConfigMaps/Secrets changed.
  void config_changes(std::set<std::string>& dirty) {
    std::set<std::string> namespaces;
    bool closed = false;
    for (auto& x : config_w) {
      auto b = x->take();
      for (auto& e : b.events)
        namespaces.insert(e->ns);
      closed |= b.closed;
    }
    if (closed && !stopping)
      watch_config();
    for (auto& ns : namespaces) {
      uint64_t rev = 0;
      for (auto& pod : cp.objects.list("pods", ns, rev))
        if (auto spec = obj_at(pod->obj, "spec");
            spec && !str_at(*spec, "nodeName").empty())
          dirty.insert(pod->ns + '/' + pod->name);
    }
  }

  void loop() {
    while (!stopping) {
      std::vector<pollfd> fds{{wake_fd, POLLIN, 0}};
      for (int fd : backend->poll_fds())
        fds.push_back({fd, POLLIN, 0});
      int timeout = -1;
      if (auto t = backend->next_tick()) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    *t - std::chrono::steady_clock::now())
                    .count();
        timeout = static_cast<int>(std::clamp<long long>(ms + 1, 0, 60000));
      }
      if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR)
        break;
      if (stopping)
        break;
      if (fds[0].revents & POLLIN) {
        uint64_t v = 0;
        auto n = ::read(wake_fd, &v, sizeof v);
        (void)n;
      }
      for (std::size_t i = 1; i < fds.size(); ++i)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
          backend->on_readable(fds[i].fd);
      std::set<std::string> dirty;
      auto b = w->take();
      for (auto& s : b.snapshot)
        dirty.insert(s->ns + '/' + s->name);
      for (auto& e : b.events)
        dirty.insert(e->obj->ns + '/' + e->obj->name);
      if (b.closed && !stopping)
        watch_pods(); // fell behind: start over from a fresh list
      config_changes(dirty);
      if (auto t = backend->next_tick();
          t && *t <= std::chrono::steady_clock::now())
        for (auto& k : backend->tick())
          dirty.insert(k);
      {
        std::lock_guard<std::mutex> g(mtx);
        dirty.merge(requested);
        requested.clear();
      }
      for (auto& k : dirty) {
        auto slash = k.find('/');
        reconcile(k.substr(0, slash), k.substr(slash + 1));
      }
    }
  }

  void reconcile(const std::string& ns, const std::string& name) {
    auto s = cp.objects.get("pods", ns, name);
    if (!s) {
      backend->forget(ns, name);
      return;
    }
    auto spec = obj_at(s->obj, "spec");
    auto node = spec ? str_at(*spec, "nodeName") : std::string();
    if (node.empty())
      return;
    auto n = cp.objects.get("nodes", "", node);
    if (!n)
      return; // no such node: the pod stays Pending, as with a real cluster
    bound_pod p{s, node, internal_ip(n->obj)};
    if (obj_at(s->obj, "metadata")->contains("deletionTimestamp")) {
      if (backend->terminate(p))
        finish_deletion(s);
      return;
    }
    if (auto st = backend->sync(p))
      write_status(s, std::move(*st));
  }

  void write_status(const stored_ptr& seen, json::object status) {
    auto uid = meta_str(seen->obj, "uid");
    cp.objects.transact([&](txn& t) {
      auto cur = t.get("pods", seen->ns, seen->name);
      if (!cur || meta_str(cur->obj, "uid") != uid
          || obj_at(cur->obj, "metadata")->contains("deletionTimestamp"))
        return;
      if (auto old = obj_at(cur->obj, "status"); old && *old == status)
        return;
      auto next = cur->obj;
      next["status"] = std::move(status);
      t.put("pods", std::move(next));
    });
  }

  /// The kubelet's DELETE with gracePeriodSeconds=0 (ADR 0005): gone
  /// unless finalizers still hold it.
  void finish_deletion(const stored_ptr& seen) {
    auto type = cp.registry.find("", "v1", "pods");
    if (!type)
      return;
    delete_options o;
    o.grace = 0;
    o.uid = meta_str(seen->obj, "uid");
    cp.objects.transact([&](txn& t) {
      auto cur = t.get("pods", seen->ns, seen->name);
      if (!cur || meta_str(cur->obj, "uid") != o.uid)
        return;
      auto grace = obj_at(cur->obj, "metadata")
                     ->if_contains("deletionGracePeriodSeconds");
      if (grace && grace->is_int64() && grace->as_int64() == 0
          && !finalizers_of(cur->obj).empty())
        return; // already asked; finalizers hold it
      delete_object(cp, t, *type, seen->ns, seen->name, o);
    });
  }
};

kubelet::kubelet(control_plane& cp, std::unique_ptr<kubelet_backend> backend)
  : impl_(std::make_unique<impl>(cp, std::move(backend))) {
}

kubelet::~kubelet() {
  stop();
}

void kubelet::start() {
  auto& d = *impl_;
  d.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (d.wake_fd < 0)
    throw std::runtime_error("kubelet: eventfd failed");
  d.watch_pods();
  d.watch_config();
  d.thread = std::thread([&d] { d.loop(); });
}

void kubelet::stop() {
  auto& d = *impl_;
  if (d.wake_fd < 0)
    return;
  d.stopping = true;
  d.wake();
  if (d.thread.joinable())
    d.thread.join();
  if (d.w)
    d.w->close();
  for (auto& x : d.config_w)
    x->close();
  d.backend->shutdown();
  ::close(d.wake_fd);
  d.wake_fd = -1;
}

void kubelet::resync(const std::string& ns, const std::string& name) {
  auto& d = *impl_;
  {
    std::lock_guard<std::mutex> g(d.mtx);
    d.requested.insert(ns + '/' + name);
  }
  if (d.wake_fd >= 0)
    d.wake();
}

} // namespace kc::sim
