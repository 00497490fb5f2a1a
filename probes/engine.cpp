#include "probes/engine.hpp"

#include <algorithm>
#include <ctime>

namespace kc::probes {

using clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

namespace {

// The timer never fires more often than this; probes due within one tick
// leave in one batch. 1 ms keeps the spread even to the millisecond.
constexpr nanoseconds min_tick = std::chrono::milliseconds{1};

} // namespace

int64_t real_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string_view to_string(protocol p) {
  switch (p) {
    case protocol::icmp:
      return "icmp";
    case protocol::tcp:
      return "tcp";
    case protocol::udp:
      return "udp";
    case protocol::dns:
      return "dns";
  }
  return "?";
}

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::ok:
      return "ok";
    case outcome::timeout:
      return "timeout";
    case outcome::refused:
      return "refused";
    case outcome::unreachable:
      return "unreachable";
    case outcome::nxdomain:
      return "nxdomain";
    case outcome::servfail:
      return "servfail";
    case outcome::dns_refused:
      return "dns-refused";
    case outcome::nodata:
      return "nodata";
    case outcome::send_error:
      return "send-error";
    case outcome::disabled:
      return "disabled";
  }
  return "?";
}

probe_engine::probe_engine(asio::io_context& io, protocol proto,
                           result_sink& sink)
  : io_(io), proto_(proto), sink_(sink), timer_(io) {}

probe_engine::~probe_engine() = default;

uint32_t probe_engine::add_slot() {
  auto slot = static_cast<uint32_t>(slots_.size());
  uint32_t next
      = order_.empty() ? UINT32_MAX : order_[next_probe_ % order_.size()];
  if (running_)
    epoch_round_ += order_.empty() ? 0 : next_probe_ / order_.size();
  slots_.push_back({});
  order_.push_back(slot);
  if (running_)
    rebase(next == UINT32_MAX ? slot : next);
  return slot;
}

void probe_engine::drop(uint32_t slot) {
  if (!active(slot))
    return;
  auto& s = slots_[slot];
  s.active = false;
  if (s.in_flight) { // dropped without a result; late replies are ignored
    s.in_flight = false;
    --in_flight_;
    expire(slot);
  }
  release(slot);
  uint32_t next = UINT32_MAX;
  auto n = order_.size();
  auto pos = static_cast<size_t>(std::find(order_.begin(), order_.end(), slot)
                                 - order_.begin());
  if (running_) {
    auto k = next_probe_ % n;
    epoch_round_ += next_probe_ / n;
    // The slot due next; if that is the dropped one, the one after it.
    if (n > 1)
      next = order_[(k == pos ? k + 1 : k) % n];
  }
  order_.erase(order_.begin() + static_cast<std::ptrdiff_t>(pos));
  if (running_)
    rebase(next);
  else
    check_finished();
}

void probe_engine::resume(uint32_t slot) {
  if (slot >= slots_.size() || slots_[slot].active)
    return;
  auto& s = slots_[slot];
  s.active = true;
  s.last_ok = true;
  uint32_t next = order_.empty() ? slot : order_[next_probe_ % order_.size()];
  if (running_)
    epoch_round_ += order_.empty() ? 0 : next_probe_ / order_.size();
  order_.push_back(slot);
  if (running_)
    rebase(next);
}

void probe_engine::clamp(schedule& s) const {
  if (s.interval < min_tick)
    s.interval = min_tick;
  s.timeout = std::clamp(s.timeout, min_tick, s.interval);
}

void probe_engine::reschedule(const schedule& s) {
  auto rounds = sched_.rounds;
  uint32_t next = UINT32_MAX;
  if (running_ && !order_.empty()) {
    next = order_[next_probe_ % order_.size()];
    epoch_round_ += next_probe_ / order_.size();
  }
  sched_ = s;
  sched_.rounds = rounds;
  clamp(sched_);
  if (running_)
    rebase(next);
}

clock::time_point probe_engine::due_at(uint64_t p) const {
  const uint64_t n = order_.size();
  const auto t = static_cast<uint64_t>(sched_.interval.count());
  auto at = (p / n) * t + ((p % n) * t + n - 1) / n;
  return start_ + nanoseconds{static_cast<int64_t>(at)};
}

void probe_engine::rebase(uint32_t next) {
  const uint64_t n = order_.size();
  const auto now = clock::now();
  uint64_t k = 0;
  if (n > 0 && next != UINT32_MAX) {
    auto it = std::find(order_.begin(), order_.end(), next);
    k = static_cast<uint64_t>(it - order_.begin()) % n;
  }
  const int64_t t = sched_.interval.count();
  auto offset = [&](uint64_t j) { // nominal offset of position j
    return nanoseconds{
        static_cast<int64_t>((j * static_cast<uint64_t>(t) + n - 1) / n)};
  };
  // The round goes on with position k now (or as planned), but no slot is
  // probed sooner than one interval after its previous probe: a schedule
  // that shrinks (more slots, shorter interval) would otherwise cut the
  // previous probe's time short and report a false timeout.
  auto start = n > 0 ? now - offset(k) : now;
  for (uint64_t j = 0; j < n; ++j) {
    auto last = slots_[order_[j]].last_due;
    if (last == clock::time_point::min())
      continue;
    auto cand = last + sched_.interval - offset(j)
                - (j < k ? sched_.interval : nanoseconds{0});
    start = std::max(start, cand);
  }
  start_ = start;
  next_probe_ = k;
  if (sched_.rounds == 0)
    total_probes_ = UINT64_MAX;
  else
    total_probes_
        = sched_.rounds > epoch_round_ ? (sched_.rounds - epoch_round_) * n : 0;
  arm();
}

void probe_engine::start(const schedule& s) {
  sched_ = s;
  clamp(sched_);
  size_t cap = 16;
  while (cap < slots_.size() + 1)
    cap *= 2;
  ring_.assign(cap, {});
  ring_head_ = ring_len_ = 0;
  batch_.reserve(std::min<size_t>(slots_.size(), 65536));
  due_.reserve(4096);
  next_probe_ = 0;
  epoch_round_ = 0;
  total_probes_
      = sched_.rounds == 0 ? UINT64_MAX : sched_.rounds * order_.size();
  start_ = last_flush_ = clock::now();
  running_ = true;
  done_ = false;
  tick();
}

void probe_engine::stop() {
  if (!running_ && done_)
    return;
  running_ = false;
  done_ = true;
  timer_.cancel();
  shutdown();
  flush();
}

bool probe_engine::pending(uint32_t slot, uint32_t g) const {
  return slot < slots_.size() && slots_[slot].in_flight
         && slots_[slot].gen == g;
}

void probe_engine::sent(uint32_t slot, int64_t now_real_ns) {
  auto& s = slots_[slot];
  s.sent_real = now_real_ns;
  s.in_flight = true;
  ++in_flight_;
  ++counters_.sent;
  if (ring_len_ == ring_.size()) { // cannot happen (one probe per slot)
    std::vector<deadline> bigger(ring_.size() * 2);
    for (size_t i = 0; i < ring_len_; ++i)
      bigger[i] = ring_[(ring_head_ + i) & (ring_.size() - 1)];
    ring_ = std::move(bigger);
    ring_head_ = 0;
  }
  ring_[(ring_head_ + ring_len_++) & (ring_.size() - 1)]
      = {clock::now() + sched_.timeout, slot, s.gen};
}

void probe_engine::complete(uint32_t slot, uint32_t g, outcome o,
                            int64_t rtt_ns, uint8_t ttl) {
  if (!pending(slot, g)) {
    ++counters_.late;
    return;
  }
  auto& s = slots_[slot];
  s.in_flight = false;
  --in_flight_;
  bool ok = o == outcome::ok;
  if (ok)
    ++counters_.received;
  if (ok != s.last_ok)
    urgent_ = true;
  s.last_ok = ok;
  batch_.push_back({slot, o, ttl, ok ? rtt_ns : -1, s.sent_real});
}

void probe_engine::failed(uint32_t slot, outcome o) {
  auto& s = slots_[slot];
  if (o == outcome::send_error)
    ++counters_.send_errors;
  if (s.last_ok)
    urgent_ = true;
  s.last_ok = false;
  batch_.push_back({slot, o, 0, -1, real_now_ns()});
}

void probe_engine::flush_if_urgent() {
  if (urgent_)
    flush();
  check_finished();
}

void probe_engine::flush() {
  urgent_ = false;
  last_flush_ = clock::now();
  if (batch_.empty())
    return;
  sink_.on_results(proto_, batch_);
  batch_.clear();
}

void probe_engine::check_finished() {
  if (!running_ || next_probe_ < total_probes_ || in_flight_ > 0)
    return;
  running_ = false;
  done_ = true;
  timer_.cancel();
  flush();
  shutdown();
  if (finished_)
    finished_();
}

void probe_engine::expire_due(clock::time_point now) {
  const size_t mask = ring_.size() - 1;
  while (ring_len_ > 0 && ring_[ring_head_].at <= now) {
    auto d = ring_[ring_head_];
    ring_head_ = (ring_head_ + 1) & mask;
    --ring_len_;
    if (pending(d.slot, d.gen)) {
      expire(d.slot);
      complete(d.slot, d.gen, outcome::timeout, -1);
    }
  }
}

void probe_engine::send_due(clock::time_point now) {
  const uint64_t n = order_.size();
  if (n == 0) {
    next_probe_ = total_probes_ == UINT64_MAX ? 0 : total_probes_;
    return;
  }
  if (now < start_) // a rebase put the round's next probe ahead
    return;
  const auto t = static_cast<uint64_t>(sched_.interval.count());
  const auto e = static_cast<uint64_t>((now - start_).count());
  uint64_t due = (e / t) * n + ((e % t) * n) / t + 1;
  due = std::min(due, total_probes_);
  if (due > next_probe_ + 1) { // lag: the first overdue probe's due time
    uint64_t p = next_probe_;
    auto at = (p / n) * t + ((p % n) * t + n - 1) / n;
    counters_.max_lag_ns
        = std::max<int64_t>(counters_.max_lag_ns, static_cast<int64_t>(e - at));
  }
  while (next_probe_ < due) {
    due_.clear();
    while (next_probe_ < due && due_.size() < due_.capacity()) {
      auto slot = order_[next_probe_ % n];
      auto& s = slots_[slot];
      s.last_due = due_at(next_probe_++);
      if (s.in_flight) { // previous probe still out: it timed out
        expire(slot);
        complete(slot, s.gen, outcome::timeout, -1);
      }
      ++s.gen;
      due_.push_back(slot);
    }
    send(due_);
  }
}

void probe_engine::tick() {
  if (!running_)
    return;
  auto now = clock::now();
  expire_due(now);
  send_due(now);
  if (now - last_flush_ >= sched_.interval)
    flush();
  flush_if_urgent();
  if (running_)
    arm();
}

void probe_engine::arm() {
  auto next = clock::time_point::max();
  if (next_probe_ < total_probes_ && !order_.empty())
    next = due_at(next_probe_);
  if (ring_len_ > 0)
    next = std::min(next, ring_[ring_head_].at);
  if (!batch_.empty())
    next = std::min(next, last_flush_ + sched_.interval);
  if (next == clock::time_point::max())
    return;
  next = std::max(next, clock::now() + min_tick);
  timer_.expires_at(next);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec)
      tick();
  });
}

} // namespace kc::probes
