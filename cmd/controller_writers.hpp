#pragma once

// The controller's writers — the `debuggers`, `pingers` and `nodes`
// supervisors of DESIGN.md §3 — and the /debug/actors view of the actors
// the controller runs. Only the leader runs writers.
//
// PLACEHOLDERS: the Debugger/Pinger reconcile logic and the informers that
// feed it come in their own issue; until then each writer only logs that it
// started and stopped and answers `status`. The leadership gating, the
// ordered stop and the kill on lost leadership are real.

#include "messages/controller_types.hpp"

#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace kc::cmd {

/// An actor shown in /debug/actors.
struct named_actor {
  std::string name;
  std::string parent;
  caf::actor handle;
};

/// {"actors":[{"name","parent","id","state"}...]}; asks each actor for its
/// `status` with a 1 s timeout (on the caller's thread).
std::string debug_actors_json(caf::actor_system& sys,
                              const std::vector<named_actor>& actors);

/// Starts and stops the writers (thread-safe `list`).
class controller_writers {
public:
  controller_writers(caf::actor_system& sys, recorder_actor recorder);
  /// Spawns every writer (idempotent).
  void start();
  bool running() const;
  /// Stops every writer now (leadership lost).
  void kill();
  /// Stops the writers in reverse start order, waiting up to `grace`.
  void stop(caf::scoped_actor& self, std::chrono::milliseconds grace);
  std::vector<named_actor> list() const;

private:
  caf::actor_system& sys_;
  recorder_actor recorder_;
  mutable std::mutex mtx_;
  std::vector<named_actor> writers_;
};

} // namespace kc::cmd
