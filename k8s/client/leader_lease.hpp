#pragma once

// Lease-based leader election as plain, clock-injected logic (api:L1–L2):
// what to write to the coordination.k8s.io/v1 Lease after each observation,
// and whether we may still act as leader. No I/O: the LEADER actor does the
// GET/POST/PUT and feeds the results back. Mirrors client-go's
// tryAcquireOrRenew; expiry is judged by our own observation time.

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace kc::k8s {

/// Configuration of one candidate.
struct lease_config {
  std::string ns = "default";
  std::string name = "kubecombo-controller";
  /// `<hostname>_<uuid>`.
  std::string identity;
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
};

/// "" if valid; otherwise why not (client-go: lease duration > renew
/// deadline > 1.2 × retry period, all positive, identity set).
std::string validate(const lease_config& c);

/// The fields of a Lease we read and write.
struct lease_record {
  std::string holder;
  long lease_duration_seconds = 0;
  std::string acquire_time; // MicroTime text
  std::string renew_time;   // MicroTime text
  long lease_transitions = 0;
  /// metadata.resourceVersion of the object this was read from.
  std::string resource_version;
  friend bool operator==(const lease_record&, const lease_record&) = default;
};

/// Reads a Lease object (missing fields stay default).
lease_record parse_lease(const boost::json::object& obj);

/// The full Lease object for a POST (empty resourceVersion) or PUT.
boost::json::object make_lease(const lease_config& c, const lease_record& r);

/// `2026-11-28T16:00:00.123456Z` (Kubernetes MicroTime).
std::string format_micro_time(std::chrono::system_clock::time_point t);
/// `2026-11-28T16:00:00Z` (Kubernetes Time).
std::string format_time(std::chrono::system_clock::time_point t);

/// What the candidate should do after observing the Lease.
struct lease_action {
  enum kind { create, update, wait } what = wait;
  /// The record to write (create/update).
  lease_record record;
};

/// The election state machine of one candidate.
class lease_elector {
public:
  using steady = std::chrono::steady_clock::time_point;
  using wall = std::chrono::system_clock::time_point;

  explicit lease_elector(lease_config c) : cfg_(std::move(c)) {}

  /// Decides after a GET: `current` is nullopt on 404. `now` is when the
  /// GET was sent (steady), `wall_now` the time written into the Lease.
  lease_action observe(const std::optional<lease_record>& current,
                       steady now, wall wall_now);

  /// A create/update we sent at `sent` succeeded; `written` is the server's
  /// answer (with its new resourceVersion).
  void write_succeeded(const lease_record& written, steady sent);

  /// A write failed (409: lost the race; anything else: try again).
  void write_failed();

  /// True while we hold the Lease and the last successful renewal was sent
  /// less than renew_deadline ago.
  bool leading(steady now) const;

  /// True if we held the Lease and have not renewed within renew_deadline:
  /// leadership is lost for good (stop every writer, exit).
  bool lost(steady now) const;

  /// The record that releases the Lease (holder cleared, duration 1 s), or
  /// nullopt if we do not hold it.
  std::optional<lease_record> release(wall wall_now) const;

  /// The last observed holder ("" when none).
  const std::string& observed_holder() const { return observed_.holder; }
  const lease_record& observed() const { return observed_; }
  const lease_config& config() const { return cfg_; }
  /// Whether we ever became leader.
  bool ever_led() const { return held_; }

private:
  lease_config cfg_;
  lease_record observed_;
  bool have_observed_ = false;
  steady observed_at_{};
  bool held_ = false;
  bool lost_ = false;
  steady last_renew_{};
};

} // namespace kc::k8s
