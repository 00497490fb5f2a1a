// The admin listener: Beast sessions on one io_context thread.

#include "telemetry/admin_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>

#include <system_error>
#include <thread>
#include <vector>

namespace kc::telemetry {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

constexpr std::size_t header_limit = 8 * 1024;
constexpr std::size_t body_limit = 64 * 1024;
constexpr std::size_t max_connections = 64;
constexpr auto idle_timeout = std::chrono::seconds(30);

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket socket, const admin_routes& routes)
    : stream_(std::move(socket)), routes_(routes) {}

  void run() {
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

private:
  void read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    stream_.expires_after(idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->on_read(ec);
        });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::header_limit || ec == http::error::body_limit) {
      admin_response res{http::status::payload_too_large, 11};
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "request too large\n";
      res.keep_alive(false);
      res.prepare_payload();
      write(std::move(res));
      return;
    }
    if (ec) {
      close(); // end of stream, timeout, malformed request
      return;
    }
    write(handle_admin(routes_, parser_->release()));
  }

  void write(http::message_generator msg) {
    bool keep_alive = msg.keep_alive();
    beast::async_write(stream_, std::move(msg),
                       [self = shared_from_this(),
                        keep_alive](beast::error_code ec, std::size_t) {
                         if (ec || !keep_alive)
                           self->close();
                         else
                           self->read();
                       });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{header_limit + body_limit};
  std::optional<http::request_parser<http::string_body>> parser_;
  const admin_routes& routes_;
};

tcp::endpoint resolve(const listen_address& address, bool v6_any) {
  if (address.host.empty())
    return {v6_any ? tcp::v6() : tcp::v4(), address.port};
  beast::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec)
    throw std::system_error(ec, "admin listener: host \"" + address.host
                                    + "\" is not an IP address");
  return {ip, address.port};
}

} // namespace

struct admin_server::impl {
  admin_routes routes;
  std::vector<std::weak_ptr<session>> sessions; // io thread only
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  uint16_t port = 0;

  void open(const listen_address& address) {
    beast::error_code ec;
    // ":PORT" listens on IPv6 and IPv4 when the host has IPv6, else IPv4.
    for (bool v6 : {true, false}) {
      if (!address.host.empty() && !v6)
        break;
      auto endpoint = resolve(address, v6);
      ec = {};
      if (acceptor.is_open())
        acceptor.close();
      acceptor.open(endpoint.protocol(), ec);
      if (!ec && endpoint.address().is_v6() && address.host.empty())
        acceptor.set_option(asio::ip::v6_only(false), ec);
      if (!ec)
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec)
        acceptor.bind(endpoint, ec);
      if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
      if (!ec || !address.host.empty())
        break;
    }
    if (ec)
      throw std::system_error(
          ec, "admin listener: cannot listen on "
                  + (address.host.empty() ? std::string{} : address.host) + ":"
                  + std::to_string(address.port));
    port = acceptor.local_endpoint().port();
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        std::erase_if(sessions, [](auto& s) { return s.expired(); });
        if (sessions.size() < max_connections) {
          auto s = std::make_shared<session>(std::move(socket), routes);
          sessions.push_back(s);
          s->run();
        }
        // else: too many connections; the socket closes here.
      }
      accept();
    });
  }
};

admin_server::admin_server(admin_routes routes, const listen_address& address)
  : impl_(std::make_unique<impl>()) {
  impl_->routes = std::move(routes);
  impl_->open(address);
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

admin_server::~admin_server() {
  stop();
}

uint16_t admin_server::port() const noexcept {
  return impl_->port;
}

void admin_server::stop() {
  if (!impl_->thread.joinable())
    return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& weak : impl_->sessions)
      if (auto s = weak.lock())
        s->close();
    impl_->ioc.stop(); // pending handlers are destroyed with the io_context
  });
  impl_->thread.join();
}

} // namespace kc::telemetry
