#include "k8s/sim/http_server.hpp"

#include "k8s/sim/session.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <stdexcept>

namespace kc::sim {

struct http_server::impl {
  impl(control_plane& c, bool tls)
    : cp(c), use_tls(tls), ssl(net::ssl::context::tls_server), acceptor(ioc) {
  }

  void do_accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec,
                                                        net::ip::tcp::socket s) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open())
          return;
        return do_accept();
      }
      s.set_option(net::ip::tcp::no_delay(true), ec);
      if (use_tls)
        std::make_shared<session<tls_stream>>(
          tls_stream(beast::tcp_stream(std::move(s)), ssl), cp)
          ->run();
      else
        std::make_shared<session<plain_stream>>(beast::tcp_stream(std::move(s)),
                                                cp)
          ->run();
      do_accept();
    });
  }

  control_plane& cp;
  bool use_tls;
  net::io_context ioc;
  net::ssl::context ssl;
  net::ip::tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

http_server::http_server(control_plane& cp, bool tls)
  : impl_(std::make_unique<impl>(cp, tls)) {
  if (!tls)
    return;
  auto& ctx = impl_->ssl;
  ctx.set_options(net::ssl::context::default_workarounds
                  | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3
                  | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  ctx.use_certificate_chain(net::buffer(cp.certs.serving.cert));
  ctx.use_private_key(net::buffer(cp.certs.serving.key),
                      net::ssl::context::pem);
  ctx.add_certificate_authority(net::buffer(cp.certs.ca.cert));
  // Ask for a client certificate but never fail the handshake: requests
  // without one (or with a bad one) may still carry a bearer token; the
  // session checks the verification result itself.
  ctx.set_verify_mode(net::ssl::verify_peer);
  ctx.set_verify_callback([](bool, net::ssl::verify_context&) {
    return true;
  });
}

http_server::~http_server() {
  stop();
}

uint16_t http_server::listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto addr = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host,
                                    ec);
  if (ec)
    throw std::runtime_error("invalid listen address \"" + host
                             + "\": " + ec.message());
  net::ip::tcp::endpoint ep{addr, port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec)
    a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    a.bind(ep, ec);
  if (!ec)
    a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host + ":"
                             + std::to_string(port) + ": " + ec.message());
  return a.local_endpoint().port();
}

void http_server::run(int threads) {
  impl_->do_accept();
  for (int i = 0; i < std::max(threads, 1); ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void http_server::stop() {
  if (!impl_)
    return;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
  impl_->threads.clear();
}

} // namespace kc::sim
