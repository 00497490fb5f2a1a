// The webhook listener: TLS Beast sessions on one io_context thread.

#include "cmd/webhook_server.hpp"
#include "k8s/api/kubecombo/admission.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kc::cmd {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t body_limit = 3 * 1024 * 1024; // apiserver's request cap
constexpr std::size_t max_connections = 128;
constexpr auto idle_timeout = std::chrono::seconds(30);

/// The listener's metric families (null: not exported).
struct webhook_metrics {
  telemetry::family<telemetry::counter>* requests = nullptr;
  telemetry::family<telemetry::histogram>* duration = nullptr;

  /// The `webhook` label: the path without '/' for the four, else "other".
  static std::string_view label(std::string_view path) {
    namespace kk = k8s::kubecombo;
    for (auto p : {kk::mutate_debugger_path, kk::validate_debugger_path,
                   kk::mutate_pinger_path, kk::validate_pinger_path})
      if (path == p)
        return path.substr(1);
    return "other";
  }
  void record(std::string_view path, unsigned code,
              std::chrono::steady_clock::duration took) const {
    auto hook = label(path);
    if (requests)
      requests->with({hook, std::to_string(code)})->inc();
    if (duration)
      duration->with({hook})->observe(took);
  }
};

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket s, ssl::context& ctx, std::atomic<uint64_t>& served,
          const webhook_metrics& metrics)
    : stream_(beast::tcp_stream(std::move(s)), ctx), served_(served),
      metrics_(metrics) {}

  void run() {
    beast::get_lowest_layer(stream_).expires_after(idle_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec)
                                return self->close();
                              self->read();
                            });
  }

  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(
      tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

private:
  void read() {
    parser_.emplace();
    parser_->header_limit(header_limit);
    parser_->body_limit(body_limit);
    beast::get_lowest_layer(stream_).expires_after(idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    http::response<http::string_body> res;
    if (ec == http::error::header_limit || ec == http::error::body_limit) {
      res.result(http::status::payload_too_large);
      res.body() = R"({"message":"request too large"})";
      res.keep_alive(false);
    } else if (ec) {
      return close(); // end of stream, timeout, malformed request
    } else {
      auto t0 = std::chrono::steady_clock::now();
      auto req = parser_->release();
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      auto target = std::string_view(req.target());
      auto path = target.substr(0, target.find('?')); // ?timeout=10s
      if (req.method() != http::verb::post) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "POST");
        res.body() = R"({"message":"POST an AdmissionReview"})";
      } else {
        auto r = k8s::kubecombo::handle_webhook(path, req.body());
        res.result(static_cast<unsigned>(r.status));
        res.body() = std::move(r.body);
      }
      served_.fetch_add(1, std::memory_order_relaxed);
      metrics_.record(path, res.result_int(),
                      std::chrono::steady_clock::now() - t0);
    }
    res.set(http::field::content_type, "application/json");
    res.prepare_payload();
    auto msg = std::make_shared<http::response<http::string_body>>(
      std::move(res));
    http::async_write(stream_, *msg,
                      [self = shared_from_this(), msg](beast::error_code wec,
                                                       std::size_t) {
                        if (wec || !msg->keep_alive())
                          return self->close();
                        self->read();
                      });
  }

  tls_stream stream_;
  beast::flat_buffer buffer_{header_limit};
  std::optional<http::request_parser<http::string_body>> parser_;
  std::atomic<uint64_t>& served_;
  const webhook_metrics& metrics_;
};

} // namespace

struct webhook_server::impl {
  ssl::context ctx{ssl::context::tls_server};
  std::vector<std::weak_ptr<session>> sessions; // io thread only
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  uint16_t port = 0;
  std::atomic<uint64_t> served{0};
  webhook_metrics metrics;

  void open(const telemetry::listen_address& at) {
    beast::error_code ec;
    // ":PORT": IPv6 and IPv4 when the host has IPv6, else IPv4.
    for (bool v6 : {true, false}) {
      tcp::endpoint ep;
      if (at.host.empty())
        ep = {v6 ? tcp::v6() : tcp::v4(), at.port};
      else {
        auto ip = asio::ip::make_address(at.host, ec);
        if (ec)
          throw std::runtime_error("host \"" + at.host
                                   + "\" is not an IP address");
        ep = {ip, at.port};
      }
      ec = {};
      if (acceptor.is_open())
        acceptor.close();
      acceptor.open(ep.protocol(), ec);
      if (!ec && ep.address().is_v6() && at.host.empty())
        acceptor.set_option(asio::ip::v6_only(false), ec);
      if (!ec)
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec)
        acceptor.bind(ep, ec);
      if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
      if (!ec || !at.host.empty())
        break;
    }
    if (ec)
      throw std::runtime_error("cannot listen on " + at.host + ":"
                               + std::to_string(at.port) + ": "
                               + ec.message());
    port = acceptor.local_endpoint().port();
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        std::erase_if(sessions, [](auto& w) { return w.expired(); });
        if (sessions.size() < max_connections) {
          auto sess
            = std::make_shared<session>(std::move(s), ctx, served, metrics);
          sessions.push_back(sess);
          sess->run();
        }
      }
      accept();
    });
  }
};

webhook_server::webhook_server(const webhook_tls& tls,
                               const telemetry::listen_address& at,
                               telemetry::registry* metrics)
  : impl_(std::make_unique<impl>()) {
  if (metrics) {
    impl_->metrics.requests = &metrics->add_counter_family(
      "kubecombo_webhook_requests_total",
      "Admission webhook requests answered, by webhook and HTTP code.",
      {"webhook", "code"});
    impl_->metrics.duration = &metrics->add_histogram_family(
      "kubecombo_webhook_request_duration_seconds",
      "Time to answer an admission webhook request (parse, review, "
      "serialise).",
      {"webhook"}, {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1});
  }
  auto& ctx = impl_->ctx;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                  | ssl::context::no_sslv3 | ssl::context::no_tlsv1
                  | ssl::context::no_tlsv1_1);
  try {
    ctx.use_certificate_chain(asio::buffer(tls.cert));
    ctx.use_private_key(asio::buffer(tls.key), ssl::context::pem);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string{"certificate: "} + e.what());
  }
  impl_->open(at);
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

webhook_server::~webhook_server() {
  stop();
}

uint16_t webhook_server::port() const noexcept {
  return impl_->port;
}

uint64_t webhook_server::served() const noexcept {
  return impl_->served.load(std::memory_order_relaxed);
}

void webhook_server::stop() {
  if (!impl_->thread.joinable())
    return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& w : impl_->sessions)
      if (auto s = w.lock())
        s->close();
    impl_->ioc.stop();
  });
  impl_->thread.join();
}

} // namespace kc::cmd
