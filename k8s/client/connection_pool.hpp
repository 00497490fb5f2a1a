#pragma once

#include "k8s/client/client_config.hpp"
#include "k8s/client/tls_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace kc::k8s {

/// One HTTP/1.1 connection to the API server, plain or TLS.
struct connection {
  std::unique_ptr<boost::beast::tcp_stream> plain;
  std::unique_ptr<tls_stream> tls;
  boost::beast::flat_buffer buffer;
  /// TLS-context generation it was made with (credentials may rotate).
  uint64_t generation = 0;
  /// True when it came from the idle pool (may have been closed by the peer).
  bool reused = false;

  /// The TCP layer (timeouts, cancel, close).
  boost::beast::tcp_stream& lowest() {
    return tls ? boost::beast::get_lowest_layer(*tls) : *plain;
  }

  /// Calls f with the stream (plain or TLS).
  template <class F>
  decltype(auto) visit(F&& f) {
    return tls ? f(*tls) : f(*plain);
  }

  /// Closes the socket (no TLS shutdown).
  void close();
};

/// Connects, and for https verifies the server. Keeps at most
/// `max_idle` keep-alive connections; used on the client's io thread only.
class connection_pool {
public:
  connection_pool(boost::asio::io_context& io, const client_config& cfg);

  /// A pooled connection of the current generation, or a new one connected
  /// within `timeout`. On failure returns null with `error` set and
  /// `timed_out` telling a timeout from other network/TLS errors.
  boost::asio::awaitable<std::unique_ptr<connection>>
  acquire(std::chrono::milliseconds timeout, std::string& error,
          bool& timed_out, bool allow_reuse = true);

  /// Returns a connection after a complete keep-alive exchange.
  void release(std::unique_ptr<connection> c);

  /// Installs a new TLS context (after the client certificate changed);
  /// idle connections of the old context are dropped.
  void set_tls_context(std::shared_ptr<boost::asio::ssl::context> ctx);

  /// The TLS context in use (null for http).
  const std::shared_ptr<boost::asio::ssl::context>& tls_context() const {
    return ctx_;
  }

  /// Number of idle connections.
  size_t idle() const { return idle_.size(); }

  /// Connections opened so far (for tests and metrics).
  uint64_t opened() const { return opened_; }

  /// Closes every idle connection.
  void clear();

private:
  boost::asio::io_context& io_;
  const client_config& cfg_;
  std::shared_ptr<boost::asio::ssl::context> ctx_;
  uint64_t generation_ = 0;
  uint64_t opened_ = 0;
  std::deque<std::unique_ptr<connection>> idle_;
};

} // namespace kc::k8s
