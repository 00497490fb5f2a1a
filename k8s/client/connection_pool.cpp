#include "k8s/client/connection_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace kc::k8s {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
}

void connection::close() {
  beast::error_code ec;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
  lowest().socket().close(ec);
}

connection_pool::connection_pool(asio::io_context& io, const client_config& cfg)
  : io_(io), cfg_(cfg) {
}

void connection_pool::set_tls_context(std::shared_ptr<asio::ssl::context> ctx) {
  ctx_ = std::move(ctx);
  ++generation_;
  clear();
}

void connection_pool::clear() {
  for (auto& c : idle_)
    c->close();
  idle_.clear();
}

void connection_pool::release(std::unique_ptr<connection> c) {
  if (!c || c->generation != generation_ || cfg_.max_idle_connections == 0) {
    if (c)
      c->close();
    return;
  }
  c->buffer.clear();
  idle_.push_back(std::move(c));
  while (idle_.size() > cfg_.max_idle_connections) {
    idle_.front()->close();
    idle_.pop_front();
  }
}

asio::awaitable<std::unique_ptr<connection>>
connection_pool::acquire(std::chrono::milliseconds timeout, std::string& error,
                         bool& timed_out, bool allow_reuse) {
  timed_out = false;
  while (allow_reuse && !idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (c->generation == generation_ && c->lowest().socket().is_open()) {
      c->reused = true;
      co_return c;
    }
    c->close();
  }
  auto c = std::make_unique<connection>();
  c->generation = generation_;
  tcp::resolver resolver(io_);
  auto [rec, results] =
    co_await resolver.async_resolve(cfg_.host, cfg_.port, nothrow);
  if (rec) {
    error = "cannot resolve " + cfg_.host + ": " + rec.message();
    co_return nullptr;
  }
  bool use_tls = cfg_.scheme == "https";
  if (use_tls) {
    if (!ctx_) {
      error = "no TLS context";
      co_return nullptr;
    }
    c->tls = std::make_unique<tls_stream>(io_, *ctx_);
  } else {
    c->plain = std::make_unique<beast::tcp_stream>(io_);
  }
  auto& tcp_layer = c->lowest();
  tcp_layer.expires_after(timeout);
  auto [cec, ep] = co_await tcp_layer.async_connect(results, nothrow);
  if (cec) {
    timed_out = cec == beast::error::timeout;
    error = "cannot connect to " + cfg_.host + ":" + cfg_.port + ": "
            + cec.message();
    co_return nullptr;
  }
  tcp_layer.socket().set_option(tcp::no_delay(true));
  if (use_tls) {
    if (!prepare_tls_stream(*c->tls, cfg_, error))
      co_return nullptr;
    auto [hec] =
      co_await c->tls->async_handshake(asio::ssl::stream_base::client, nothrow);
    if (hec) {
      timed_out = hec == beast::error::timeout;
      error = describe_tls_failure(*c->tls, cfg_, hec);
      co_return nullptr;
    }
  }
  ++opened_;
  co_return c;
}

} // namespace kc::k8s
