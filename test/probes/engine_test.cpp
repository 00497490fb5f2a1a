// Scheduling, deadlines and batching of the shared engine base (ADR 0020).
#include "probes/engine.hpp"

#include <boost/test/unit_test.hpp>

#include "test/probes/support/collector.hpp"

using namespace kc::probes;
using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

namespace {

// An engine whose "network" answers the slots in `answer` after `delay`.
struct fake_engine : probe_engine {
  fake_engine(asio::io_context& io, result_sink& sink)
    : probe_engine(io, protocol::tcp, sink), timer(io) {}
  uint32_t add(bool answers) {
    answer.push_back(answers);
    return add_slot();
  }
  void send(std::span<const uint32_t> slots) override {
    auto now = clk::now();
    for (auto s : slots) {
      sends.emplace_back(s, now);
      sent(s, real_now_ns());
      if (answer[s])
        complete(s, gen(s), outcome::ok, 1000);
    }
    flush_if_urgent();
  }
  void expire(uint32_t s) override {
    expired.push_back(s);
  }
  asio::steady_timer timer;
  std::vector<bool> answer;
  std::vector<std::pair<uint32_t, clk::time_point>> sends;
  std::vector<uint32_t> expired;
};

} // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(probes_are_spread_evenly_over_the_interval) {
  asio::io_context io;
  kc::test::collector sink;
  fake_engine e(io, sink);
  for (int i = 0; i < 20; ++i)
    e.add(true);
  bool finished = false;
  e.on_finished([&] { finished = true; });
  auto t0 = clk::now();
  e.start({200ms, 50ms, 2});
  io.run_for(10s);
  BOOST_TEST(finished);
  BOOST_REQUIRE_EQUAL(e.sends.size(), 40u);
  // Probe k of round r leaves at r*200ms + k*10ms, not before (a loaded
  // machine may delay it; the lag is a counter, not a test failure).
  for (size_t i = 0; i < e.sends.size(); ++i) {
    auto at = e.sends[i].second - t0;
    auto want = std::chrono::milliseconds(10 * i);
    BOOST_TEST(e.sends[i].first == i % 20);
    BOOST_TEST(at >= want - 1ms);
  }
  // Never early (above), and not a burst: the round takes its interval.
  BOOST_TEST((e.sends[19].second - e.sends[0].second >= 185ms));
  BOOST_TEST(sink.count(outcome::ok) == 40u);
  BOOST_TEST(e.counters().sent == 40u);
  BOOST_TEST(e.counters().received == 40u);
}

BOOST_AUTO_TEST_CASE(unanswered_probes_time_out_and_flip_flushes_at_once) {
  asio::io_context io;
  kc::test::collector sink;
  fake_engine e(io, sink);
  e.add(true);
  e.add(false);
  bool finished = false;
  e.on_finished([&] { finished = true; });
  e.start({100ms, 30ms, 3});
  io.run_for(10s);
  BOOST_TEST(finished);
  BOOST_TEST(sink.count(outcome::ok) == 3u);
  BOOST_TEST(sink.count(outcome::timeout) == 3u);
  BOOST_TEST(e.expired.size() == 3u);
  for (auto& r : sink.all)
    if (r.slot == 1)
      BOOST_TEST((r.result == outcome::timeout && r.rtt_ns == -1));
  // The first timeout flips slot 1 from ok to failed: delivered at once,
  // so there is more than the final batch.
  BOOST_TEST(sink.batches >= 2u);
}

BOOST_AUTO_TEST_CASE(late_completions_are_counted_not_reported) {
  asio::io_context io;
  kc::test::collector sink;
  struct late_engine : fake_engine {
    using fake_engine::fake_engine;
    void send(std::span<const uint32_t> slots) override {
      for (auto s : slots) {
        sent(s, real_now_ns());
        complete(s, gen(s) - 1, outcome::ok, 5); // an old generation
      }
    }
  } e(io, sink);
  e.add(false);
  e.start({50ms, 10ms, 2});
  io.run_for(10s);
  BOOST_TEST(sink.count(outcome::ok) == 0u);
  BOOST_TEST(sink.count(outcome::timeout) == 2u);
  BOOST_TEST(e.counters().late == 2u);
}

BOOST_AUTO_TEST_CASE(an_empty_job_finishes_at_once) {
  asio::io_context io;
  kc::test::collector sink;
  fake_engine e(io, sink);
  bool finished = false;
  e.on_finished([&] { finished = true; });
  e.start({1s, 1s, 1});
  io.run_for(100ms);
  BOOST_TEST(finished);
}

BOOST_AUTO_TEST_SUITE_END()
