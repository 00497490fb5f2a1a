#include "test/k8s/client/support/test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/x509.h>

#include <thread>

namespace kc::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
}

struct test_server::impl {
  handler h;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> ctx;
  std::atomic<size_t> conns{0};
  std::atomic<size_t> reqs{0};
  std::thread thread;
  bool stopped = false;

  template <class Stream>
  asio::awaitable<void> serve(Stream& s, size_t conn_no, std::string cn) {
    beast::flat_buffer buf;
    for (int i = 0; i < 10000; ++i) {
      http::request<http::string_body> req;
      auto [rec, rn] = co_await http::async_read(s, buf, req, nothrow);
      if (rec)
        co_return;
      test_request tr{std::string(req.method_string()), std::string(req.target()),
                      req.body(), {}, cn, conn_no};
      for (auto& f : req) {
        std::string k(f.name_string());
        for (auto& ch : k)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        tr.headers[k] = std::string(f.value());
      }
      ++reqs;
      auto tres = h(tr);
      if (tres.chunks.empty() && !tres.hold_open) {
        http::response<http::string_body> res{static_cast<http::status>(tres.status),
                                              11};
        if (!tres.content_type.empty())
          res.set(http::field::content_type, tres.content_type);
        for (auto& [k, v] : tres.headers)
          res.set(k, v);
        res.body() = tres.body;
        res.keep_alive(!tres.close && req.keep_alive());
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(s, res, nothrow);
        if (wec || !res.keep_alive())
          co_return;
        continue;
      }
      http::response<http::empty_body> res{static_cast<http::status>(tres.status), 11};
      res.set(http::field::content_type, tres.content_type);
      res.chunked(true);
      http::response_serializer<http::empty_body> sr{res};
      auto [hec, hn] = co_await http::async_write_header(s, sr, nothrow);
      if (hec)
        co_return;
      asio::steady_timer t(io);
      for (auto& c : tres.chunks) {
        if (tres.chunk_delay.count() > 0) {
          t.expires_after(tres.chunk_delay);
          co_await t.async_wait(nothrow);
        }
        auto [cec, cn2] =
          co_await asio::async_write(s, http::make_chunk(asio::buffer(c)), nothrow);
        if (cec)
          co_return;
      }
      if (tres.hold_open) {
        // Wait until the client closes (a read fails) or the server stops.
        char dummy[1];
        co_await s.async_read_some(asio::buffer(dummy), nothrow);
        co_return;
      }
      co_await asio::async_write(s, http::make_chunk_last(), nothrow);
      co_return; // streaming responses close the connection
    }
  }

  asio::awaitable<void> session(tcp::socket sock) {
    size_t no = ++conns;
    if (!ctx) {
      beast::tcp_stream s(std::move(sock));
      co_await serve(s, no, "");
      beast::error_code ec;
      s.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    }
    asio::ssl::stream<beast::tcp_stream> s(beast::tcp_stream(std::move(sock)), *ctx);
    auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::server, nothrow);
    if (hec)
      co_return;
    std::string cn;
    if (X509* peer = SSL_get1_peer_certificate(s.native_handle())) {
      char buf[256] = {};
      X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf,
                                sizeof buf);
      cn = buf;
      X509_free(peer);
    }
    co_await serve(s, no, cn);
    beast::error_code ec;
    beast::get_lowest_layer(s).socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(nothrow);
      if (ec)
        co_return;
      asio::co_spawn(io, session(std::move(sock)), asio::detached);
    }
  }
};

test_server::test_server(handler h, std::optional<test_tls> tls)
  : impl_(std::make_unique<impl>()) {
  impl_->h = std::move(h);
  if (tls) {
    impl_->ctx.emplace(asio::ssl::context::tls_server);
    impl_->ctx->use_certificate_chain(asio::buffer(tls->cert_pem));
    impl_->ctx->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
    if (!tls->client_ca_pem.empty()) {
      impl_->ctx->add_certificate_authority(asio::buffer(tls->client_ca_pem));
      impl_->ctx->set_verify_mode(asio::ssl::verify_peer);
    }
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

test_server::~test_server() {
  stop();
}

void test_server::stop() {
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  impl_->io.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

unsigned short test_server::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string test_server::url() const {
  return std::string(impl_->ctx ? "https" : "http") + "://127.0.0.1:"
         + std::to_string(port());
}

size_t test_server::connections() const {
  return impl_->conns.load();
}

size_t test_server::requests() const {
  return impl_->reqs.load();
}

} // namespace kc::test
