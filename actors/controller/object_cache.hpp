#pragma once

// The controller's view of the secondary objects of a controller (DESIGN §3
// step 2): the latest snapshot per kind and key, filled by the supervisor's
// mapping function from INFORMER events before it forwards them, and read
// by the per-key reconcilers on their own threads. Thread-safe; snapshots
// are immutable and shared, never copied.

#include "messages/runtime_types.hpp"
#include "messages/types.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace kc::controller {

/// Latest snapshots by informer kind ("pods", "debuggers", ...) and key.
class object_cache {
public:
  /// Applies one event (a null snapshot erases) and returns the previous
  /// snapshot of that key (null if none).
  snapshot_ptr apply(const resource_event& ev);

  /// The snapshot of `key` in `kind`, or null.
  snapshot_ptr get(const std::string& kind, const object_key& key) const;

  /// Every snapshot of `kind` in namespace `ns`, sorted by name.
  std::vector<snapshot_ptr> list(const std::string& kind,
                                 const std::string& ns) const;

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<object_key, snapshot_ptr>> kinds_;
};

} // namespace kc::controller
