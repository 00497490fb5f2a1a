// The REST half of api_client: one exchange per attempt, re-authentication
// after a 401, and api:S3 retries.

#include "k8s/client/client_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <spdlog/spdlog.h>

namespace kc::k8s {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

http::verb to_beast(http_verb v) {
  switch (v) {
    case http_verb::get: return http::verb::get;
    case http_verb::post: return http::verb::post;
    case http_verb::put: return http::verb::put;
    case http_verb::patch: return http::verb::patch;
    case http_verb::del: return http::verb::delete_;
  }
  return http::verb::get;
}
} // namespace

asio::awaitable<void> api_client::impl::throttle() {
  auto wait = bucket.reserve(token_bucket::clock::now());
  if (wait > token_bucket::clock::duration::zero()) {
    asio::steady_timer t(*io, wait);
    co_await t.async_wait(nothrow);
  }
}

api_error api_client::impl::prepare_auth(std::string& authorization) {
  auth_material auth;
  std::string error;
  if (!creds.current(auth, error))
    return make_error(kc::ec::unauthorized, error);
  authorization = std::move(auth.authorization);
  if (cfg.scheme == "https"
      && (!pool.tls_context() || auth.client_cert_pem != tls_cert_in_use)) {
    std::shared_ptr<asio::ssl::context> ctx;
    if (!make_tls_context(cfg, auth, ctx, error))
      return make_error(kc::ec::invalid_configuration, error);
    pool.set_tls_context(std::move(ctx));
    tls_cert_in_use = auth.client_cert_pem;
  }
  return {};
}

http::request<http::string_body>
api_client::impl::make_http_request(const api_request& req,
                                    const std::string& authorization,
                                    bool watch) const {
  http::request<http::string_body> r{to_beast(req.verb), cfg.base_path + req.target,
                                     11};
  bool v6 = cfg.host.find(':') != std::string::npos;
  r.set(http::field::host, (v6 ? "[" + cfg.host + "]" : cfg.host) + ":" + cfg.port);
  r.set(http::field::user_agent, "kubecombo/0.1");
  r.set(http::field::accept, "application/json");
  if (!authorization.empty())
    r.set(http::field::authorization, authorization);
  if (!req.content_type.empty())
    r.set(http::field::content_type, req.content_type);
  r.keep_alive(!watch);
  r.body() = req.body;
  if (!req.body.empty() || req.verb != http_verb::get)
    r.prepare_payload();
  return r;
}

asio::awaitable<api_error>
api_client::impl::exchange(const api_request& req,
                           http::response<http::string_body>& res,
                           std::chrono::milliseconds timeout, bool& reused) {
  std::string authorization;
  if (auto e = prepare_auth(authorization))
    co_return e;
  std::string error;
  bool timed_out = false;
  auto conn = co_await pool.acquire(timeout, error, timed_out);
  if (!conn)
    co_return make_error(timed_out ? kc::ec::timeout : kc::ec::network_error, error);
  opened = pool.opened();
  reused = conn->reused;
  auto hreq = make_http_request(req, authorization, false);
  conn->lowest().expires_after(timeout);
  auto [wec, wn] = co_await conn->visit([&](auto& s) {
    return http::async_write(s, hreq, nothrow);
  });
  if (wec)
    co_return make_error(wec == beast::error::timeout ? kc::ec::timeout
                                                      : kc::ec::network_error,
                         "cannot send " + std::string(to_string(req.verb)) + " "
                           + req.target + ": " + wec.message());
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 30);
  auto [rec, rn] = co_await conn->visit([&](auto& s) {
    return http::async_read(s, conn->buffer, parser, nothrow);
  });
  if (rec) {
    conn->close();
    co_return make_error(rec == beast::error::timeout ? kc::ec::timeout
                                                      : kc::ec::network_error,
                         std::string(to_string(req.verb)) + " " + req.target
                           + ": no response: " + rec.message());
  }
  res = parser.release();
  if (res.keep_alive())
    pool.release(std::move(conn));
  else
    conn->close();
  co_return api_error{};
}

http_result make_result(const http::response<http::string_body>& res) {
  http_result r;
  r.status = res.result_int();
  if (r.status < 200 || r.status >= 300) {
    r.error = error_from_response(r.status, res.body(), res[http::field::retry_after]);
    r.body = res.body();
    return r;
  }
  auto ct = res[http::field::content_type];
  if (ct.find("json") == std::string_view::npos || res.body().empty()) {
    r.body = res.body();
    return r;
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body(), ec);
  if (ec || !v.is_object()) {
    r.error = make_error(kc::ec::parse_error,
                         "response is not a JSON object: "
                           + (ec ? ec.message() : std::string("wrong type")));
    r.body = res.body();
    return r;
  }
  r.object = std::make_shared<const boost::json::object>(std::move(v.get_object()));
  return r;
}

asio::awaitable<void> api_client::impl::run_request(api_request req, uint64_t id,
                                                    completion done) {
  http_result result;
  try {
    auto timeout = req.timeout.count() > 0 ? req.timeout : cfg.request_timeout;
    int retries = 0;
    bool reauth_done = false;
    int stale_retries = 0;
    for (int attempt = 0; attempt < 64; ++attempt) {
      co_await throttle();
      http::response<http::string_body> res;
      bool reused = false;
      auto err = co_await exchange(req, res, timeout, reused);
      if (err) {
        // A keep-alive connection the server closed meanwhile: once more
        // on a fresh connection.
        if (reused && err.code == kc::ec::network_error && req.replayable
            && stale_retries++ < 2)
          continue;
        result = {};
        result.error = std::move(err);
        break;
      }
      result = make_result(res);
      result.retries = retries;
      if (result.status == 401 && !reauth_done && req.replayable
          && creds.invalidate()) {
        reauth_done = true;
        continue;
      }
      if (auto d = retry_delay(result.error, req.replayable, retries,
                               cfg.max_retries, cfg.max_retry_after)) {
        ++retries;
        spdlog::debug("k8s: {} {} got {}, retry {} in {} ms", to_string(req.verb),
                      req.target, result.status, retries, d->count());
        asio::steady_timer t(*io, *d);
        co_await t.async_wait(nothrow);
        continue;
      }
      break;
    }
  } catch (const std::exception& e) {
    result = {};
    result.error = make_error(kc::ec::unspecified, e.what());
  }
  try {
    done(id, std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("k8s: completion of request {} threw: {}", id, e.what());
  }
}

} // namespace kc::k8s
