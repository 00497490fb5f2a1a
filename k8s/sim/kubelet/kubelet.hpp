#pragma once

// The control plane's kubelet (DESIGN.md §5, issue 3 item 4, issue 7): it
// serves every simulated node at once. It watches the pods in the store and
// drives those bound to an existing node (spec.nodeName) through their
// lifecycle: Pending → Running with conditions, container statuses, podIP
// and hostIP; graceful deletion (deletionTimestamp → containers stopped →
// deleted with grace 0). Driven by store notifications, it writes only when
// the status changes.
//
// The backend decides what "running" means: stage mode (ADR 0070) only
// writes the status; process mode (issue 7) runs the containers' commands.
//
// Usage (server.cpp):
//   auto k = std::make_unique<kubelet>(plane, make_stage_backend());
//   k->start();  ...  k->stop();

#include "k8s/sim/store.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kc::sim {

class control_plane;

/// A pod as the kubelet sees it: the stored object plus its node.
struct bound_pod {
  stored_ptr pod;
  std::string node;
  /// The node's InternalIP (also the pod IP: pods share the node's address).
  std::string node_ip;
};

/// What the kubelet does with pods; all calls come from the kubelet thread.
class kubelet_backend {
public:
  virtual ~kubelet_backend() = default;

  /// A bound, not deleting pod was seen (new or changed). Returns the
  /// status to store, or nothing to leave it as is.
  virtual std::optional<json::object> sync(const bound_pod& p) = 0;

  /// The pod has a deletionTimestamp: stop its containers. Returns true
  /// once they are stopped (the kubelet then deletes it with grace 0).
  virtual bool terminate(const bound_pod& p) = 0;

  /// The pod left the store: release everything it had.
  virtual void forget(const std::string& ns, const std::string& name) = 0;

  /// File descriptors the kubelet should poll for the backend (child
  /// exits, log pipes), and what to do when one is readable.
  virtual std::vector<int> poll_fds() {
    return {};
  }
  virtual void on_readable(int /*fd*/) {
  }

  /// When the backend wants `tick()` next (timers: restarts, grace
  /// periods); nothing = only on events.
  virtual std::optional<std::chrono::steady_clock::time_point> next_tick() {
    return std::nullopt;
  }
  /// Timers due. Returns "ns/name" of pods whose status must be re-synced.
  virtual std::vector<std::string> tick() {
    return {};
  }

  /// True if pods must be re-synced when ConfigMaps or Secrets of their
  /// namespace change (volumes and env read them).
  virtual bool watches_config() const {
    return false;
  }

  /// Called once when the kubelet stops: stop everything, leave nothing.
  virtual void shutdown() {
  }
};

/// Stage mode: pods go straight to Running (ADR 0070).
std::unique_ptr<kubelet_backend> make_stage_backend();

/// Process mode: containers run as local processes (ADR 0071).
std::unique_ptr<kubelet_backend> make_process_backend(control_plane& cp);

/// Runs the kubelet loop on its own thread.
class kubelet {
public:
  kubelet(control_plane& cp, std::unique_ptr<kubelet_backend> backend);
  ~kubelet();
  kubelet(const kubelet&) = delete;
  kubelet& operator=(const kubelet&) = delete;

  /// Starts watching pods. Throws std::runtime_error.
  void start();

  /// Stops the loop and the backend (idempotent).
  void stop();

  /// Asks the loop to re-sync pod `ns/name` soon (any thread).
  void resync(const std::string& ns, const std::string& name);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kc::sim

namespace kc::sim {

/// The kubelet `cp.cfg.kubelet` names ("stage", "process"); null for
/// "none". Throws std::runtime_error for an unknown mode.
std::unique_ptr<kubelet> make_kubelet(control_plane& cp);

} // namespace kc::sim
