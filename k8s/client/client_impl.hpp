#pragma once

// Private to kc_k8s: the state behind api_client, shared by the REST and
// watch coroutines. Everything here is touched on the io thread only,
// except `io`, `cfg` (immutable) and `creds` (thread-safe).

#include "k8s/client/api_client.hpp"
#include "k8s/client/connection_pool.hpp"
#include "k8s/client/credentials.hpp"
#include "k8s/client/retry_policy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <mutex>
#include <optional>
#include <thread>

namespace kc::k8s {

/// Tells watch handles whether the client (and its io_context) still
/// exists, so that a late cancel() never posts to a destroyed context.
struct client_liveness {
  std::mutex mtx;
  bool alive = true;
};

struct api_client::impl {
  explicit impl(client_config c);

  const client_config cfg;
  std::unique_ptr<boost::asio::io_context> io;
  std::optional<boost::asio::executor_work_guard<
    boost::asio::io_context::executor_type>>
    work;
  credentials creds;
  connection_pool pool;
  token_bucket bucket;
  std::string tls_cert_in_use;
  std::atomic<uint64_t> opened{0};
  std::thread thread;
  std::shared_ptr<client_liveness> liveness =
    std::make_shared<client_liveness>();

  /// Waits for the rate limiter.
  boost::asio::awaitable<void> throttle();

  /// Fetches credentials, refreshes the TLS context if the client
  /// certificate changed, and fills the auth header. Error on failure.
  api_error prepare_auth(std::string& authorization);

  /// Builds the HTTP request of `req` (Host, User-Agent, Accept, auth).
  boost::beast::http::request<boost::beast::http::string_body>
  make_http_request(const api_request& req, const std::string& authorization,
                    bool watch) const;

  /// One request/response exchange on a pooled connection.
  boost::asio::awaitable<api_error>
  exchange(const api_request& req,
           boost::beast::http::response<boost::beast::http::string_body>& res,
           std::chrono::milliseconds timeout, bool& reused);

  /// The REST coroutine: exchange + reauth on 401 + retries.
  boost::asio::awaitable<void> run_request(api_request req, uint64_t id,
                                           completion done);
};

/// Builds the result of a response (decodes JSON bodies of 2xx replies).
http_result make_result(
  const boost::beast::http::response<boost::beast::http::string_body>& res);

} // namespace kc::k8s
