#pragma once

// The probe side of `kubecombo pinger`: the engines, target resolution and
// engine metrics. Job mode keeps one target_stats per target here; server
// mode sets `forward`, and the agent's TARGET actors (actors/agent) own the
// statistics and the up/down state instead (ADR 0022).

#include "probes/dns_engine.hpp"
#include "probes/icmp_engine.hpp"
#include "probes/target.hpp"
#include "probes/target_stats.hpp"
#include "probes/tcp_engine.hpp"
#include "probes/udp_engine.hpp"

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>

namespace kc::telemetry {
class registry;
class gauge;
template <class T>
class family;
} // namespace kc::telemetry

namespace kc::cmd {

namespace asio = boost::asio;

/// How the session probes.
struct session_config {
  probes::schedule sched;
  probes::stats_config stats;
};

/// Owns the engines and the per-target statistics of one pinger process.
class pinger_session : public probes::result_sink {
public:
  pinger_session(asio::io_context& io, session_config cfg);
  ~pinger_session() override;

  /// Resolves and adds a parsed target; an unresolvable one is kept as a
  /// failed target and its error line returned (else "").
  std::string add(const probes::target_spec& spec);
  /// Records a target that could not even be parsed (job mode: failed).
  void add_invalid(std::string error);
  /// Starts every engine; `done` runs once all finished (finite rounds).
  /// Returns one-off warnings (e.g. ICMP disabled) to print once.
  std::vector<std::string> start(std::function<void()> done);
  void stop();

  // --- Live changes (server mode; call on the io thread) ---------------
  /// Adds a target while running, or probes a dropped one of the same
  /// protocol and label again (same slot). Starts the protocol's engine
  /// if it is the first target of it. Returns the slot, or nullopt and the
  /// error line (unresolvable, ICMP disabled, ...).
  std::optional<uint32_t> put(const probes::target_spec& spec,
                              std::string& error, uint8_t kind = 0);
  /// Stops probing the target in `slot` (put() of its label resumes it).
  void drop(probes::protocol p, uint32_t slot);
  /// New interval and timeout for every engine (rebased, ADR 0023).
  void reschedule(const probes::schedule& s);
  /// The schedule in use.
  const probes::schedule& schedule() const {
    return cfg_.sched;
  }

  /// Job mode: one line per target, then a summary. True if all answered.
  bool report(std::ostream& out) const;
  /// Server mode: called with each up/down transition line.
  std::function<void(bool down, const std::string& line)> on_transition;
  /// Server mode with the actor tree: every batch goes here (on the io
  /// thread) instead of the local statistics. Set it before start() and
  /// before enable_metrics().
  std::function<void(probes::protocol, std::span<const probes::probe_result>)>
      forward;
  /// Exposes pinger_ metrics in `reg`; updated from the io thread.
  void enable_metrics(telemetry::registry& reg, size_t max_target_series);
  /// --legacy-metrics: upstream's series, fed per probe (null = off).
  class legacy_metrics* legacy = nullptr;
  size_t size() const;

  /// A probed target: label as written, protocol, engine slot.
  struct target_info {
    std::string label;
    probes::protocol proto;
    uint32_t slot;
  };
  /// Every target that is probed (resolved, engine available).
  std::vector<target_info> targets() const;
  /// The per-target gauge families (null before enable_metrics).
  struct target_families {
    telemetry::family<telemetry::gauge>* up = nullptr;
    telemetry::family<telemetry::gauge>* loss = nullptr;
    telemetry::family<telemetry::gauge>* by_state = nullptr;
  };
  target_families families() const {
    return families_;
  }

  void on_results(probes::protocol proto,
                  std::span<const probes::probe_result> batch) override;

private:
  struct entry;
  struct metrics;
  probes::probe_engine* engine(probes::protocol p);
  bool engine_exists(probes::protocol p) const;
  void publish_engine_counters();

  asio::io_context& io_;
  session_config cfg_;
  std::vector<entry> entries_;
  std::vector<std::string> invalid_;
  std::vector<uint32_t> by_slot_[4]; // protocol → slot → entry index
  std::unique_ptr<probes::icmp_engine> icmp_;
  std::unique_ptr<probes::tcp_engine> tcp_;
  std::unique_ptr<probes::udp_engine> udp_;
  std::unique_ptr<probes::dns_engine> dns_;
  std::unique_ptr<metrics> metrics_;
  target_families families_;
  asio::steady_timer metrics_timer_;
  size_t running_ = 0;
  bool started_ = false;
};

} // namespace kc::cmd
