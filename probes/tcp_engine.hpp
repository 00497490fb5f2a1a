#pragma once

#include "probes/engine.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace kc::probes {

/// TCP connect probes: success on connect completion (the SYN-ACK), a RST is
/// `refused`, no answer is `timeout`. Every socket is closed with
/// SO_LINGER{1,0} (an RST), so probing never fills TIME_WAIT.
class tcp_engine : public probe_engine {
public:
  tcp_engine(asio::io_context& io, result_sink& sink);
  ~tcp_engine() override;

  /// Adds a target; returns its slot.
  uint32_t add(const asio::ip::tcp::endpoint& ep);

private:
  void send(std::span<const uint32_t> slots) override;
  void expire(uint32_t slot) override;
  void release(uint32_t slot) override {
    expire(slot);
  }
  void shutdown() override;
  void connected(uint32_t slot, uint32_t g,
                 const boost::system::error_code& ec);

  std::vector<asio::ip::tcp::endpoint> endpoints_;
  std::vector<asio::ip::tcp::socket> sockets_;
};

/// Maps a socket error to a probe outcome (refused, unreachable, ...).
outcome outcome_of(const boost::system::error_code& ec);

} // namespace kc::probes
