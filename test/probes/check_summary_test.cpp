// The pure formatting of check results: node summary YAML, pod-log lines,
// errlog entries, result-line parsing and UTF-8 sanitising.

#include "probes/check_report.hpp"
#include "probes/process.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::checks;
using namespace std::chrono_literals;

namespace {

check_result result(std::string cat, std::string name, check_status s,
                    std::vector<check_item> items,
                    std::chrono::milliseconds d = 120ms) {
  check_result r;
  r.spec = {std::move(cat), std::move(name), "/scripts/x", {}};
  r.status = s;
  r.items = std::move(items);
  r.duration = d;
  r.exit_code = s == check_status::ok ? 0 : 1;
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(check_summary)

BOOST_AUTO_TEST_CASE(summary_has_contract_shape) {
  std::vector<check_result> rs = {
      result("net", "link", check_status::problem,
             {{"eth0", ""}, {"eth2", "link down"}}),
      result("disk", "usage", check_status::problem,
             {{"sdb1", "disk full"}, {"sdb2", ""}}),
      result("mem", "usage", check_status::ok, {}),
  };
  BOOST_CHECK_EQUAL(node_summary_yaml(rs), "disk:\n"
                                           "  sdb1:\n"
                                           "    err: \"disk full\"\n"
                                           "  sdb2: {}\n"
                                           "net:\n"
                                           "  eth0: {}\n"
                                           "  eth2:\n"
                                           "    err: \"link down\"\n"
                                           "mem:\n"
                                           "  usage: {}\n");
}

BOOST_AUTO_TEST_CASE(
    items_merge_across_checks_and_custom_sorts_after_builtins) {
  std::vector<check_result> rs = {
      result("custom", "a.sh", check_status::ok, {}),
      result("disk", "usage", check_status::problem, {{"sdb1", "disk full"}}),
      result("disk", "inodes", check_status::problem,
             {{"sdb1", "inodes full"}, {"sda1", ""}}),
      result("disk", "ro", check_status::ok, {{"sdb1", ""}}),
      result("zzz", "x", check_status::ok, {}),
  };
  BOOST_CHECK_EQUAL(node_summary_yaml(rs),
                    "disk:\n"
                    "  sdb1:\n"
                    "    err: \"disk full; inodes full\"\n"
                    "  sda1: {}\n"
                    "custom:\n"
                    "  a.sh: {}\n"
                    "zzz:\n"
                    "  x: {}\n");
}

BOOST_AUTO_TEST_CASE(values_and_odd_keys_are_quoted) {
  std::vector<check_result> rs = {result("svc", "p", check_status::problem,
                                         {{"true", "say \"hi\"\nback\\slash"},
                                          {"123", ""},
                                          {"/var/lib", ""},
                                          {"a:b", ""}})};
  BOOST_CHECK_EQUAL(node_summary_yaml(rs),
                    "svc:\n"
                    "  \"true\":\n"
                    "    err: \"say \\\"hi\\\"\\nback\\\\slash\"\n"
                    "  \"123\": {}\n"
                    "  /var/lib: {}\n"
                    "  \"a:b\": {}\n");
}

BOOST_AUTO_TEST_CASE(summary_is_bounded_errors_first) {
  std::vector<check_item> items;
  for (int i = 0; i < 500; ++i)
    items.push_back({"ok" + std::to_string(i), ""});
  for (int i = 0; i < 500; ++i)
    items.push_back({"bad" + std::to_string(i), std::string(150, 'x')});
  std::vector<check_result> rs
      = {result("disk", "usage", check_status::problem, items),
         result("net", "link", check_status::ok, {{"eth0", ""}})};
  summary_limits lim;
  lim.max_bytes = 4096;
  lim.max_error = 100;
  auto y = node_summary_yaml(rs, lim);
  BOOST_CHECK_LE(y.size(), 4096u);
  BOOST_CHECK(y.find("ok0") == std::string::npos);
  BOOST_CHECK(y.find("bad0:\n    err: \"" + std::string(97, 'x') + "...\"")
              != std::string::npos);
  BOOST_CHECK(y.find("_truncated: \"") != std::string::npos);
  BOOST_CHECK(y.find("\nnet:")
              != std::string::npos); // every category that ran stays
  // Fine items alone fit: dropped, errors kept whole.
  lim.max_bytes = 1 << 20;
  BOOST_CHECK(node_summary_yaml(rs, lim).find("ok499: {}")
              != std::string::npos);
}

BOOST_AUTO_TEST_CASE(log_lines_are_one_readable_line) {
  BOOST_CHECK_EQUAL(log_line(result("disk", "usage", check_status::ok, {})),
                    "disk/usage ok 0.12s");
  BOOST_CHECK_EQUAL(
      log_line(result("net", "link", check_status::problem,
                      {{"eth0", ""}, {"eth2", "link down"}}, 50ms)),
      "net/link PROBLEM eth2: link down (1 item) 0.05s");
  auto u = result("svc", "x", check_status::unknown, {}, 30000ms);
  u.reason = "timed out after 30s";
  BOOST_CHECK_EQUAL(log_line(u), "svc/x UNKNOWN timed out after 30s 30.00s");
  std::vector<check_item> many;
  for (int i = 0; i < 40; ++i)
    many.push_back({"eth" + std::to_string(i), "link down"});
  auto line = log_line(result("net", "link", check_status::problem, many));
  BOOST_CHECK(line.find('\n') == std::string::npos);
  BOOST_CHECK_LE(line.size(), 240u);
  BOOST_CHECK(line.find("more (40 items)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(errlog_entry_has_command_status_and_output) {
  auto r
      = result("disk", "usage", check_status::problem, {{"sdb1", "disk full"}});
  r.output = "sdb1: disk full\n";
  r.output_dropped = 10;
  BOOST_CHECK_EQUAL(
      errlog_entry(r, "2026-11-28T16:00:00Z"),
      "=== disk/usage PROBLEM at 2026-11-28T16:00:00Z (exit 1, 0.12s)\n"
      "$ /scripts/x\n"
      "sdb1: disk full\n"
      "[output truncated: 10 more bytes]\n\n");
}

BOOST_AUTO_TEST_CASE(result_lines_parse_per_contract) {
  auto items = parse_items("free text here\n"
                           "sdb1: disk full\r\n"
                           "sda1: ok\n"
                           "two words: not an item\n"
                           ": empty\n"
                           "eth0:nospace\n"
                           "sdb1: inodes full\n"
                           "http://x: bad\n");
  std::vector<check_item> expected
      = {{"sdb1", "disk full; inodes full"}, {"sda1", ""}, {"http://x", "bad"}};
  BOOST_CHECK((items == expected));
}

BOOST_AUTO_TEST_CASE(sanitize_keeps_valid_utf8_and_replaces_the_rest) {
  BOOST_CHECK_EQUAL(
      sanitize_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n"),
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\n");
  BOOST_CHECK_EQUAL(sanitize_utf8(std::string("a\0b\x1b\xff\xc0\xaf\r\n", 9)),
                    "a\xEF\xBF\xBD"
                    "b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\n");
  BOOST_CHECK_EQUAL(sanitize_utf8("\xED\xA0\x80"),
                    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  BOOST_CHECK_EQUAL(sanitize_utf8("trunc \xE2\x82"),
                    "trunc \xEF\xBF\xBD\xEF\xBF\xBD");
  // Bytes that never start a sequence, even before continuation bytes.
  std::string eight;
  for (int i = 0; i < 8; ++i)
    eight += "\xEF\xBF\xBD";
  BOOST_CHECK_EQUAL(sanitize_utf8("\xFE\x80\x80\xF8\x88\x80\x80\x80"), eight);
  BOOST_CHECK_EQUAL(sanitize_utf8("\xF5\x80\x80\x80"),
                    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(classify_follows_adr_0040) {
  check_result r;
  r.spec = {"custom", "npd.sh", "/x", {}};
  r.exit_code = 1;
  r.output = "";
  classify(r, "");
  BOOST_CHECK(r.status == check_status::problem);
  BOOST_CHECK(
      (r.items == std::vector<check_item>{{"npd.sh", "exit status 1"}}));
  r.exit_code = 0;
  classify(r, "x: ok\n");
  BOOST_CHECK(r.status == check_status::ok);
  r.exit_code = 127;
  r.output = "sh: foo: not found\n";
  classify(r, "");
  BOOST_CHECK(r.status == check_status::unknown);
  BOOST_CHECK_EQUAL(r.reason, "exit status 127: sh: foo: not found");
}

BOOST_AUTO_TEST_SUITE_END()
