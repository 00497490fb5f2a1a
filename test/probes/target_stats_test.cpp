// Per-target statistics and the up/down state machine.
#include "probes/target_stats.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::probes;

namespace {

probe_result ok(int64_t rtt_us, int64_t at_s = 0, uint8_t ttl = 64) {
  return {0, outcome::ok, ttl, rtt_us * 1000, at_s * 1'000'000'000};
}
probe_result lost(int64_t at_s = 0) {
  return {0, outcome::timeout, 0, -1, at_s * 1'000'000'000};
}

} // namespace

BOOST_AUTO_TEST_SUITE(target_stats)

BOOST_AUTO_TEST_CASE(thresholds_drive_up_and_down) {
  kc::probes::target_stats s({10, 3, 2});
  BOOST_TEST((s.state() == target_state::unknown));
  BOOST_TEST(s.record(ok(100, 1)));
  BOOST_TEST((s.state() == target_state::up));
  BOOST_TEST(!s.record(lost(2)));
  BOOST_TEST(!s.record(lost(3)));
  BOOST_TEST(s.consecutive_failures() == 2u);
  BOOST_TEST(s.record(lost(4)));
  BOOST_TEST((s.state() == target_state::down));
  BOOST_TEST(!s.record(ok(100, 5))); // one success is not enough
  BOOST_TEST(s.consecutive_failures() == 0u);
  BOOST_TEST(!s.record(lost(6)));
  BOOST_TEST(!s.record(ok(100, 7)));
  BOOST_TEST(s.record(ok(100, 8)));
  BOOST_TEST((s.state() == target_state::up));
  BOOST_TEST(s.since() == 8'000'000'000);
}

BOOST_AUTO_TEST_CASE(loss_is_over_the_sliding_window) {
  kc::probes::target_stats s({10, 3, 2});
  for (int i = 0; i < 10; ++i)
    s.record(i % 5 == 0 ? lost() : ok(200));
  BOOST_TEST(s.loss() == 0.2, boost::test_tools::tolerance(1e-9));
  for (int i = 0; i < 10; ++i)
    s.record(ok(200));
  BOOST_TEST(s.loss() == 0.0);
  BOOST_TEST(s.sent() == 20u);
  BOOST_TEST(s.received() == 18u);
}

BOOST_AUTO_TEST_CASE(histogram_quantiles_jitter_and_ttl) {
  kc::probes::target_stats s;
  for (int i = 1; i <= 100; ++i)
    s.record(ok(i * 10, 0, static_cast<uint8_t>(60 + i % 2)));
  BOOST_TEST(s.quantile(0.5) == 505e-6, boost::test_tools::tolerance(0.03));
  BOOST_TEST(s.quantile(0.99) == 990e-6, boost::test_tools::tolerance(0.02));
  BOOST_TEST(s.last_ttl() == 60u);
  // RTT rises 10 µs per probe: jitter converges towards 10 µs.
  BOOST_TEST(s.jitter() > 9e-6);
  BOOST_TEST(s.jitter() < 10.5e-6);
  // 10..20 µs → bucket 0 (≤ 25 µs); 1000 µs → bucket ≤ 1 ms.
  BOOST_TEST(s.buckets()[0] == 2u);
  uint64_t total = 0;
  for (auto b : s.buckets())
    total += b;
  BOOST_TEST(total == 100u);
  BOOST_TEST(s.rtt_sum() == 0.0505, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(transition_line_is_readable) {
  kc::probes::target_stats s({10, 2, 1});
  s.record(ok(300, 100));
  s.record(ok(500, 101));
  s.record(lost(102));
  BOOST_TEST(s.record(lost(103)));
  auto line = s.transition_line("10.0.0.7", protocol::icmp);
  BOOST_TEST(line
             == "10.0.0.7 icmp up → down: loss 50.0%, rtt p50 500µs p99 500µs,"
                " last timeout, up for 3.00s");
  BOOST_TEST(format_seconds(0.0032) == "3.20ms");
  BOOST_TEST(format_seconds(300) == "5m00s");
}

BOOST_AUTO_TEST_SUITE_END()
