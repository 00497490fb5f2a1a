#pragma once

// Internal state of the garbage collector (k8s/sim/garbage_collector.hpp):
// the indexes the store observer maintains and the work queue. Everything
// but the thread members is guarded by the store lock.

#include "k8s/api/resource_type.hpp"
#include "k8s/sim/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kc::sim {

class control_plane;

/// Where an object lives.
struct gc_ref {
  std::string key;
  std::string ns;
  std::string name;
};

struct gc_state {
  gc_state(control_plane& c, std::chrono::milliseconds p) : cp(c), period(p) {
  }

  control_plane& cp;
  std::chrono::milliseconds period;

  // --- guarded by the store lock ---
  /// uid → object.
  std::unordered_map<std::string, gc_ref> uids;
  /// owner uid → dependent uids.
  std::unordered_map<std::string, std::unordered_set<std::string>> dependents;
  /// dependent uid → owner uids.
  std::unordered_map<std::string, std::vector<std::string>> owners;
  /// uids to look at.
  std::unordered_set<std::string> queue;
  /// Terminating namespaces.
  std::set<std::string> terminating;
  /// Deleting pods → the end of their grace period.
  std::unordered_map<std::string, std::chrono::system_clock::time_point>
    graceful;
  /// storage key → resource type (rebuilt when the registry changes).
  std::map<std::string, k8s::resource_type_ptr> types;
  uint64_t types_generation = ~uint64_t{0};

  // --- the thread ---
  std::mutex mtx;
  std::condition_variable cv;
  std::atomic<bool> pending{false};
  bool stopping = false;
  std::thread thread;

  /// The store observer.
  void observe(const watch_event& ev);
  /// One pass over the queue and the timers (store lock held).
  void work(txn& tx);

private:
  void process(txn& tx, const std::string& uid);
  void process_deleting(txn& tx, const k8s::resource_type& t,
                        const stored_ptr& s, const std::string& uid);
  void check_owners(txn& tx, const k8s::resource_type& t,
                    const stored_ptr& s);
  void orphan_dependents(txn& tx, const std::string& owner);
  bool delete_dependents(txn& tx, const std::string& owner);
  void finish_namespace(txn& tx, const std::string& name);
  void write_finalizers(txn& tx, const k8s::resource_type& t,
                        const stored_ptr& s,
                        const std::vector<std::string>& fins);
  k8s::resource_type_ptr type_of(const std::string& key);
  void wake();
};

} // namespace kc::sim
