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
  slots_.push_back({});
  return static_cast<uint32_t>(slots_.size() - 1);
}

void probe_engine::start(const schedule& s) {
  sched_ = s;
  if (sched_.interval < min_tick)
    sched_.interval = min_tick;
  sched_.timeout = std::clamp(sched_.timeout, min_tick, sched_.interval);
  size_t cap = 16;
  while (cap < slots_.size() + 1)
    cap *= 2;
  ring_.assign(cap, {});
  ring_head_ = ring_len_ = 0;
  batch_.reserve(std::min<size_t>(slots_.size(), 65536));
  due_.reserve(4096);
  next_probe_ = 0;
  total_probes_
      = sched_.rounds == 0 ? UINT64_MAX : sched_.rounds * slots_.size();
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
  const uint64_t n = slots_.size();
  if (n == 0) {
    next_probe_ = total_probes_ == UINT64_MAX ? 0 : total_probes_;
    return;
  }
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
      auto slot = static_cast<uint32_t>(next_probe_++ % n);
      auto& s = slots_[slot];
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
  if (next_probe_ < total_probes_ && !slots_.empty()) {
    const uint64_t n = slots_.size();
    const auto t = static_cast<uint64_t>(sched_.interval.count());
    uint64_t p = next_probe_;
    auto at = (p / n) * t + ((p % n) * t + n - 1) / n;
    next = start_ + nanoseconds{static_cast<int64_t>(at)};
  }
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
