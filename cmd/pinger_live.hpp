#pragma once

// Live changes of a running pinger_session from the agent's actors
// (DISCOVERY, CONFIG; ADR 0023). The engines are single-threaded on the io
// thread: before the io loop runs, calls go to the session directly (under
// a mutex); afterwards they are posted onto the io thread, and put() waits
// (≤ 2 s) for the slot.

#include "cmd/pinger_session.hpp"

#include <mutex>
#include <optional>
#include <string>

namespace kc::cmd {

/// Thread-safe front of one pinger_session's live changes.
class live_session {
public:
  live_session(boost::asio::io_context& io, pinger_session& session);

  /// Adds (or resumes) the target `label` of `proto`; returns its slot, or
  /// nullopt and one error line.
  std::optional<uint32_t> put(uint8_t proto, const std::string& label,
                              std::string& error, uint8_t kind = 0);
  /// Stops probing `slot` of `proto`.
  void drop(uint8_t proto, uint32_t slot);
  /// New interval and timeout for every engine.
  void reschedule(probes::schedule s);
  /// Starts the session's engines (main thread); later calls are posted.
  std::vector<std::string> start();
  /// No further calls reach the session (put() answers nullopt).
  void stop();

private:
  boost::asio::io_context& io_;
  pinger_session& session_;
  std::mutex mtx_;
  bool running_ = false, stopped_ = false;
};

} // namespace kc::cmd
