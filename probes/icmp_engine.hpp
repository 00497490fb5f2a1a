#pragma once

#include "probes/engine.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>
#include <string>

namespace kc::probes {

/// ICMP echo for any number of targets over ONE socket per family (ADR 0020).
///
/// Raw sockets when allowed (in-kernel BPF keeps other pingers' replies
/// out), else unprivileged ICMP datagram sockets, else disabled: every
/// probe then fails with `outcome::disabled` and `error()` says why.
/// The payload carries a cookie, the slot and its generation, so replies
/// are matched whatever the sequence number, and late replies never count.
class icmp_engine : public probe_engine {
public:
  /// How the engine opens its sockets.
  enum class mode { automatic, raw, datagram };

  icmp_engine(asio::io_context& io, result_sink& sink,
              mode m = mode::automatic);
  ~icmp_engine() override;

  /// Adds a target; returns its slot.
  uint32_t add(const asio::ip::address& addr);
  /// Returns "" or why ICMP (for a family) is unavailable.
  const std::string& error() const {
    return error_;
  }
  /// "raw", "datagram" or "disabled" for IPv4 / IPv6.
  std::string_view socket_kind(bool v6) const;

private:
  struct family;
  struct target {
    uint8_t v6 = 0;
    uint8_t addr[16] = {};
  };

  void send(std::span<const uint32_t> slots) override;
  void shutdown() override;
  void send_family(family& f, std::span<const uint32_t> slots);
  void wait(family& f);
  void receive(family& f);
  void handle(family& f, const uint8_t* data, size_t len, int64_t rx_ns,
              int ttl);

  std::vector<target> targets_;
  std::unique_ptr<family> v4_, v6_;
  std::string error_;
  uint32_t cookie_;
  uint16_t ident_;
};

} // namespace kc::probes
