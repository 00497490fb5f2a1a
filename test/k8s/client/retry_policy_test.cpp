// Client retries (api:S3, ADR 0033): Retry-After is waited exactly; a 429
// without it backs off exponentially with jitter; a 5xx without it is not
// retried. Also the whole loop against a loopback server.

#include "k8s/client/api_client.hpp"
#include "k8s/client/retry_policy.hpp"
#include "test/k8s/client/support/test_server.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>

using namespace kc::k8s;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(retry_policy)

BOOST_AUTO_TEST_CASE(backoff_doubles_with_bounded_jitter) {
  auto cap = milliseconds{60'000};
  BOOST_TEST(retry_backoff(0, cap, 0.0).count() == 100);
  BOOST_TEST(retry_backoff(0, cap, 0.999).count() >= 199);
  BOOST_TEST(retry_backoff(0, cap, 0.999).count() < 200);
  BOOST_TEST(retry_backoff(3, cap, 0.0).count() == 800);
  BOOST_TEST(retry_backoff(3, cap, 0.5).count() == 1200);
  // The step stops at 10 s, and at the caller's cap.
  BOOST_TEST(retry_backoff(9, cap, 0.0).count() == 5000);
  BOOST_TEST(retry_backoff(40, cap, 0.999).count() < 10'000);
  BOOST_TEST(retry_backoff(5, milliseconds{500}, 0.0).count() == 250);
  // Out-of-range units are clamped, never negative or above the step.
  BOOST_TEST(retry_backoff(0, cap, -3).count() == 100);
  BOOST_TEST(retry_backoff(0, cap, 7).count() == 200);
}

BOOST_AUTO_TEST_CASE(a_429_without_retry_after_is_retried_with_jitter) {
  auto cap = milliseconds{60'000};
  auto e = error_from_response(429, "Too many requests\n", "");
  BOOST_REQUIRE(!e.retry_after);
  BOOST_TEST(retry_delay(e, true, 2, 10, cap, 0.0).value().count() == 400);
  BOOST_TEST(retry_delay(e, true, 2, 10, cap, 0.75).value().count() == 700);
  BOOST_TEST(!retry_delay(e, false, 0, 10, cap, 0.5)); // not replayable
  BOOST_TEST(!retry_delay(e, true, 10, 10, cap, 0.5)); // out of retries
  // With the default random unit, many clients spread over [400, 800).
  std::set<long> waits;
  for (int i = 0; i < 500; ++i) {
    auto d = retry_delay(e, true, 2, 10, cap).value().count();
    BOOST_REQUIRE(d >= 400);
    BOOST_REQUIRE(d < 800);
    waits.insert(static_cast<long>(d));
  }
  BOOST_TEST(waits.size() > 100u);
}

BOOST_AUTO_TEST_CASE(retry_after_is_exact_and_5xx_without_it_not_retried) {
  auto cap = milliseconds{60'000};
  auto e429 = error_from_response(429, "slow down", "2");
  BOOST_TEST(retry_delay(e429, true, 0, 10, cap, 0.0).value().count() == 2000);
  BOOST_TEST(retry_delay(e429, true, 0, 10, cap, 0.9).value().count() == 2000);
  auto e503 = error_from_response(503, "", "");
  BOOST_TEST(!retry_delay(e503, true, 0, 10, cap, 0.5));
  auto e500 = error_from_response(500, "", "1");
  BOOST_TEST(retry_delay(e500, true, 0, 10, cap, 0.5).value().count() == 1000);
}

BOOST_AUTO_TEST_CASE(client_backs_off_on_429_without_retry_after) {
  std::atomic<int> n{0};
  kc::test::test_server srv([&](const kc::test::test_request&) {
    kc::test::test_response r;
    if (++n <= 2) {
      r.status = 429;
      r.content_type = "text/plain";
      r.body = "Too many requests, please try again later.\n";
      return r; // no Retry-After
    }
    r.body = R"({"kind":"ConfigMap"})";
    return r;
  });
  client_config c;
  c.server = srv.url();
  parse_server_url(c, "test", "server");
  api_client client(c);
  const resource_ref cm{"", "v1", "configmaps", true, "default", "x", ""};
  auto t0 = std::chrono::steady_clock::now();
  auto r = client.send_sync(make_get(cm));
  auto dt = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(r.ok(), r.error.to_string());
  BOOST_TEST(r.retries == 2);
  BOOST_TEST(n.load() == 3);
  // 100–200 ms, then 200–400 ms.
  BOOST_TEST((dt >= milliseconds{300}));
  BOOST_TEST((dt < std::chrono::seconds{5}));
}

BOOST_AUTO_TEST_SUITE_END()
