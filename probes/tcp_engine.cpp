#include "probes/tcp_engine.hpp"

#include <boost/asio/error.hpp>

namespace kc::probes {

outcome outcome_of(const boost::system::error_code& ec) {
  namespace e = asio::error;
  if (!ec)
    return outcome::ok;
  if (ec == e::connection_refused || ec == e::connection_reset)
    return outcome::refused;
  if (ec == e::host_unreachable || ec == e::network_unreachable)
    return outcome::unreachable;
  if (ec == e::timed_out)
    return outcome::timeout;
  return outcome::send_error;
}

tcp_engine::tcp_engine(asio::io_context& io, result_sink& sink)
  : probe_engine(io, protocol::tcp, sink) {}

tcp_engine::~tcp_engine() = default;

uint32_t tcp_engine::add(const asio::ip::tcp::endpoint& ep) {
  endpoints_.push_back(ep);
  sockets_.emplace_back(io_);
  return add_slot();
}

void tcp_engine::send(std::span<const uint32_t> slots) {
  for (auto s : slots) {
    auto& sock = sockets_[s];
    boost::system::error_code ec;
    if (sock.is_open())
      sock.close(ec);
    sock.open(endpoints_[s].protocol(), ec);
    if (!ec)
      sock.set_option(asio::socket_base::linger(true, 0), ec);
    if (ec) {
      failed(s, outcome::send_error);
      continue;
    }
    sent(s, real_now_ns());
    sock.async_connect(endpoints_[s], [this, s, g = gen(s)](
                                          const boost::system::error_code& ec) {
      connected(s, g, ec);
    });
  }
  flush_if_urgent();
}

void tcp_engine::connected(uint32_t s, uint32_t g,
                           const boost::system::error_code& ec) {
  if (ec == asio::error::operation_aborted)
    return; // closed by expire() or shutdown()
  int64_t rtt = real_now_ns() - sent_at(s);
  boost::system::error_code ignored;
  sockets_[s].close(ignored); // linger 0: RST, no TIME_WAIT
  complete(s, g, outcome_of(ec), rtt);
  flush_if_urgent();
}

void tcp_engine::expire(uint32_t s) {
  boost::system::error_code ignored;
  sockets_[s].close(ignored);
}

void tcp_engine::shutdown() {
  boost::system::error_code ignored;
  for (auto& s : sockets_)
    s.close(ignored);
}

} // namespace kc::probes
