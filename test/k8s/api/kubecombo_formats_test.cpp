#include "k8s/api/kubecombo/formats.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::k8s::kubecombo;

namespace {

int64_t milli(const std::string& text) {
  std::string why;
  auto q = parse_quantity_milli(text, &why);
  if (!q)
    BOOST_FAIL("'" << text << "' did not parse: " << why);
  return *q;
}

std::string quantity_error(const std::string& text) {
  std::string why;
  auto q = parse_quantity_milli(text, &why);
  return q ? "<parsed " + std::to_string(*q) + ">" : why;
}

} // namespace

BOOST_AUTO_TEST_SUITE(kubecombo_formats)

BOOST_AUTO_TEST_CASE(quantities_parse_like_apimachinery) {
  BOOST_TEST(milli("500m") == 500);
  BOOST_TEST(milli("1") == 1000);
  BOOST_TEST(milli("0.5") == 500);
  BOOST_TEST(milli(".5") == 500);
  BOOST_TEST(milli("1.5Gi") == 1610612736000);
  BOOST_TEST(milli("256Mi") == 268435456000);
  BOOST_TEST(milli("1k") == 1000000);
  BOOST_TEST(milli("2e3") == 2000000);
  BOOST_TEST(milli("1E-3") == 1);
  BOOST_TEST(milli("+1") == 1000);
  BOOST_TEST(milli("0") == 0);
  // Rounded up like MilliValue.
  BOOST_TEST(milli("1u") == 1);
  BOOST_TEST(milli("0.0001") == 1);
  BOOST_TEST(milli("1.0000") == 1000);
}

BOOST_AUTO_TEST_CASE(bad_quantities_are_errors_not_exceptions) {
  // up:W6: the documented "1C" panicked upstream's reconciler.
  BOOST_TEST(quantity_error("1C").find("regular expression")
             != std::string::npos);
  BOOST_TEST(quantity_error("").find("empty") != std::string::npos);
  BOOST_TEST(quantity_error("-1").find("negative") != std::string::npos);
  BOOST_TEST(quantity_error("1G i").find("regular expression")
             != std::string::npos);
  BOOST_TEST(quantity_error("abc").find("regular expression")
             != std::string::npos);
  BOOST_TEST(quantity_error("1..2").find("regular expression")
             != std::string::npos);
  BOOST_TEST(quantity_error("1e9999").find("regular expression")
             != std::string::npos);
  BOOST_TEST(quantity_error("999999Ei").find("too large") != std::string::npos);
  BOOST_TEST(quantity_error("1e30").find("too large") != std::string::npos);
  BOOST_TEST(quantity_error("1e999").find("too large") != std::string::npos);
  BOOST_TEST(quantity_error(std::string(40, '9')).find("too many")
             != std::string::npos);
  BOOST_TEST(quantity_error("1Kb").find("regular expression")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(durations) {
  BOOST_TEST(parse_duration_ms("30s").value_or(-1) == 30000);
  BOOST_TEST(parse_duration_ms("1m30s").value_or(-1) == 90000);
  BOOST_TEST(parse_duration_ms("250ms").value_or(-1) == 250);
  BOOST_TEST(parse_duration_ms("1.5h").value_or(-1) == 5400000);
  std::string why;
  BOOST_TEST(!parse_duration_ms("30", &why));
  BOOST_TEST(why.find("duration") != std::string::npos);
  BOOST_TEST(!parse_duration_ms("s"));
  BOOST_TEST(!parse_duration_ms("1x"));
  BOOST_TEST(!parse_duration_ms("0s"));
  BOOST_TEST(!parse_duration_ms(""));
  BOOST_TEST(!parse_duration_ms("100000h"));
}

BOOST_AUTO_TEST_CASE(run_at_accepts_rfc3339_and_epoch_seconds) {
  BOOST_TEST(parse_run_at("2026-11-28T16:00:00Z").value_or(-1) == 1795881600);
  BOOST_TEST(parse_run_at("2026-11-28T17:00:00+01:00").value_or(-1)
             == 1795881600);
  BOOST_TEST(parse_run_at("2026-11-28T16:00:00.250Z").value_or(-1)
             == 1795881600);
  BOOST_TEST(parse_run_at("1795881600").value_or(-1) == 1795881600);
  BOOST_TEST(parse_run_at("1970-01-01T00:00:00Z").value_or(-1) == 0);
  BOOST_TEST(parse_run_at("2024-02-29T00:00:00Z").has_value());
  std::string why;
  BOOST_TEST(!parse_run_at("tomorrow", &why));
  BOOST_TEST(why.find("RFC 3339") != std::string::npos);
  BOOST_TEST(why.find("epoch seconds") != std::string::npos);
  BOOST_TEST(!parse_run_at("2026-11-28"));
  BOOST_TEST(!parse_run_at("2026-13-01T00:00:00Z"));
  BOOST_TEST(!parse_run_at("2025-02-29T00:00:00Z"));
  BOOST_TEST(!parse_run_at("2026-11-28T16:00:00"));
  BOOST_TEST(!parse_run_at("2026-11-28 16:00:00Z"));
  BOOST_TEST(!parse_run_at("-5"));
}

BOOST_AUTO_TEST_CASE(cron_expressions) {
  BOOST_TEST(check_cron("0 3 * * *") == "");
  BOOST_TEST(check_cron("*/15 0-6,22 1 JAN-MAR mon-fri") == "");
  BOOST_TEST(check_cron("0 0 * * 7") == "");
  BOOST_TEST(check_cron("0 3 * *").find("found 4 fields") != std::string::npos);
  BOOST_TEST(check_cron("60 3 * * *").find("bad minute field")
             != std::string::npos);
  BOOST_TEST(check_cron("0 24 * * *").find("bad hour") != std::string::npos);
  BOOST_TEST(check_cron("0 0 0 * *").find("bad day-of-month")
             != std::string::npos);
  BOOST_TEST(check_cron("0 0 * * */0").find("bad day-of-week")
             != std::string::npos);
  BOOST_TEST(check_cron("0 0 * FOO *").find("bad month") != std::string::npos);
  BOOST_TEST(check_cron("5-1 0 * * *") != "");
  BOOST_TEST(check_cron("@daily") != "");
}

BOOST_AUTO_TEST_CASE(bandwidth) {
  BOOST_TEST(check_bandwidth("100") == "");
  BOOST_TEST(check_bandwidth("0") != "");
  BOOST_TEST(check_bandwidth("1Mbps") != "");
  BOOST_TEST(check_bandwidth("") != "");
}

BOOST_AUTO_TEST_SUITE_END()
