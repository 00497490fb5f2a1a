// kc-test-labels: integration root
// The ICMP engine against loopback: one shared socket, many targets.
#include "probes/icmp_engine.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include "test/probes/support/collector.hpp"

using namespace kc::probes;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(icmp_engine)

BOOST_AUTO_TEST_CASE(loopback_targets_share_one_socket_and_all_answer) {
  if (geteuid() != 0) {
    BOOST_TEST_MESSAGE("SKIP: needs root (raw ICMP socket)");
    return;
  }
  asio::io_context io;
  kc::test::collector sink;
  kc::probes::icmp_engine e(io, sink, kc::probes::icmp_engine::mode::raw);
  BOOST_REQUIRE_MESSAGE(e.error().empty(), e.error());
  BOOST_TEST(e.socket_kind(false) == "raw");
  for (int i = 1; i <= 200; ++i)
    e.add(asio::ip::make_address("127.0.1." + std::to_string(i % 250 + 1)));
  e.add(asio::ip::make_address("::1"));
  bool finished = false;
  e.on_finished([&] { finished = true; });
  e.start({200ms, 200ms, 3});
  io.run_for(20s);
  BOOST_TEST(finished);
  BOOST_TEST(sink.all.size() == 3u * 201u);
  BOOST_TEST(sink.count(outcome::ok) == 3u * 201u);
  for (auto& r : sink.all) {
    BOOST_TEST(r.rtt_ns > 0);
    BOOST_TEST(r.rtt_ns < 200'000'000);
    BOOST_TEST(r.ttl == 64u);
  }
  BOOST_TEST(e.counters().late == 0u);
}

BOOST_AUTO_TEST_CASE(two_engines_do_not_steal_each_others_replies) {
  if (geteuid() != 0) {
    BOOST_TEST_MESSAGE("SKIP: needs root (raw ICMP socket)");
    return;
  }
  asio::io_context io;
  kc::test::collector a_sink, b_sink;
  kc::probes::icmp_engine a(io, a_sink), b(io, b_sink);
  for (int i = 0; i < 50; ++i) {
    a.add(asio::ip::make_address("127.0.2.1"));
    b.add(asio::ip::make_address("127.0.2.1"));
  }
  a.start({100ms, 100ms, 2});
  b.start({100ms, 100ms, 2});
  io.run_for(20s);
  BOOST_TEST(a_sink.count(outcome::ok) == 100u);
  BOOST_TEST(b_sink.count(outcome::ok) == 100u);
  BOOST_TEST(a.counters().late + b.counters().late == 0u);
}

BOOST_AUTO_TEST_CASE(datagram_socket_works_when_the_group_is_allowed) {
  kc::test::collector sink;
  asio::io_context io;
  kc::probes::icmp_engine e(io, sink, kc::probes::icmp_engine::mode::datagram);
  if (!e.error().empty()) {
    BOOST_TEST_MESSAGE("SKIP: " << e.error());
    BOOST_TEST(e.error().find("ping_group_range") != std::string::npos);
    return;
  }
  e.add(asio::ip::make_address("127.0.0.1"));
  e.start({100ms, 100ms, 2});
  io.run_for(10s);
  BOOST_TEST(sink.count(outcome::ok) == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
