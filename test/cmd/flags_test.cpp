#include "cmd/flags.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::cmd;

BOOST_AUTO_TEST_SUITE(flags)

BOOST_AUTO_TEST_CASE(parses_every_form) {
  std::string listen = "127.0.0.1:6443";
  int64_t nodes = 3;
  bool insecure = false;
  bool metrics = true;
  flag_set f("sim", "test");
  f.add("listen", &listen, "");
  f.add("nodes", &nodes, "", 0, 1000);
  f.add("insecure-http", &insecure, "");
  f.add("enable-metrics", &metrics, "");
  auto rc = f.parse({"--listen", "127.0.0.2:1", "--nodes=5", "--insecure-http",
                     "--enable-metrics=False", "extra"});
  BOOST_CHECK(!rc);
  BOOST_CHECK_EQUAL(listen, "127.0.0.2:1");
  BOOST_CHECK_EQUAL(nodes, 5);
  BOOST_CHECK(insecure);
  BOOST_CHECK(!metrics);
  BOOST_REQUIRE_EQUAL(f.positional().size(), 1u);
  BOOST_CHECK_EQUAL(f.positional()[0], "extra");
}

BOOST_AUTO_TEST_CASE(bad_flags_exit_two) {
  int64_t nodes = 3;
  bool b = false;
  flag_set f("sim", "test");
  f.add("nodes", &nodes, "", 0, 1000);
  f.add("b", &b, "");
  BOOST_CHECK_EQUAL(f.parse({"--nope"}).value_or(-1), 2);
  BOOST_CHECK_EQUAL(f.parse({"--nodes", "x"}).value_or(-1), 2);
  BOOST_CHECK_EQUAL(f.parse({"--nodes", "-1"}).value_or(-1), 2);
  BOOST_CHECK_EQUAL(f.parse({"--nodes"}).value_or(-1), 2);
  BOOST_CHECK_EQUAL(f.parse({"--b=maybe"}).value_or(-1), 2);
  BOOST_CHECK_EQUAL(nodes, 3);
}

BOOST_AUTO_TEST_CASE(help_exits_zero) {
  flag_set f("sim", "test");
  BOOST_CHECK_EQUAL(f.parse({"--help"}).value_or(-1), 0);
  BOOST_CHECK(f.usage().find("--help") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parse_bool_matches_go) {
  for (auto t : {"1", "t", "T", "true", "True", "TRUE"})
    BOOST_CHECK(parse_bool(t).value_or(false));
  for (auto t : {"0", "f", "F", "false", "False", "FALSE"})
    BOOST_CHECK(!parse_bool(t).value_or(true));
  BOOST_CHECK(!parse_bool("yes"));
}

BOOST_AUTO_TEST_SUITE_END()
