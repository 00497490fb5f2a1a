// The up/down state machine of one target (probes/target_state): consecutive
// failures, loss above a threshold, recovery after M successes, hysteresis,
// and the one readable line per transition.
#include "probes/target_state.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::probes;

namespace {

constexpr int64_t sec = 1'000'000'000;

probe_result ok(int64_t at_s, int64_t rtt_us = 100) {
  return {0, outcome::ok, 64, rtt_us * 1000, at_s * sec};
}
probe_result lost(int64_t at_s) {
  return {0, outcome::timeout, 0, -1, at_s * sec};
}

} // namespace

BOOST_AUTO_TEST_SUITE(target_state)

BOOST_AUTO_TEST_CASE(down_after_n_failures_up_after_m_successes) {
  health_config cfg;
  cfg.fail_threshold = 3;
  cfg.recover_threshold = 2;
  cfg.loss_threshold = 2; // off
  target_health h("10.0.0.1", protocol::icmp, cfg);
  BOOST_TEST((h.state() == kc::probes::target_state::unknown));
  BOOST_TEST(h.record(ok(1)));
  BOOST_TEST(h.last_transition().quiet());
  BOOST_TEST(!h.record(lost(2)));
  BOOST_TEST(!h.record(lost(3)));
  BOOST_TEST(h.record(lost(4)));
  BOOST_TEST((h.state() == kc::probes::target_state::down));
  auto& t = h.last_transition();
  BOOST_TEST(!t.quiet());
  BOOST_TEST(t.at == 4 * sec);
  BOOST_TEST(t.from_since == 1 * sec);
  BOOST_TEST(t.line.rfind("10.0.0.1 icmp up → down: loss 75.0%", 0) == 0,
             t.line);
  BOOST_TEST(t.line.find("3 consecutive failures") != std::string::npos);
  BOOST_TEST(t.line.find("last timeout") != std::string::npos);
  BOOST_TEST(t.line.find("up for 3.00s (since 1970-01-01T00:00:01Z)")
                 != std::string::npos,
             t.line);
  BOOST_TEST(!h.record(ok(5)));   // one success is not enough
  BOOST_TEST(!h.record(lost(6))); // and a failure resets the count
  BOOST_TEST(!h.record(ok(7)));
  BOOST_TEST(h.record(ok(8)));
  BOOST_TEST((h.state() == kc::probes::target_state::up));
  BOOST_TEST(h.since() == 8 * sec);
  BOOST_TEST(h.last_transition().line.find("down → up") != std::string::npos);
  BOOST_TEST(h.last_transition().line.find("down for 4.00s")
                 != std::string::npos,
             h.last_transition().line);
}

BOOST_AUTO_TEST_CASE(unknown_goes_down_directly) {
  target_health h("db:5432", protocol::tcp, {});
  BOOST_TEST(!h.record(lost(1)));
  BOOST_TEST(!h.record(lost(2)));
  BOOST_TEST(h.record(lost(3)));
  BOOST_TEST(h.last_transition().line.rfind("db:5432 tcp unknown → down", 0)
                 == 0,
             h.last_transition().line);
  // No "for …" part: the unknown state has no meaningful duration.
  BOOST_TEST(h.last_transition().line.find(" for ") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(loss_above_threshold_without_consecutive_failures) {
  health_config cfg;
  cfg.fail_threshold = 3;
  cfg.loss_threshold = 0.4;
  cfg.min_samples = 10;
  target_health h("x", protocol::udp, cfg);
  // Alternating loss (50%) never makes 3 consecutive failures.
  int64_t t = 0;
  bool changed_to_down = false;
  for (int i = 0; i < 9; ++i)
    h.record(i % 2 ? lost(++t) : ok(++t));
  BOOST_TEST((h.state() == kc::probes::target_state::up)); // 9 < min samples
  changed_to_down = h.record(lost(++t));                   // 10th: 5/10 lost
  BOOST_TEST(changed_to_down);
  BOOST_TEST(h.last_transition().reason == "loss 50% of 10 probes > 40%");
  // Recovery: 2 successes; the loss ring restarts, so one more failure
  // does not send it down again at once (hysteresis).
  BOOST_TEST(!h.record(ok(++t)));
  BOOST_TEST(h.record(ok(++t)));
  BOOST_TEST(!h.record(lost(++t)));
  BOOST_TEST((h.state() == kc::probes::target_state::up));
  BOOST_TEST(h.recent_loss() == 1.0);
}

BOOST_AUTO_TEST_CASE(statistics_in_the_line_and_description) {
  target_health h("y", protocol::icmp, {});
  for (int i = 1; i <= 10; ++i)
    h.record(ok(i, i * 100)); // 100µs .. 1ms
  BOOST_TEST(h.stats().quantile(0.5) > 0.0004);
  BOOST_TEST(h.stats().quantile(0.99) > 0.0009);
  BOOST_TEST(h.stats().jitter() > 0);
  h.record(lost(11));
  h.record(lost(12));
  BOOST_TEST(h.record(lost(13)));
  auto& line = h.last_transition().line;
  BOOST_TEST(line.find("p50 600µs p99 1.00ms") != std::string::npos, line);
  BOOST_TEST(line.find("loss 23.1%") != std::string::npos, line);
  BOOST_TEST(h.describe().rfind("down since 1970-01-01T00:00:13Z", 0) == 0,
             h.describe());
}

BOOST_AUTO_TEST_CASE(format_utc_of_zero_and_a_date) {
  BOOST_TEST(format_utc(0) == "-");
  BOOST_TEST(format_utc(1'795'000'000 * sec) == "2026-11-18T11:06:40Z");
}

BOOST_AUTO_TEST_SUITE_END()
