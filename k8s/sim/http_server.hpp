#pragma once

// The HTTP(S) front of the control plane: a Boost.Beast listener on an
// io_context with a few threads, one strand per connection, TLS optional.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace kc::sim {

class control_plane;

/// Accepts connections and runs one session per connection.
class http_server {
public:
  /// With `tls`, serves HTTPS using the control plane's certificates and
  /// authenticates bearer tokens and client certificates.
  http_server(control_plane& cp, bool tls);
  ~http_server();

  /// Binds HOST:PORT (port 0 = ephemeral) and returns the bound port.
  /// Throws std::runtime_error.
  uint16_t listen(const std::string& host, uint16_t port);

  /// Starts accepting on `threads` I/O threads.
  void run(int threads);

  /// Stops accepting, ends all sessions and joins the threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kc::sim
