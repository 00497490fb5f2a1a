// kc-test-labels: integration
// TCP and UDP engines on loopback: listeners the test starts, closed ports.
#include "probes/tcp_engine.hpp"
#include "probes/udp_engine.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include "test/probes/support/collector.hpp"

using namespace kc::probes;
using namespace std::chrono_literals;
namespace ip = boost::asio::ip;

namespace {

// A port nobody listens on: bind, note the port, close.
template <class Proto>
uint16_t closed_port(boost::asio::io_context& io) {
  typename Proto::socket s(
      io, typename Proto::endpoint(ip::make_address("127.0.0.1"), 0));
  return s.local_endpoint().port();
}

} // namespace

BOOST_AUTO_TEST_SUITE(tcp_udp_engine)

BOOST_AUTO_TEST_CASE(tcp_listener_answers_closed_port_refuses) {
  asio::io_context io;
  ip::tcp::acceptor listener(io, {ip::make_address("127.0.0.1"), 0});
  auto open_port = listener.local_endpoint().port();
  auto closed = closed_port<ip::tcp>(io);
  kc::test::collector sink;
  tcp_engine e(io, sink);
  auto good = e.add({ip::make_address("127.0.0.1"), open_port});
  auto bad = e.add({ip::make_address("127.0.0.1"), closed});
  bool finished = false;
  e.on_finished([&] { finished = true; });
  e.start({100ms, 100ms, 3});
  io.run_for(10s);
  BOOST_TEST(finished);
  BOOST_REQUIRE_EQUAL(sink.all.size(), 6u);
  for (auto& r : sink.all) {
    if (r.slot == good) {
      BOOST_TEST((r.result == outcome::ok));
      BOOST_TEST(r.rtt_ns > 0);
    } else {
      BOOST_TEST(r.slot == bad);
      BOOST_TEST((r.result == outcome::refused));
    }
  }
}

BOOST_AUTO_TEST_CASE(udp_echo_responder_answers_closed_port_refuses) {
  asio::io_context io;
  udp_echo_responder echo(io, {ip::make_address("127.0.0.1"), 0});
  auto closed = closed_port<ip::udp>(io);
  kc::test::collector sink;
  udp_engine e(io, sink);
  auto good = e.add({ip::make_address("127.0.0.1"), echo.port()});
  auto bad = e.add({ip::make_address("127.0.0.1"), closed});
  e.start({100ms, 100ms, 3});
  io.run_for(6s);
  BOOST_REQUIRE_EQUAL(sink.all.size(), 6u);
  for (auto& r : sink.all)
    BOOST_TEST((r.result == (r.slot == good ? outcome::ok : outcome::refused)),
               "slot " << r.slot << ": " << to_string(r.result));
  BOOST_TEST(echo.echoed() == 3u);
  (void)bad;
}

BOOST_AUTO_TEST_CASE(udp_silent_service_times_out) {
  asio::io_context io;
  ip::udp::socket silent(io, {ip::make_address("127.0.0.1"), 0});
  kc::test::collector sink;
  udp_engine e(io, sink);
  e.add({ip::make_address("127.0.0.1"), silent.local_endpoint().port()});
  e.start({100ms, 50ms, 2});
  io.run_for(10s);
  BOOST_TEST(sink.count(outcome::timeout) == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
