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
#include <tuple>
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

  /// Every snapshot of `kind` in `ns` whose label `label` is `value`,
  /// sorted by name. O(result) for the indexed labels `debug` and
  /// `kubecombo.com/debugger` (a Debugger's pods and run ConfigMaps), a
  /// scan of the namespace otherwise.
  std::vector<snapshot_ptr> list_labelled(const std::string& kind,
                                          const std::string& ns,
                                          const std::string& label,
                                          const std::string& value) const;

private:
  /// (namespace, label value, name) of one indexed label of one kind.
  using index_key = std::tuple<std::string, std::string, std::string>;
  void index(const std::string& kind, const object_key& key,
             const snapshot_ptr& old, const snapshot_ptr& now);

  mutable std::mutex mutex_;
  std::map<std::string, std::map<object_key, snapshot_ptr>> kinds_;
  /// "kind\nlabel" → the snapshots by (ns, value, name).
  std::map<std::string, std::map<index_key, snapshot_ptr>> index_;
};

} // namespace kc::controller
