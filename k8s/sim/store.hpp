#pragma once

// The object store of the embedded control plane (ADR 0001): one mutex,
// immutable snapshots with a cached serialization, one global revision, a
// bounded history of watch events and the watcher fan-out.

#include "k8s/sim/util.hpp"

#include <boost/json/object.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kc::sim {

/// One stored object version: the tree and its compact serialization.
struct stored_object {
  json::object obj;
  std::string json;
  uint64_t rev = 0;
  std::string ns;
  std::string name;
};

/// Shared, immutable handle to a stored object version.
using stored_ptr = std::shared_ptr<const stored_object>;

/// Sets metadata.resourceVersion to `rev` and serializes once.
stored_ptr make_stored(json::object obj, uint64_t rev);

/// Watch event types stored in the history.
enum class event_type : uint8_t { added, modified, deleted };

/// "ADDED", "MODIFIED", "DELETED".
const char* to_string(event_type t);

/// One entry of the history: a committed write.
struct watch_event {
  uint64_t rev = 0;
  std::string key;
  std::string ns;
  event_type type = event_type::added;
  /// The new state (for DELETED: the last state with the deletion's RV).
  stored_ptr obj;
  /// The previous state (MODIFIED, DELETED); null for ADDED.
  stored_ptr old;
};

/// Shared handle to a history entry.
using event_ptr = std::shared_ptr<const watch_event>;

class watcher;

/// Read and write access while the store lock is held.
class txn {
public:
  /// The object or null.
  stored_ptr get(const std::string& key, const std::string& ns,
                 const std::string& name) const;
  /// All objects of `key` in `ns` ("" = every namespace), sorted.
  std::vector<stored_ptr> list(const std::string& key,
                               const std::string& ns) const;
  /// Writes `obj` (ADDED if new, MODIFIED otherwise) at a new revision.
  stored_ptr put(const std::string& key, json::object obj);
  /// Deletes the object; returns the deleted state (with the new RV).
  stored_ptr erase(const std::string& key, const std::string& ns,
                   const std::string& name);
  /// The current global revision.
  uint64_t revision() const;

private:
  friend class store;
  explicit txn(class store& s) : s_(s) {
  }
  class store& s_;
};

/// Result of registering a watch.
struct watch_registration {
  /// Set when the requested RV is older than the history (410).
  std::optional<std::string> expired;
  /// Set when the requested RV is newer than the current revision.
  bool too_large = false;
  /// The revision at registration.
  uint64_t revision = 0;
};

/// The store. Thread-safe; every public member takes the lock.
class store {
public:
  explicit store(std::size_t history_limit);

  /// Runs `fn` with the lock held (the only way to write).
  void transact(const std::function<void(txn&)>& fn);

  /// Convenience reads.
  stored_ptr get(const std::string& key, const std::string& ns,
                 const std::string& name);
  std::vector<stored_ptr> list(const std::string& key, const std::string& ns,
                               uint64_t& revision);
  uint64_t revision();

  /// Registers `w` for `key`/`ns`. Without `from`, the watcher's initial
  /// state is the current list; with `from`, it replays history after it.
  watch_registration watch(const std::shared_ptr<watcher>& w,
                           std::optional<uint64_t> from);

  /// Drops the whole history (fault API): older RVs now get 410.
  void compact();

  /// Ends every open watch (fault API).
  void drop_watches();

  /// Number of stored objects.
  std::size_t size();

  /// Called with the lock held for every committed write, in revision
  /// order (the garbage collector's indexes). Must be cheap and must not
  /// call back into the store. Register before the first write.
  using observer = std::function<void(const watch_event&)>;
  void add_observer(observer fn);

private:
  friend class txn;
  void record(event_ptr ev);

  std::mutex mtx_;
  uint64_t revision_ = 0;
  uint64_t compacted_ = 0;
  std::size_t history_limit_;
  std::size_t count_ = 0;
  std::unordered_map<std::string, std::map<std::string, stored_ptr>> data_;
  std::deque<event_ptr> history_;
  std::vector<std::shared_ptr<watcher>> watchers_;
  std::vector<observer> observers_;
};

} // namespace kc::sim
