#pragma once

// A loopback HTTP/1.1 server that writes raw bytes, for bad-input tests the
// control plane cannot produce (an invalid watch line). One thread per
// connection; one request per connection (answers carry Connection: close).
//
//   kc::test::raw_http_server srv([](const std::string& method,
//                                    const std::string& target) {
//     return kc::test::raw_reply{kc::test::json_response(200, "{}")};
//   });
//   srv.url(); // "http://127.0.0.1:PORT"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kc::test {

/// What the server writes back, byte for byte.
struct raw_reply {
  std::string bytes;
  /// Keep the connection open after the bytes (a watch that does not end)
  /// until the client closes it or the server stops.
  bool hold_open = false;
};

/// A complete `Connection: close` response with a Content-Length body.
std::string json_response(unsigned status, const std::string& body);
/// The head of a chunked 200 JSON stream, and one chunk of it.
std::string chunked_head();
std::string chunk(const std::string& data);

class raw_http_server {
public:
  using handler = std::function<raw_reply(const std::string& method,
                                          const std::string& target)>;

  explicit raw_http_server(handler h);
  ~raw_http_server();

  uint16_t port() const { return port_; }
  std::string url() const;
  /// Requests whose target contains `part` so far.
  size_t requests(const std::string& part) const;
  void stop();

private:
  void accept_loop();
  void serve(int fd);

  handler handler_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mtx_;
  std::vector<std::string> targets_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

} // namespace kc::test
