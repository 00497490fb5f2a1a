// Target syntax of `kubecombo pinger` (CONTRACT.md).
#include "probes/target.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace kc::probes;

BOOST_AUTO_TEST_SUITE(target)

BOOST_AUTO_TEST_CASE(good_entries_of_each_protocol) {
  target_spec t;
  std::string err;
  BOOST_TEST(parse_target(protocol::icmp, " 10.0.0.1 ", t, err));
  BOOST_TEST(t.host == "10.0.0.1");
  BOOST_TEST(parse_target(protocol::icmp, "fd00::1", t, err));
  BOOST_TEST(parse_target(protocol::icmp, "node-1.example.com", t, err));
  BOOST_TEST(parse_target(protocol::tcp, "127.0.0.1:8080", t, err));
  BOOST_TEST((t.host == "127.0.0.1" && t.port == 8080));
  BOOST_TEST(parse_target(protocol::udp, "[::1]:53", t, err));
  BOOST_TEST((t.host == "::1" && t.port == 53));
  BOOST_TEST(parse_target(protocol::tcp, "kubernetes.default:443", t, err));
  BOOST_TEST(parse_target(protocol::dns, "kubernetes.default", t, err));
  BOOST_TEST((t.host == "kubernetes.default" && t.server.empty()));
  BOOST_TEST(parse_target(protocol::dns, "example.com@127.0.0.53", t, err));
  BOOST_TEST(t.server == "127.0.0.53");
  BOOST_TEST(
      parse_target(protocol::dns, "example.com@127.0.0.53:5353", t, err));
  BOOST_TEST(t.server == "127.0.0.53:5353");
  BOOST_TEST(parse_target(protocol::dns, "example.com@[::1]:5353", t, err));
  BOOST_TEST(t.server == "[::1]:5353");
  BOOST_TEST(parse_target(protocol::dns, "example.com@::1", t, err));
  BOOST_TEST(t.server == "[::1]:53");
}

BOOST_AUTO_TEST_CASE(bad_entries_are_named_with_a_reason) {
  target_spec t;
  std::string err;
  BOOST_TEST(!parse_target(protocol::tcp, "10.0.0.1", t, err));
  BOOST_TEST(err == "missing ':PORT'");
  BOOST_TEST(!parse_target(protocol::tcp, "10.0.0.1:70000", t, err));
  BOOST_TEST(err.find("1..65535") != std::string::npos);
  BOOST_TEST(!parse_target(protocol::udp, "10.0.0.1:0", t, err));
  BOOST_TEST(!parse_target(protocol::udp, "10.0.0.1:x", t, err));
  BOOST_TEST(!parse_target(protocol::tcp, "::1:80", t, err));
  BOOST_TEST(err.find("[ADDRESS]:PORT") != std::string::npos);
  BOOST_TEST(!parse_target(protocol::icmp, "bad host!", t, err));
  BOOST_TEST(!parse_target(protocol::dns, "a..b", t, err));
  BOOST_TEST(!parse_target(protocol::dns, "example.com@dns.server", t, err));
  BOOST_TEST(!parse_target(protocol::tcp, "[::1:80", t, err));
}

BOOST_AUTO_TEST_CASE(lists_keep_good_entries_and_name_bad_ones) {
  auto l = parse_target_list(protocol::tcp,
                             " 127.0.0.1:80 , ,bad, 127.0.0.2:99999,[::1]:22,");
  BOOST_TEST(l.good.size() == 2u);
  BOOST_REQUIRE_EQUAL(l.errors.size(), 2u);
  BOOST_TEST(l.errors[0] == "--tcpping: bad target \"bad\": missing ':PORT'");
  BOOST_TEST(l.errors[1].find("127.0.0.2:99999") != std::string::npos);
  // Empty lists produce nothing (upstream P2: no phantom "" target).
  BOOST_TEST(parse_target_list(protocol::udp, "").good.empty());
  BOOST_TEST(parse_target_list(protocol::udp, "").errors.empty());
}

BOOST_AUTO_TEST_CASE(at_file_reads_one_target_per_line) {
  std::string path = "/tmp/kc-target-test-" + std::to_string(::getpid());
  {
    std::ofstream out(path);
    out << "# peers\n10.0.0.1\n\n  10.0.0.2  \nnot valid!\n";
  }
  auto l = parse_target_list(protocol::icmp, "10.0.0.3,@" + path);
  std::remove(path.c_str());
  BOOST_TEST(l.good.size() == 3u);
  BOOST_REQUIRE_EQUAL(l.errors.size(), 1u);
  BOOST_TEST(l.errors[0].find(path + ":5") != std::string::npos);
  auto missing = parse_target_list(protocol::icmp, "@/nonexistent/kc");
  BOOST_REQUIRE_EQUAL(missing.errors.size(), 1u);
  BOOST_TEST(missing.errors[0].find("cannot read") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
