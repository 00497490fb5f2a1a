// Backoff delays: the reconcile sequence 5 ms → 1000 s (api:Q3) and the
// informer's 800 ms → 30 s with jitter (api:W10).

#include "actors/runtime/backoff.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using kc::runtime::backoff_delay;

BOOST_AUTO_TEST_SUITE(backoff)

BOOST_AUTO_TEST_CASE(reconcile_sequence_doubles_to_the_cap) {
  auto p = kc::runtime::reconcile_backoff();
  BOOST_TEST(backoff_delay(p, 0).count() == 0);
  BOOST_TEST((backoff_delay(p, 1) == 5ms));
  BOOST_TEST((backoff_delay(p, 2) == 10ms));
  BOOST_TEST((backoff_delay(p, 3) == 20ms));
  BOOST_TEST((backoff_delay(p, 11) == 5120ms));
  // 5 ms × 2^17 = 655.36 s; × 2^18 exceeds 1000 s.
  BOOST_TEST((backoff_delay(p, 18) == 655360ms));
  BOOST_TEST((backoff_delay(p, 19) == 1000s));
  BOOST_TEST((backoff_delay(p, 4000000000u) == 1000s));
}

BOOST_AUTO_TEST_CASE(informer_jitter_stays_within_bounds) {
  auto p = kc::runtime::informer_backoff();
  BOOST_TEST((backoff_delay(p, 1, 0.0) == 800ms));
  BOOST_TEST((backoff_delay(p, 1, 0.5) == 1200ms));
  BOOST_TEST((backoff_delay(p, 2, 0.999) < 3200ms));
  BOOST_TEST((backoff_delay(p, 2, 0.999) > 3190ms));
  for (uint32_t n = 1; n < 50; ++n)
    BOOST_TEST((backoff_delay(p, n, 0.99) <= 30s));
  BOOST_TEST((backoff_delay(p, 6, 0.0) == 25600ms));
  BOOST_TEST((backoff_delay(p, 7, 0.0) == 30s));
}

BOOST_AUTO_TEST_SUITE_END()
