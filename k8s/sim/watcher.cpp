#include "k8s/sim/watcher.hpp"

namespace kc::sim {

watcher::watcher(std::string key, std::string ns, std::size_t limit)
  : key_(std::move(key)), ns_(std::move(ns)), limit_(limit) {
}

void watcher::set_notify(std::function<void()> fn) {
  std::lock_guard<std::mutex> g(mtx_);
  notify_ = std::move(fn);
  if (closed_ || !snapshot_.empty() || !queue_.empty())
    wake_locked();
}

void watcher::wake_locked() {
  if (notified_ || !notify_)
    return;
  notified_ = true;
  notify_();
}

bool watcher::offer(const event_ptr& ev) {
  std::lock_guard<std::mutex> g(mtx_);
  if (closed_)
    return false;
  if (ev->key == key_ && (ns_.empty() || ev->ns == ns_)) {
    if (queue_.size() >= limit_) {
      // Too slow: close it, as the apiserver does with slow watchers.
      closed_ = true;
      wake_locked();
      return false;
    }
    queue_.push_back(ev);
    wake_locked();
  }
  progress_ = ev->rev;
  return true;
}

void watcher::set_initial(std::vector<stored_ptr> snapshot,
                          std::vector<event_ptr> replay, uint64_t revision) {
  std::lock_guard<std::mutex> g(mtx_);
  snapshot_ = std::move(snapshot);
  queue_ = std::move(replay);
  progress_ = revision;
  if (!snapshot_.empty() || !queue_.empty())
    wake_locked();
}

watcher::batch watcher::take() {
  std::lock_guard<std::mutex> g(mtx_);
  batch b;
  b.snapshot.swap(snapshot_);
  b.events.swap(queue_);
  b.closed = closed_;
  b.progress = progress_;
  notified_ = false;
  return b;
}

void watcher::close() {
  std::lock_guard<std::mutex> g(mtx_);
  if (closed_)
    return;
  closed_ = true;
  wake_locked();
}

bool watcher::closed() const {
  std::lock_guard<std::mutex> g(mtx_);
  return closed_;
}

} // namespace kc::sim
