#pragma once

// A thread-safe slot for an actor handle whose actor a SUPERVISOR may
// restart: the factory stores each new incarnation, users read the current
// one (the engines' io thread, sibling actors). An empty cell = not running.

#include <mutex>
#include <utility>

namespace kc::agent {

/// Holds the current handle of a restartable actor.
template <class Handle>
class actor_cell {
public:
  /// Stores the running incarnation (or an empty handle).
  void set(Handle h) {
    std::lock_guard<std::mutex> guard{mtx_};
    handle_ = std::move(h);
  }
  /// The current incarnation; empty if none runs.
  Handle get() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return handle_;
  }

private:
  mutable std::mutex mtx_;
  Handle handle_;
};

} // namespace kc::agent
