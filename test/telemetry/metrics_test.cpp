// The registry and its Prometheus text exposition (format 0.0.4).

#include "telemetry/exposition.hpp"
#include "telemetry/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

using namespace kc::telemetry;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string value_text(double v) {
  std::string out;
  detail::append_value(out, v);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(counter_and_gauge_exposition) {
  registry reg;
  auto& c = reg.add_counter("kc_requests", "Requests served.");
  c.inc();
  c.inc(2);
  auto& g = reg.add_gauge("kc_queue_depth", "Items waiting.");
  g.set(5);
  g.dec(1.5);
  BOOST_TEST(reg.expose()
             == "# HELP kc_queue_depth Items waiting.\n"
                "# TYPE kc_queue_depth gauge\n"
                "kc_queue_depth 3.5\n"
                "# HELP kc_requests_total Requests served.\n"
                "# TYPE kc_requests_total counter\n"
                "kc_requests_total 3\n");
}

BOOST_AUTO_TEST_CASE(counter_ignores_negative_and_keeps_fractions) {
  counter c;
  c.inc(-1);
  c.inc(std::numeric_limits<double>::quiet_NaN());
  c.inc(std::numeric_limits<double>::infinity());
  BOOST_TEST(c.value() == 0.0);
  c.inc(0.25);
  c.inc(3);
  BOOST_TEST(c.value() == 3.25);
}

BOOST_AUTO_TEST_CASE(histogram_exposition) {
  registry reg;
  auto& fam = reg.add_histogram_family("kc_rtt_seconds", "RTT.", {"proto"},
                                       {0.001, 0.01, 0.1});
  auto h = fam.with({"icmp"});
  h->observe(0.0005);
  h->observe(0.001); // upper bounds are inclusive
  h->observe(0.05);
  h->observe(std::chrono::milliseconds(2000));
  auto text = reg.expose();
  BOOST_TEST(
      contains(text, "kc_rtt_seconds_bucket{proto=\"icmp\",le=\"0.001\"} 2\n"));
  BOOST_TEST(
      contains(text, "kc_rtt_seconds_bucket{proto=\"icmp\",le=\"0.01\"} 2\n"));
  BOOST_TEST(
      contains(text, "kc_rtt_seconds_bucket{proto=\"icmp\",le=\"0.1\"} 3\n"));
  BOOST_TEST(
      contains(text, "kc_rtt_seconds_bucket{proto=\"icmp\",le=\"+Inf\"} 4\n"));
  BOOST_TEST(contains(text, "kc_rtt_seconds_sum{proto=\"icmp\"} 2.0515\n"));
  BOOST_TEST(contains(text, "kc_rtt_seconds_count{proto=\"icmp\"} 4\n"));
}

BOOST_AUTO_TEST_CASE(histogram_exact_text) {
  registry reg;
  auto& h = reg.add_histogram("kc_d_seconds", "D.", {1, 2});
  h.observe(0.5);
  h.observe(1.5);
  h.observe(4);
  BOOST_TEST(reg.expose()
             == "# HELP kc_d_seconds D.\n"
                "# TYPE kc_d_seconds histogram\n"
                "kc_d_seconds_bucket{le=\"1\"} 1\n"
                "kc_d_seconds_bucket{le=\"2\"} 2\n"
                "kc_d_seconds_bucket{le=\"+Inf\"} 3\n"
                "kc_d_seconds_sum 6\n"
                "kc_d_seconds_count 3\n");
}

BOOST_AUTO_TEST_CASE(unlabelled_histogram_and_nan) {
  registry reg;
  auto& h = reg.add_histogram("kc_x_seconds", "X.", {1});
  h.observe(std::numeric_limits<double>::quiet_NaN());
  auto text = reg.expose();
  BOOST_TEST(contains(text, "kc_x_seconds_bucket{le=\"1\"} 0\n"));
  BOOST_TEST(contains(text, "kc_x_seconds_bucket{le=\"+Inf\"} 1\n"));
  BOOST_TEST(contains(text, "kc_x_seconds_sum NaN\n"));
  BOOST_TEST(contains(text, "kc_x_seconds_count 1\n"));
}

BOOST_AUTO_TEST_CASE(label_and_help_escaping) {
  registry reg;
  auto& fam
      = reg.add_gauge_family("kc_g", "Line one\nback\\slash \"q\"", {"path"});
  fam.with({"a\\b\"c\nd"})->set(1);
  fam.with({"bad\xff"})->set(2); // ill-formed UTF-8 is replaced
  auto text = reg.expose();
  BOOST_TEST(contains(text, "# HELP kc_g Line one\\nback\\\\slash \"q\"\n"));
  BOOST_TEST(contains(text, "kc_g{path=\"a\\\\b\\\"c\\nd\"} 1\n"));
  BOOST_TEST(contains(text, "kc_g{path=\"bad\xEF\xBF\xBD\"} 2\n"));
}

BOOST_AUTO_TEST_CASE(special_values) {
  BOOST_TEST(value_text(std::numeric_limits<double>::infinity()) == "+Inf");
  BOOST_TEST(value_text(-std::numeric_limits<double>::infinity()) == "-Inf");
  BOOST_TEST(value_text(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  BOOST_TEST(value_text(1e6) == "1000000");
  BOOST_TEST(value_text(-3) == "-3");
  BOOST_TEST(value_text(0.1) == "0.1");
  BOOST_TEST(value_text(5e-05) == "5e-05");
  BOOST_TEST(value_text(1.5e300) == "1.5e+300");
  BOOST_TEST(std::stod(value_text(1.0 / 3)) == 1.0 / 3); // round trip
}

BOOST_AUTO_TEST_CASE(children_are_stable_and_removable) {
  registry reg;
  auto& fam
      = reg.add_counter_family("kc_probes", "Probes.", {"proto", "target"});
  auto a = fam.with({"icmp", "10.0.0.1"});
  BOOST_TEST(a.get() == fam.with({"icmp", "10.0.0.1"}).get());
  BOOST_TEST(a.get()
             == fam.with(std::vector<std::string>{"icmp", "10.0.0.1"}).get());
  a->inc();
  fam.with({"tcp", "10.0.0.2"})->inc(4);
  BOOST_TEST(fam.size() == 2u);
  auto text = reg.expose();
  BOOST_TEST(contains(
      text, "kc_probes_total{proto=\"icmp\",target=\"10.0.0.1\"} 1\n"));
  BOOST_TEST(
      contains(text, "kc_probes_total{proto=\"tcp\",target=\"10.0.0.2\"} 4\n"));
  BOOST_TEST(fam.remove({"icmp", "10.0.0.1"}));
  BOOST_TEST(!fam.remove({"icmp", "10.0.0.1"}));
  a->inc(); // the handle outlives its removal
  text = reg.expose();
  BOOST_TEST(!contains(text, "10.0.0.1"));
  BOOST_TEST(contains(text, "10.0.0.2"));
  fam.clear();
  BOOST_TEST(reg.expose().empty()); // empty families are not exposed
  BOOST_CHECK_THROW(fam.with({"icmp"}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(registration_rules) {
  registry reg;
  BOOST_CHECK_THROW(reg.add_gauge("9lives", ""), std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_gauge("kc-dash", ""), std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_gauge("", ""), std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_gauge_family("kc_a", "", {"__x"}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_gauge_family("kc_a", "", {"a:b"}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_gauge_family("kc_a", "", {"x", "x"}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_histogram_family("kc_h", "", {"le"}, {1}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_histogram("kc_h", "", {2, 1}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(
      reg.add_histogram("kc_h", "",
                        {1, std::numeric_limits<double>::infinity()}),
      std::invalid_argument);
  try {
    reg.add_counter("bad name", "");
    BOOST_FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(contains(e.what(), "bad name"));
  }
  // Idempotent for the same definition, an error for a different one.
  auto& g = reg.add_gauge("kc_ok:sub", "");
  BOOST_TEST(&g == &reg.add_gauge("kc_ok:sub", "other help"));
  reg.add_gauge("kc_g_total", "");
  BOOST_CHECK_THROW(reg.add_counter("kc_g", ""), std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_gauge_family("kc_ok:sub", "", {"a"}),
                    std::invalid_argument);
  auto& c = reg.add_counter("kc_c_total", "");
  BOOST_TEST(&c == &reg.add_counter("kc_c", ""));
  reg.add_histogram("kc_lat", "", {1});
  BOOST_CHECK_THROW(reg.add_gauge("kc_lat_count", ""), std::invalid_argument);
  BOOST_CHECK_THROW(reg.add_histogram("kc_lat", "", {2}),
                    std::invalid_argument);
  reg.add_gauge("kc_dur_sum", "");
  BOOST_CHECK_THROW(reg.add_histogram("kc_dur", "", {1}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(callbacks) {
  registry reg;
  double v = 7;
  reg.add_callback(metric_type::gauge, "kc_cb", "Callback.", [&] { return v; });
  reg.add_callback(metric_type::counter, "kc_cb_events", "",
                   [] { return 3.0; });
  reg.add_callback_family(metric_type::gauge, "kc_depth", "", {"controller"},
                          [] {
                            return std::vector<callback_sample>{
                                {{"debugger"}, 2}, {{"pinger"}, 0}, {{}, 9}};
                          });
  reg.add_callback(metric_type::gauge, "kc_throws", "",
                   []() -> double { throw std::runtime_error("x"); });
  v = 8;
  auto text = reg.expose();
  BOOST_TEST(contains(text, "kc_cb 8\n"));
  BOOST_TEST(contains(
      text, "# TYPE kc_cb_events_total counter\nkc_cb_events_total 3\n"));
  BOOST_TEST(contains(text, "kc_depth{controller=\"debugger\"} 2\n"));
  BOOST_TEST(contains(text, "kc_depth{controller=\"pinger\"} 0\n"));
  BOOST_TEST(!contains(text, "kc_depth 9")); // wrong label count is dropped
  BOOST_TEST(!contains(text, "kc_throws"));
  reg.add_callback(metric_type::gauge, "kc_cb", "Callback.",
                   [] { return 1.0; });
  BOOST_TEST(contains(reg.expose(), "kc_cb 1\n")); // replaced
  BOOST_TEST(reg.remove_callback("kc_cb"));
  BOOST_TEST(reg.remove_callback("kc_cb_events"));
  BOOST_TEST(!contains(reg.expose(), "kc_cb"));
  BOOST_CHECK_THROW(
      reg.add_callback(metric_type::histogram, "kc_h", "", [] { return 1.0; }),
      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bucket_helpers) {
  BOOST_TEST(exponential_buckets(1, 2, 4) == (std::vector<double>{1, 2, 4, 8}));
  BOOST_TEST(linear_buckets(0.5, 0.5, 3)
             == (std::vector<double>{0.5, 1.0, 1.5}));
  BOOST_CHECK_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  BOOST_CHECK_THROW(exponential_buckets(1, 1, 3), std::invalid_argument);
  auto rtt = rtt_buckets();
  BOOST_TEST(rtt.front() == 50e-6);
  BOOST_TEST(rtt.back() == 10.0);
  BOOST_TEST(std::is_sorted(rtt.begin(), rtt.end()));
  histogram many{exponential_buckets(1e-6, 1.5, 40)}; // binary-search path
  many.observe(1e-6);
  many.observe(2e-6);
  auto snap = many.collect();
  BOOST_TEST(snap.cumulative[0] == 1u);
  BOOST_TEST(snap.cumulative[2] == 2u); // 1e-6, 1.5e-6, 2.25e-6
  BOOST_TEST(snap.count == 2u);
}

BOOST_AUTO_TEST_CASE(concurrent_updates_while_scraping) {
  registry reg;
  auto& fam = reg.add_counter_family("kc_conc", "", {"worker"});
  auto& hist = reg.add_histogram("kc_conc_seconds", "", rtt_buckets());
  constexpr int threads = 4;
  constexpr int per_thread = 100000;
  std::atomic<bool> done{false};
  std::atomic<int> scrapes{0};
  std::thread scraper([&] {
    while (!done.load()) {
      // No Boost.Test assertions off the main thread (not thread-safe).
      if (reg.expose().find("kc_conc_total") != std::string::npos)
        ++scrapes;
    }
  });
  std::vector<std::thread> workers;
  auto shared = fam.with({"shared"});
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      auto own = fam.with({"w" + std::to_string(t)});
      for (int i = 0; i < per_thread; ++i) {
        shared->inc();
        own->inc();
        hist.observe(0.001 * (i % 100));
        if (i % 1000 == 0) { // churn: create and remove series meanwhile
          auto tmp = "tmp" + std::to_string(t);
          fam.with({tmp})->inc();
          fam.remove({tmp});
        }
      }
    });
  for (auto& w : workers)
    w.join();
  done = true;
  scraper.join();
  BOOST_TEST(shared->value() == double(threads * per_thread));
  BOOST_TEST(hist.collect().count == uint64_t(threads * per_thread));
  BOOST_TEST(scrapes.load() > 0);
  auto text = reg.expose();
  BOOST_TEST(contains(text, "kc_conc_total{worker=\"shared\"} 400000\n"));
  BOOST_TEST(contains(text, "kc_conc_total{worker=\"w3\"} 100000\n"));
  BOOST_TEST(contains(text, "kc_conc_seconds_count 400000\n"));
}

BOOST_AUTO_TEST_SUITE_END()
