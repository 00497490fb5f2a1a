#pragma once

// The simulated cluster's components inside the control plane (ADR 0009):
// one thread that is fed by store watchers (pods, nodes, DaemonSets,
// ReplicaSets, Deployments), keeps small indexes (pods by controller uid,
// pods per node), and runs the scheduler and the DaemonSet, ReplicaSet and
// Deployment controllers on the objects that changed, plus a resync of
// everything every `resync` and the node Lease renewals.
//
// Writes go through control_plane::handle and happen only on differences,
// so a steady cluster makes no writes besides the node Leases.

#include <chrono>
#include <memory>

namespace kc::sim {
class control_plane;
}

namespace kc::sim::cluster {

/// Which components run and how often they resync.
struct runtime_options {
  bool scheduler = true;
  bool controllers = true;
  std::chrono::milliseconds resync{1000};
  std::chrono::milliseconds lease_renewal{10000};
};

/// The running components; stops and joins on destruction.
class runtime {
public:
  runtime(control_plane& cp, runtime_options opts);
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Starts the thread (idempotent).
  void start();

  /// Stops and joins the thread (idempotent).
  void stop();

  /// Number of reconcile passes so far (for tests).
  uint64_t passes() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kc::sim::cluster
