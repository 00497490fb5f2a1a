#pragma once

// The LEADER: Lease-based election (api:L1–L2) on the Lease of CONTRACT.md.
// Every retry period it GETs the Lease and lets k8s::lease_elector decide
// whether to create, renew or take it over (PUT with the observed
// resourceVersion). Subscribers get a `leadership` message on every change;
// only the leader runs writers. A leader that has not renewed within the
// renew deadline marks itself lost: `leader_status::lost()` turns true and
// the process stops every writer and exits non-zero. `shutdown` releases
// the Lease (holder cleared, leaseDurationSeconds 1).

#include "actors/runtime/actor_registry.hpp"
#include "k8s/client/api_client.hpp"
#include "k8s/client/leader_lease.hpp"
#include "messages/controller_types.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kc::runtime {

/// Leadership as other threads see it (the kubecombo_leader gauge, the
/// process's exit check). Judged with the clock at every read, so a
/// process resumed after a pause reads "not leading" at once.
class leader_status {
public:
  explicit leader_status(std::chrono::milliseconds renew_deadline)
    : deadline_(renew_deadline) {}
  /// A renewal sent at `sent` succeeded.
  void renewed(std::chrono::steady_clock::time_point sent);
  /// We no longer hold the Lease (released or lost).
  void released() { held_.store(false); }
  /// Leadership is gone for good.
  void set_lost() { lost_.store(true); }
  /// Holding the Lease and renewed within the renew deadline.
  bool leading() const;
  /// Lost for good (set, or held but not renewed within the deadline).
  bool lost() const;

private:
  std::chrono::milliseconds deadline_;
  std::atomic<bool> held_{false};
  std::atomic<bool> lost_{false};
  std::atomic<int64_t> last_renew_ns_{0};
};

/// State of the LEADER.
struct leader_state {
  static inline const char* name = "leader";
  std::shared_ptr<k8s::api_client> api;
  std::optional<k8s::lease_elector> elector;
  std::shared_ptr<leader_status> status;
  std::vector<caf::actor> subscribers;
  /// Timer generation (CONVENTIONS rule 16).
  uint64_t timer_generation = 0;
  /// The call in flight: 0 when idle.
  uint64_t pending = 0;
  enum class call { get, write, release } pending_call = call::get;
  k8s::lease_record pending_record;
  std::chrono::steady_clock::time_point pending_sent;
  uint64_t next_id = 1;
  bool leading = false;
  bool stopped = false;
  /// The answer to `shutdown` while a release is in flight.
  std::optional<caf::typed_response_promise<bool>> release_promise;
  uint64_t renewals = 0;
  uint64_t failures = 0;
  std::string last_error;
  /// Its /debug/actors entry (may be null).
  entry_ptr entry;
};

/// The LEADER; `status` is shared with the metric and the exit check;
/// `entry` is its /debug/actors entry (may be null).
leader_actor::behavior_type
leader(leader_actor::stateful_pointer<leader_state> self,
       std::shared_ptr<k8s::api_client> api, k8s::lease_config cfg,
       std::shared_ptr<leader_status> status, entry_ptr entry);

/// Decodes a Lease or Event answer on the client's thread (no exceptions).
api_outcome to_outcome(const k8s::http_result& r);

/// `<hostname>_<random uuid>` (CONTRACT.md).
std::string make_leader_identity();

} // namespace kc::runtime
