#pragma once

// One HTTP connection: reads requests (bodies up to 3 MiB), authenticates,
// hands them to the control plane and writes the answer or streams a watch.

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/watch_stream.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <memory>
#include <optional>

namespace kc::sim {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

/// Request bodies above this get 413 (the apiserver's limit).
inline constexpr std::size_t max_body_bytes = 3 * 1024 * 1024;

/// A plain or TLS stream.
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// One connection. `Stream` is plain_stream or tls_stream.
template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
  session(Stream&& stream, control_plane& cp);

  /// Starts the handshake (TLS) and the read loop.
  void run();

private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t);
  void respond(api_response&& resp, bool keep_alive);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t);
  void authenticate(const http::request<http::string_body>& msg,
                    api_request& req);
  void close();
  void linger();

  void start_watch(std::shared_ptr<watch_stream> w);
  void pump();
  void arm_timer();
  void on_watch_write(bool more, beast::error_code ec, std::size_t);
  void watch_for_disconnect();

  Stream stream_;
  control_plane& cp_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<void> response_;
  std::shared_ptr<watch_stream> watch_;
  std::vector<watch_stream::piece> pieces_;
  std::vector<net::const_buffer> buffers_;
  net::steady_timer timer_;
  std::array<char, 256> sink_{};
  bool writing_ = false;
  bool closed_ = false;
};

} // namespace kc::sim
