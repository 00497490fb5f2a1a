#pragma once

// The READINESS registry behind /readyz: named `synced` flags (one per
// INFORMER, or anything else a process must have before it serves), so
// that /readyz answers OK only once every registered flag is true, and
// otherwise names the ones still pending. Thread-safe; the flags are the
// same shared atomics informer_config::synced takes.
//
//   auto& r = kc::runtime::global_readiness();
//   informer_config ic;
//   ic.synced = r.add("informer/debuggers");      // false until the first LIST
//   ...                                            // spawn the informer
//   hroutes.readyz = [&r] { return r.check(); };   // cmd/controller_runtime.cpp
//   r.remove("informer/debuggers");                // when its writer stops

#include "telemetry/admin_server.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace kc::runtime {

/// One readiness flag; an INFORMER stores true after its first full LIST.
using ready_flag = std::shared_ptr<std::atomic<bool>>;

/// Named readiness flags. Every member is thread-safe.
class readiness {
public:
  /// Registers `name` with `flag` (a new false flag when null) and returns
  /// the flag to hand to the informer (informer_config::synced). A second
  /// add of the same name replaces the earlier flag.
  ready_flag add(std::string name, ready_flag flag = nullptr);

  /// Forgets `name` (no-op when unknown).
  void remove(const std::string& name);

  /// True when every registered flag is true (also when none is registered).
  bool ready() const;

  /// The names whose flag is still false, in registration order.
  std::vector<std::string> pending() const;

  /// For /readyz: ok, or not ok with "not synced: a, b".
  telemetry::check_result check() const;

  /// Registered names.
  size_t size() const;

  /// Forgets everything (tests).
  void clear();

private:
  mutable std::mutex mtx_;
  std::vector<std::pair<std::string, ready_flag>> flags_;
};

/// The process-wide registry that the controller's /readyz reads.
readiness& global_readiness();

} // namespace kc::runtime
