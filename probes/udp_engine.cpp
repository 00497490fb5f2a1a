#include "probes/udp_engine.hpp"

#include "probes/tcp_engine.hpp"

#include <cstring>
#include <random>

namespace kc::probes {

namespace {

constexpr uint32_t magic = 0x6b635550; // "kcUP"
constexpr size_t payload_len = 16;     // magic, cookie, slot, gen

uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

} // namespace

udp_engine::udp_engine(asio::io_context& io, result_sink& sink)
  : probe_engine(io, protocol::udp, sink), cookie_(std::random_device{}()) {}

udp_engine::~udp_engine() = default;

uint32_t udp_engine::add(const asio::ip::udp::endpoint& ep) {
  endpoints_.push_back(ep);
  targets_.push_back(std::make_unique<target>(io_));
  return add_slot();
}

bool udp_engine::open(uint32_t s) {
  auto& t = *targets_[s];
  if (t.sock.is_open())
    return true;
  boost::system::error_code ec;
  t.sock.open(endpoints_[s].protocol(), ec);
  if (!ec)
    t.sock.non_blocking(true, ec);
  if (!ec)
    t.sock.connect(endpoints_[s], ec);
  if (ec) {
    t.sock.close(ec);
    return false;
  }
  return true;
}

void udp_engine::send(std::span<const uint32_t> slots) {
  for (auto s : slots) {
    if (!open(s)) {
      failed(s, outcome::send_error);
      continue;
    }
    auto& t = *targets_[s];
    uint8_t p[payload_len];
    uint32_t g = gen(s);
    std::memcpy(p, &magic, 4);
    std::memcpy(p + 4, &cookie_, 4);
    std::memcpy(p + 8, &s, 4);
    std::memcpy(p + 12, &g, 4);
    auto now = real_now_ns();
    boost::system::error_code ec;
    for (int attempt = 0; attempt < 2; ++attempt) {
      // A queued ICMP error of an earlier probe surfaces on the next send.
      t.sock.send(asio::buffer(p), 0, ec);
      if (ec != asio::error::connection_refused)
        break;
    }
    if (ec) {
      failed(s, outcome_of(ec) == outcome::unreachable ? outcome::unreachable
                                                       : outcome::send_error);
      continue;
    }
    sent(s, now);
    receive(s);
  }
  flush_if_urgent();
}

void udp_engine::receive(uint32_t s) {
  auto& t = *targets_[s];
  if (t.receiving)
    return;
  t.receiving = true;
  t.sock.async_receive(
      asio::buffer(t.buf),
      [this, s](const boost::system::error_code& ec, size_t n) {
        auto& t = *targets_[s];
        t.receiving = false;
        if (ec == asio::error::operation_aborted) {
          // Closed by release(); a resumed slot may have reopened it.
          if (running() && t.sock.is_open() && active(s))
            receive(s);
          return;
        }
        if (!running())
          return;
        int64_t rtt = real_now_ns() - sent_at(s);
        if (ec) {
          ++counters_.recv_errors;
          auto o = outcome_of(ec);
          complete(s, gen(s), o == outcome::send_error ? outcome::refused : o,
                   -1);
        } else if (n >= payload_len && load32(t.buf.data()) == magic
                   && load32(t.buf.data() + 4) == cookie_) {
          complete(s, load32(t.buf.data() + 12), outcome::ok, rtt);
        } else {
          complete(s, gen(s), outcome::ok, rtt); // another service's reply
        }
        flush_if_urgent();
        if (running())
          receive(s);
      });
}

void udp_engine::release(uint32_t s) {
  boost::system::error_code ignored;
  targets_[s]->sock.close(ignored);
}

void udp_engine::shutdown() {
  boost::system::error_code ignored;
  for (auto& t : targets_)
    t->sock.close(ignored);
}

udp_echo_responder::udp_echo_responder(asio::io_context& io,
                                       const asio::ip::udp::endpoint& ep)
  : sock_(io, ep) {
  sock_.non_blocking(true);
  wait();
}

uint16_t udp_echo_responder::port() const {
  return sock_.local_endpoint().port();
}

void udp_echo_responder::close() {
  boost::system::error_code ignored;
  sock_.close(ignored);
}

void udp_echo_responder::wait() {
  sock_.async_wait(
      asio::socket_base::wait_read,
      [this](const boost::system::error_code& ec) {
        if (ec)
          return;
        // Drain what is queued; bounded so peers cannot starve us.
        for (int i = 0; i < 256; ++i) {
          asio::ip::udp::endpoint from;
          boost::system::error_code rec;
          size_t n = sock_.receive_from(asio::buffer(buf_), from, 0, rec);
          if (rec == asio::error::would_block)
            break;
          if (rec)
            continue;
          sock_.send_to(asio::buffer(buf_.data(), n), from, 0, rec);
          echoed_ += !rec;
        }
        wait();
      });
}

} // namespace kc::probes
