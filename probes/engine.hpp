#pragma once

#include "probes/result.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <vector>

namespace kc::probes {

namespace asio = boost::asio;

/// When and how often an engine probes its targets.
struct schedule {
  std::chrono::nanoseconds interval = std::chrono::seconds{5};
  /// Clamped to the interval: a target has at most one probe in flight.
  std::chrono::nanoseconds timeout = std::chrono::seconds{1};
  /// Rounds over all targets; 0 = until stop().
  uint64_t rounds = 0;
};

/// Shared part of every engine: the flat slot table, even spreading of the
/// probes over the interval, per-probe deadlines (a FIFO ring, since all
/// probes share the timeout), and batched delivery of results (ADR 0020).
class probe_engine {
public:
  probe_engine(asio::io_context& io, protocol proto, result_sink& sink);
  virtual ~probe_engine();
  probe_engine(const probe_engine&) = delete;
  probe_engine& operator=(const probe_engine&) = delete;

  /// Starts probing every slot added so far.
  void start(const schedule& s);
  /// Stops probing; outstanding probes are dropped; results are flushed.
  void stop();
  /// Called once when all rounds are sent and all probes are resolved.
  void on_finished(std::function<void()> f) {
    finished_ = std::move(f);
  }
  /// Number of slots (active or dropped).
  uint32_t size() const {
    return static_cast<uint32_t>(slots_.size());
  }
  /// Number of slots that are probed.
  uint32_t active_count() const {
    return static_cast<uint32_t>(order_.size());
  }
  bool active(uint32_t slot) const {
    return slot < slots_.size() && slots_[slot].active;
  }
  /// Stops probing `slot`: an outstanding probe is dropped without a
  /// result, the slot keeps its index (resume() probes it again). Call on
  /// the io thread; while running the schedule is rebased (see rebase()).
  void drop(uint32_t slot);
  /// Probes a dropped slot again (same target, same index).
  void resume(uint32_t slot);
  /// Changes interval and timeout; while running the schedule is rebased.
  void reschedule(const schedule& s);
  /// Self-health counters.
  const engine_counters& counters() const {
    return counters_;
  }
  protocol proto() const {
    return proto_;
  }

protected:
  /// Derived engines add a slot with this; returns its index.
  uint32_t add_slot();
  /// Sends the probes of these slots (their generation is gen(slot)) and
  /// calls sent() or failed() for each.
  virtual void send(std::span<const uint32_t> slots) = 0;
  /// The probe of `slot` timed out; release per-probe resources.
  virtual void expire(uint32_t) {}
  /// Derived engines stop their I/O here.
  virtual void shutdown() {}
  /// The slot was dropped; release its per-target resources.
  virtual void release(uint32_t) {}

  uint32_t gen(uint32_t slot) const {
    return slots_[slot].gen;
  }
  bool pending(uint32_t slot, uint32_t g) const;
  /// Marks the probe of `slot` as in flight since `now_real_ns`.
  void sent(uint32_t slot, int64_t now_real_ns);
  /// Resolves the probe (slot, g); ignored (counted late) if not pending.
  void complete(uint32_t slot, uint32_t g, outcome o, int64_t rtt_ns,
                uint8_t ttl = 0);
  /// Resolves a probe that could not be sent.
  void failed(uint32_t slot, outcome o);
  /// Delivers results now if a target's outcome flipped; call after I/O.
  void flush_if_urgent();
  /// When the current probe of `slot` was due by the schedule.
  std::chrono::steady_clock::time_point due(uint32_t slot) const {
    return slots_[slot].last_due;
  }
  int64_t sent_at(uint32_t slot) const {
    return slots_[slot].sent_real;
  }
  std::chrono::nanoseconds timeout() const {
    return sched_.timeout;
  }
  bool running() const {
    return running_;
  }

  asio::io_context& io_;
  engine_counters counters_;

private:
  struct slot_state {
    int64_t sent_real = 0; // CLOCK_REALTIME of the last send
    uint32_t gen = 0;      // generation of the last probe
    bool in_flight = false;
    bool last_ok = true;
    bool active = true;
    // Nominal due time of the last probe (steady clock; min() = never).
    std::chrono::steady_clock::time_point last_due
        = std::chrono::steady_clock::time_point::min();
  };
  struct deadline {
    std::chrono::steady_clock::time_point at;
    uint32_t slot;
    uint32_t gen;
  };

  void tick();
  void arm();
  void expire_due(std::chrono::steady_clock::time_point now);
  void send_due(std::chrono::steady_clock::time_point now);
  void flush();
  void check_finished();
  void clamp(schedule& s) const;
  /// Keeps every slot's next probe at least one interval after its last
  /// one, continues the round with the slot that was due next (`next`,
  /// UINT32_MAX = none) and re-arms the timer.
  void rebase(uint32_t next);
  std::chrono::steady_clock::time_point due_at(uint64_t probe) const;

  protocol proto_;
  result_sink& sink_;
  std::vector<slot_state> slots_;
  std::vector<uint32_t> order_; // active slots in schedule order
  std::vector<deadline> ring_;  // FIFO of deadlines (power-of-two ring)
  size_t ring_head_ = 0, ring_len_ = 0;
  std::vector<probe_result> batch_;
  std::vector<uint32_t> due_;
  schedule sched_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point start_, last_flush_;
  uint64_t next_probe_ = 0, total_probes_ = 0;
  uint64_t epoch_round_ = 0; // rounds finished before the last rebase
  uint64_t in_flight_ = 0;
  bool running_ = false, urgent_ = false, done_ = false;
  std::function<void()> finished_;
};

/// CLOCK_REALTIME in nanoseconds (the clock of kernel receive timestamps).
int64_t real_now_ns();

} // namespace kc::probes
