// Structured logging: text and JSON lines, levels, verbosity, escaping.

#include "telemetry/logging.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <spdlog/sinks/ostream_sink.h>

#include <regex>
#include <sstream>

using namespace kc::telemetry;

namespace {

struct capture {
  std::ostringstream out;
  explicit capture(log_format format, int verbosity = 0) {
    init_logging({format, verbosity,
                  std::make_shared<spdlog::sinks::ostream_sink_mt>(out)});
  }
  ~capture() {
    init_logging({}); // back to text on stderr
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in{out.str()};
    for (std::string line; std::getline(in, line);)
      result.push_back(line);
    return result;
  }
};

/// A stand-in for an actor pointer: anything with ->name().
struct fake_actor {
  const char* name() const {
    return "pinger/default/p1";
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(logging)

BOOST_AUTO_TEST_CASE(text_lines) {
  capture cap{log_format::text};
  KC_INFO("pinger/default/p1", {{"key", "default/p1"}, {"reconcile_id", 17}},
          "target up after {} probes", 3);
  KC_WARN("admin", "plain {}", "message");
  KC_DEBUG("admin", "not shown at -v 0 {}", 1);
  auto lines = cap.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  std::regex first{R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  )"
                   R"(actor=pinger/default/p1 key=default/p1 reconcile_id=17 )"
                   R"(target up after 3 probes$)"};
  BOOST_TEST(std::regex_match(lines[0], first), lines[0]);
  BOOST_TEST(lines[1].find(" WARN  actor=admin plain message")
                 != std::string::npos,
             lines[1]);
}

BOOST_AUTO_TEST_CASE(text_quoting_keeps_one_line) {
  capture cap{log_format::text};
  KC_ERROR("x", {{"err", "disk \"full\""}, {"empty", ""}}, "two\nlines");
  auto lines = cap.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(lines[0].find(R"(actor=x err="disk \"full\"" empty="" two\nlines)")
                 != std::string::npos,
             lines[0]);
}

BOOST_AUTO_TEST_CASE(json_lines) {
  capture cap{log_format::json, 2};
  fake_actor actor;
  const fake_actor* self = &actor;
  KC_TRACE(self, {{"key", "a\"b"}}, "rtt {:.1f} ms\n", 1.25);
  spdlog::info("from plain spdlog"); // same sink, same format
  auto lines = cap.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 2u);
  boost::system::error_code ec;
  auto v = boost::json::parse(lines[0], ec);
  BOOST_REQUIRE_MESSAGE(!ec, lines[0]);
  auto& o = v.as_object();
  BOOST_TEST(o.at("level").as_string() == "trace");
  BOOST_TEST(o.at("actor").as_string() == "pinger/default/p1");
  BOOST_TEST(o.at("msg").as_string() == "rtt 1.2 ms\n");
  BOOST_TEST(o.at("key").as_string() == "a\"b");
  BOOST_TEST(
      std::regex_match(std::string{o.at("ts").as_string()},
                       std::regex{R"(\d{4}-\d\d-\d\dT[\d:]{8}\.\d{3}Z)"}));
  auto w = boost::json::parse(lines[1], ec);
  BOOST_REQUIRE_MESSAGE(!ec, lines[1]);
  BOOST_TEST(w.as_object().at("msg").as_string() == "from plain spdlog");
  BOOST_TEST(w.as_object().at("level").as_string() == "info");
}

BOOST_AUTO_TEST_CASE(json_escapes_control_and_bad_utf8) {
  capture cap{log_format::json};
  KC_INFO("c", "tab\there \x01 bad\xff");
  auto lines = cap.lines();
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  boost::system::error_code ec;
  auto v = boost::json::parse(lines[0], ec);
  BOOST_REQUIRE_MESSAGE(!ec, lines[0]);
  BOOST_TEST(v.as_object().at("msg").as_string()
             == "tab\there \x01 bad\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(verbosity_and_formats) {
  BOOST_TEST(level_for_verbosity(0) == spdlog::level::info);
  BOOST_TEST(level_for_verbosity(1) == spdlog::level::debug);
  BOOST_TEST(level_for_verbosity(5) == spdlog::level::trace);
  BOOST_TEST((parse_log_format("json") == log_format::json));
  BOOST_TEST((parse_log_format("text") == log_format::text));
  BOOST_TEST(!parse_log_format("yaml").has_value());
  capture cap{log_format::text, 1};
  BOOST_TEST(log_enabled(spdlog::level::debug));
  BOOST_TEST(!log_enabled(spdlog::level::trace));
  int evaluated = 0;
  KC_TRACE("c", "{}", ++evaluated); // arguments not evaluated when disabled
  BOOST_TEST(evaluated == 0);
  KC_DEBUG("c", "{}", ++evaluated);
  BOOST_TEST(evaluated == 1);
  BOOST_TEST(cap.lines().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
