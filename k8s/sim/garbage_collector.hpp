#pragma once

// The control plane's garbage collector and namespace controller (ADR 0005,
// api:C6): collects dependents whose owners (by uid) are gone, runs the
// `foregroundDeletion` and `orphan` finalizers, empties and removes
// terminating namespaces, and removes pods whose grace period expired
// without a kubelet finishing their deletion.
//
// Event-driven: a store observer keeps a uid index and the owner →
// dependents graph up to date (under the store lock) and queues the objects
// to look at; a thread works the queue in short transactions, woken by the
// observer, and looks at timers (grace periods, terminating namespaces)
// every `period`.
//
// Usage (server.cpp):
//   auto gc = std::make_unique<garbage_collector>(plane);  // before writes
//   gc->start();  ...  gc.reset();                        // stops

#include <chrono>
#include <memory>

namespace kc::sim {

class control_plane;
struct gc_state;

/// Runs the collector on its own thread.
class garbage_collector {
public:
  /// Registers the store observer (call before the first write).
  explicit garbage_collector(
    control_plane& cp,
    std::chrono::milliseconds period = std::chrono::milliseconds(100));
  ~garbage_collector();
  garbage_collector(const garbage_collector&) = delete;
  garbage_collector& operator=(const garbage_collector&) = delete;

  /// Starts the thread.
  void start();

  /// Stops and joins the thread. Idempotent.
  void stop();

  /// Works the queue and the timers once on the calling thread (tests).
  void run_once();

private:
  std::shared_ptr<gc_state> st_;
};

} // namespace kc::sim
