#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kc::test {

/// What the tiny test server saw.
struct test_request {
  std::string method;
  std::string target;
  std::string body;
  /// Lower-case header names.
  std::map<std::string, std::string> headers;
  /// CN of the verified client certificate ("" if none).
  std::string client_cn;
  /// Sequence number of the connection it arrived on.
  size_t connection = 0;
};

/// What it answers.
struct test_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Close the connection after this response.
  bool close = false;
  /// Non-empty: a chunked streaming response, one HTTP chunk per element,
  /// `chunk_delay` apart (raw bytes, so lines may span chunks).
  std::vector<std::string> chunks;
  std::chrono::milliseconds chunk_delay{0};
  /// After the chunks, keep the stream open until the client goes away
  /// or the server stops (a watch that never ends).
  bool hold_open = false;
};

/// TLS settings of the test server.
struct test_tls {
  std::string cert_pem;
  std::string key_pem;
  /// Non-empty: request and verify client certificates against this CA.
  std::string client_ca_pem;
};

/// A loopback-only Beast HTTP/1.1 server on its own thread, for client
/// unit tests. Listens on 127.0.0.1 with an ephemeral port.
class test_server {
public:
  using handler = std::function<test_response(const test_request&)>;

  explicit test_server(handler h, std::optional<test_tls> tls = std::nullopt);
  ~test_server();

  unsigned short port() const;
  /// "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  std::string url() const;
  /// Connections accepted so far.
  size_t connections() const;
  /// Requests served so far.
  size_t requests() const;
  void stop();

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace kc::test
