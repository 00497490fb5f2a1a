#include "k8s/client/errors.hpp"
#include "k8s/client/retry_policy.hpp"
#include "test/k8s/client/support/print.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::k8s;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(status_bodies_are_typed) {
  auto e = error_from_response(
    404,
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
    R"("message":"configmaps \"x\" not found","reason":"NotFound","code":404})",
    "");
  BOOST_TEST(e.code == kc::ec::not_found);
  BOOST_TEST(e.reason == "NotFound");
  BOOST_TEST(e.message == "configmaps \"x\" not found");
  BOOST_TEST(e.to_string() == "kc::not_found (404 NotFound): configmaps \"x\" not found");
  auto ae = error_from_response(409, R"({"kind":"Status","reason":"AlreadyExists","code":409})", "");
  BOOST_TEST(ae.code == kc::ec::already_exists);
  auto c = error_from_response(409, R"({"kind":"Status","reason":"Conflict","code":409})", "");
  BOOST_TEST(c.code == kc::ec::conflict);
  BOOST_TEST(error_from_response(410, "{}", "").code == kc::ec::expired);
  BOOST_TEST(error_from_response(422, "{}", "").code == kc::ec::invalid);
  BOOST_TEST(error_from_response(403, "{}", "").code == kc::ec::forbidden);
  BOOST_TEST(error_from_response(401, "{}", "").code == kc::ec::unauthorized);
  BOOST_TEST(error_from_response(503, "{}", "").code == kc::ec::server_error);
  BOOST_TEST(error_from_response(504, "{}", "").code == kc::ec::timeout);
}

BOOST_AUTO_TEST_CASE(plain_text_429_with_retry_after) {
  auto e = error_from_response(429, "Too many requests, please try again later.\n", "1");
  BOOST_TEST(e.code == kc::ec::too_many_requests);
  BOOST_TEST(e.reason == "TooManyRequests");
  BOOST_TEST(e.message == "Too many requests, please try again later.");
  BOOST_REQUIRE(e.retry_after.has_value());
  BOOST_TEST(*e.retry_after == 1);
}

BOOST_AUTO_TEST_CASE(empty_body_gets_a_message) {
  auto e = error_from_response(500, "", "");
  BOOST_TEST(e.code == kc::ec::server_error);
  BOOST_TEST(e.message == "the server responded with HTTP 500");
}

BOOST_AUTO_TEST_CASE(watch_error_status) {
  auto v = boost::json::object{{"kind", "Status"}, {"code", 410}, {"reason", "Expired"},
                               {"message", "too old resource version: 1 (5)"}};
  auto e = error_from_status(v);
  BOOST_TEST(e.code == kc::ec::expired);
  BOOST_TEST(e.http_status == 410u);
}

BOOST_AUTO_TEST_CASE(retry_after_parsing) {
  BOOST_TEST(parse_retry_after(" 3 ").value() == 3);
  BOOST_TEST(!parse_retry_after("").has_value());
  BOOST_TEST(!parse_retry_after("-1").has_value());
  BOOST_TEST(!parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
}

BOOST_AUTO_TEST_CASE(retry_decisions) {
  using std::chrono::milliseconds;
  auto cap = milliseconds(60'000);
  auto e429 = error_from_response(429, "slow down", "2");
  BOOST_TEST(retry_delay(e429, true, 0, 10, cap).value().count() == 2000);
  BOOST_TEST(!retry_delay(e429, false, 0, 10, cap)); // not replayable
  BOOST_TEST(!retry_delay(e429, true, 10, 10, cap)); // out of retries
  BOOST_TEST(retry_delay(e429, true, 0, 10, milliseconds(500)).value().count() == 500);
  auto e503 = error_from_response(503, "", "0");
  BOOST_TEST(retry_delay(e503, true, 9, 10, cap).value().count() == 0);
  auto e500_no_header = error_from_response(500, "", "");
  BOOST_TEST(!retry_delay(e500_no_header, true, 0, 10, cap));
  auto e404 = error_from_response(404, "", "1");
  BOOST_TEST(!retry_delay(e404, true, 0, 10, cap));
}

BOOST_AUTO_TEST_CASE(token_bucket_limits_rate) {
  token_bucket b(10, 2); // 10 qps, burst 2
  auto t0 = token_bucket::clock::now();
  BOOST_TEST(b.reserve(t0).count() == 0);
  BOOST_TEST(b.reserve(t0).count() == 0);
  auto w = b.reserve(t0);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(w).count() == 100);
  auto w2 = b.reserve(t0);
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(w2).count() == 200);
  // After a second the bucket is full again (burst 2), not 10 tokens.
  auto t1 = t0 + std::chrono::seconds(2);
  BOOST_TEST(b.reserve(t1).count() == 0);
  BOOST_TEST(b.reserve(t1).count() == 0);
  BOOST_TEST(b.reserve(t1).count() > 0);
  token_bucket off(0, 1);
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(off.reserve(t0).count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
