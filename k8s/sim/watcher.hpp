#pragma once

// One open watch: a bounded queue filled by the store under its lock and
// drained by the HTTP session that streams it (ADR 0001).

#include "k8s/sim/store.hpp"

#include <atomic>
#include <functional>
#include <mutex>

namespace kc::sim {

/// The queue side of a watch. The store pushes events for `key` (and `ns`
/// if not empty); the session takes them and applies selectors.
class watcher {
public:
  watcher(std::string key, std::string ns, std::size_t limit);

  /// The storage key watched.
  const std::string& key() const {
    return key_;
  }

  /// The namespace watched ("" = all).
  const std::string& ns() const {
    return ns_;
  }

  /// Called (on any thread, without locks held by the watcher) when events
  /// become available or the watcher closes.
  void set_notify(std::function<void()> fn);

  /// Store side: offers an event. Returns false once the watcher is closed
  /// (the store then forgets it).
  bool offer(const event_ptr& ev);

  /// Store side: the initial events (synthetic ADDED snapshot or replayed
  /// history), set at registration.
  void set_initial(std::vector<stored_ptr> snapshot,
                   std::vector<event_ptr> replay, uint64_t revision);

  /// Session side: everything queued so far. `closed` is set when the
  /// watcher was closed; `overflow` when it fell behind.
  struct batch {
    std::vector<stored_ptr> snapshot;
    std::vector<event_ptr> events;
    bool closed = false;
    /// All events up to this revision were delivered in this or earlier
    /// batches (bookmark RV).
    uint64_t progress = 0;
  };
  batch take();

  /// Closes the watcher (client gone, timeout, fault).
  void close();

  bool closed() const;

private:
  void wake_locked();

  std::string key_;
  std::string ns_;
  std::size_t limit_;
  mutable std::mutex mtx_;
  std::function<void()> notify_;
  std::vector<stored_ptr> snapshot_;
  std::vector<event_ptr> queue_;
  uint64_t progress_ = 0;
  bool closed_ = false;
  bool notified_ = false;
};

} // namespace kc::sim
