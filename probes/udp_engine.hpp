#pragma once

#include "probes/engine.hpp"

#include <boost/asio/ip/udp.hpp>

#include <array>

namespace kc::probes {

/// UDP probes over one connected socket per target. A reply datagram is
/// success (the echo responder returns ours unchanged; any other reply
/// counts too), ICMP port unreachable (ECONNREFUSED on a connected socket)
/// is `refused`, nothing is `timeout`.
class udp_engine : public probe_engine {
public:
  udp_engine(asio::io_context& io, result_sink& sink);
  ~udp_engine() override;

  /// Adds a target; returns its slot.
  uint32_t add(const asio::ip::udp::endpoint& ep);

private:
  struct target {
    explicit target(asio::io_context& io) : sock(io) {}
    asio::ip::udp::socket sock;
    std::array<uint8_t, 64> buf{};
    bool receiving = false;
  };

  void send(std::span<const uint32_t> slots) override;
  void shutdown() override;
  void release(uint32_t slot) override;
  bool open(uint32_t slot);
  void receive(uint32_t slot);

  std::vector<asio::ip::udp::endpoint> endpoints_;
  std::vector<std::unique_ptr<target>> targets_;
  uint32_t cookie_;
};

/// Answers every datagram with itself: the peer side of UDP probes.
class udp_echo_responder {
public:
  /// Binds `ep` (port 0 = any free port); throws on failure.
  udp_echo_responder(asio::io_context& io, const asio::ip::udp::endpoint& ep);
  /// The bound port.
  uint16_t port() const;
  /// Datagrams echoed so far.
  uint64_t echoed() const {
    return echoed_;
  }
  void close();

private:
  void wait();
  asio::ip::udp::socket sock_;
  std::array<uint8_t, 2048> buf_{};
  uint64_t echoed_ = 0;
};

} // namespace kc::probes
