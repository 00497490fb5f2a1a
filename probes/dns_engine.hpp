#pragma once

#include "probes/engine.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace kc::probes {

/// DNS probes through c-ares: each probe asks A and AAAA; any answer is
/// success, else NXDOMAIN, SERVFAIL, REFUSED (rcode), refused (no server on
/// the port), no data and timeout are told apart (ADR 0020).
class dns_engine : public probe_engine {
public:
  /// `timeout` bounds each query (one try per server).
  dns_engine(asio::io_context& io, result_sink& sink,
             std::chrono::milliseconds timeout);
  ~dns_engine() override;

  /// Adds `name` resolved through `server`: "" = the system resolv.conf
  /// (with its search list), else "ip", "ip:port" or "[ip6]:port".
  /// Returns the slot, or nullopt with error() set if the server is bad.
  std::optional<uint32_t> add(const std::string& name,
                              const std::string& server);
  /// The last error of add() or of the resolver setup.
  const std::string& error() const {
    return error_;
  }

  struct channel;
  struct query;
  /// c-ares callback glue (public for the C callbacks only).
  void answered(query& q, int status);

private:
  struct target {
    std::string name;
    channel* chan = nullptr;
    uint8_t outstanding = 0;
    outcome best = outcome::timeout;
    int64_t first_ok = 0;
  };

  void send(std::span<const uint32_t> slots) override;
  void shutdown() override;
  channel* channel_for(const std::string& server);
  void tick_resolver();

  std::chrono::milliseconds timeout_;
  std::vector<target> targets_;
  // 2 per slot (generation parity); a deque, so c-ares keeps valid
  // pointers while slots are added at run time.
  std::deque<query> queries_;
  std::map<std::string, std::unique_ptr<channel>> channels_;
  asio::steady_timer resolver_timer_;
  bool ticking_ = false;
  uint64_t outstanding_ = 0;
  std::string error_;
};

} // namespace kc::probes
