// Slots added, dropped and resumed while an engine runs, and a changed
// interval: the schedule is rebased without a burst, without a probe sooner
// than one interval after the slot's previous one, and without false
// timeouts (ADR 0023).
#include "probes/engine.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <map>

#include "test/probes/support/collector.hpp"

using namespace kc::probes;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

// Answers the slots in `answer` at once; records when each probe was due
// by the schedule (the real send may lag on a loaded machine).
struct live_engine : probe_engine {
  live_engine(asio::io_context& io, result_sink& sink)
    : probe_engine(io, protocol::udp, sink) {}
  uint32_t add(bool answers) {
    answer.push_back(answers);
    return add_slot();
  }
  void send(std::span<const uint32_t> slots) override {
    for (auto s : slots) {
      sends[s].push_back(due(s)); // nominal: load-independent
      sent(s, real_now_ns());
      if (answer[s])
        complete(s, gen(s), outcome::ok, 1000);
    }
    flush_if_urgent();
  }
  void release(uint32_t s) override {
    released.push_back(s);
  }
  std::vector<bool> answer;
  std::map<uint32_t, std::vector<clk::time_point>> sends;
  std::vector<uint32_t> released;
};

// Runs `f` on the io thread after `d`.
void at(asio::io_context& io, asio::steady_timer& t, clk::duration d,
        std::function<void()> f) {
  t.expires_after(d);
  t.async_wait([f = std::move(f)](const boost::system::error_code& ec) {
    if (!ec)
      f();
  });
}

// The smallest gap between two consecutive probes of one slot.
clk::duration min_gap(const std::vector<clk::time_point>& v) {
  auto g = clk::duration::max();
  for (size_t i = 1; i < v.size(); ++i)
    g = std::min(g, v[i] - v[i - 1]);
  return g;
}

size_t sends_after(const std::vector<clk::time_point>& v, clk::time_point t) {
  size_t n = 0;
  for (auto& x : v)
    n += x > t;
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(engine_live)

BOOST_AUTO_TEST_CASE(a_slot_added_while_running_is_probed_without_a_burst) {
  asio::io_context io;
  kc::test::collector sink;
  live_engine e(io, sink);
  for (int i = 0; i < 3; ++i)
    e.add(true);
  asio::steady_timer t1(io), t2(io);
  uint32_t added = 0;
  // Added mid-round, then four more at once (a discovery LIST).
  at(io, t1, 230ms, [&] { added = e.add(true); });
  at(io, t2, 470ms, [&] {
    for (int i = 0; i < 4; ++i)
      e.add(true);
  });
  e.start({100ms, 100ms, 0});
  io.run_for(1200ms);
  e.stop();
  BOOST_TEST(e.size() == 8u);
  BOOST_TEST(e.active_count() == 8u);
  BOOST_TEST(e.sends[added].size() >= 8u);
  for (uint32_t s = 0; s < 8; ++s) {
    BOOST_TEST_CONTEXT("slot " << s) {
      BOOST_TEST(e.sends[s].size() >= 6u);
      // Never due sooner than one interval after the slot's previous
      // probe (without the rebase rule the gap shrinks by up to half an
      // interval here), never a false timeout.
      BOOST_TEST(min_gap(e.sends[s]) >= 100ms);
    }
  }
  BOOST_TEST(sink.count(outcome::timeout) == 0u);
  BOOST_TEST(sink.count(outcome::ok) == e.counters().sent);
}

BOOST_AUTO_TEST_CASE(a_dropped_slot_is_not_probed_and_its_probe_has_no_result) {
  asio::io_context io;
  kc::test::collector sink;
  live_engine e(io, sink);
  auto live = e.add(true);
  // Never answers; timeout = interval, so a probe of it is always in flight.
  auto silent = e.add(false);
  asio::steady_timer t1(io), t2(io), t3(io);
  clk::time_point dropped_at, resumed_at;
  at(io, t1, 330ms, [&] {
    dropped_at = clk::now();
    e.drop(silent);
  });
  at(io, t2, 800ms, [&] {
    resumed_at = clk::now();
    e.resume(silent);
  });
  at(io, t3, 1250ms, [&] { e.drop(silent); });
  e.start({100ms, 100ms, 0});
  io.run_for(1300ms);
  e.stop();
  BOOST_TEST(e.released == (std::vector<uint32_t>{silent, silent}));
  BOOST_TEST(!e.active(silent));
  BOOST_TEST(e.active_count() == 1u);
  // Between drop and resume: no probe of it.
  size_t between = 0;
  for (auto& x : e.sends[silent])
    between += x > dropped_at && x < resumed_at;
  BOOST_TEST(between == 0u);
  // Every probe of it timed out except the two in flight at the drops,
  // which have no result at all (not a timeout).
  size_t results = 0;
  for (auto& r : sink.all)
    if (r.slot == silent) {
      ++results;
      BOOST_TEST((r.result == outcome::timeout));
    }
  BOOST_TEST(e.sends[silent].size() >= 6u);
  BOOST_TEST(results == e.sends[silent].size() - 2);
  // Probed again after the resume; the live slot never stopped.
  BOOST_TEST(sends_after(e.sends[silent], resumed_at) >= 3u);
  BOOST_TEST(sends_after(e.sends[live], dropped_at) >= 8u);
  BOOST_TEST(min_gap(e.sends[live]) >= 100ms);
  BOOST_TEST(min_gap(e.sends[silent]) >= 100ms);
}

BOOST_AUTO_TEST_CASE(dropping_every_slot_then_adding_one_probes_it) {
  asio::io_context io;
  kc::test::collector sink;
  live_engine e(io, sink);
  auto a = e.add(true);
  asio::steady_timer t1(io), t2(io);
  uint32_t b = 0;
  clk::time_point added_at;
  at(io, t1, 150ms, [&] { e.drop(a); });
  at(io, t2, 400ms, [&] {
    added_at = clk::now();
    b = e.add(true);
  });
  e.start({50ms, 50ms, 0});
  io.run_for(700ms);
  e.stop();
  BOOST_TEST(e.active_count() == 1u);
  BOOST_TEST(sends_after(e.sends[a], added_at) == 0u);
  BOOST_TEST(sends_after(e.sends[b], added_at) >= 4u);
  // The new slot goes at once, not after a phantom round.
  BOOST_REQUIRE(!e.sends[b].empty());
  BOOST_TEST((e.sends[b].front() - added_at < 50ms));
}

BOOST_AUTO_TEST_CASE(a_new_interval_applies_while_running) {
  asio::io_context io;
  kc::test::collector sink;
  live_engine e(io, sink);
  auto a = e.add(true);
  e.add(true);
  asio::steady_timer t1(io);
  clk::time_point changed_at;
  at(io, t1, 450ms, [&] {
    changed_at = clk::now();
    e.reschedule({50ms, 50ms, 0});
  });
  e.start({200ms, 200ms, 0});
  io.run_for(950ms);
  e.stop();
  size_t before = e.sends[a].size() - sends_after(e.sends[a], changed_at);
  size_t after = sends_after(e.sends[a], changed_at);
  BOOST_TEST(before <= 3u); // 0, 200, 400 ms
  BOOST_TEST(after >= 7u);  // every 50 ms for ~500 ms
  BOOST_TEST(min_gap(e.sends[a]) >= 50ms);
  BOOST_TEST(sink.count(outcome::timeout) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
