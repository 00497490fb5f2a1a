#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>

#include <optional>

#include <sys/socket.h>
#include <sys/time.h>

namespace kc::test {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

boost::json::value http_result::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value{} : v;
}

sim_client::sim_client(const kc::sim::server& srv, auth how, bool tls)
  : host_("127.0.0.1"),
    port_(srv.port()),
    token_(srv.token()),
    ca_(srv.ca_pem()),
    cert_(srv.client_cert_pem()),
    key_(srv.client_key_pem()),
    how_(how),
    tls_(tls) {
}

namespace {

/// Connection state shared by request() and watch().
struct conn {
  net::io_context ioc;
  net::ssl::context ctx{net::ssl::context::tls_client};
  // Created after the context is configured: an SSL object copies the
  // context's certificate when it is made.
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_opt;
  beast::tcp_stream plain{ioc};
  bool use_tls;

  explicit conn(bool t) : use_tls(t) {
  }

  template <class F>
  auto with(F&& f) {
    if (use_tls)
      return f(*tls_opt);
    return f(plain);
  }

  void set_timeout(std::chrono::milliseconds t) {
    auto& sock = use_tls ? beast::get_lowest_layer(*tls_opt).socket()
                         : plain.socket();
    timeval tv{};
    tv.tv_sec = t.count() / 1000;
    tv.tv_usec = (t.count() % 1000) * 1000;
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv,
                 sizeof(tv));
  }
};

} // namespace

static void open_conn(conn& c, const std::string& host, uint16_t port,
                      const std::string& ca, const std::string& cert,
                      const std::string& key, bool with_cert) {
  net::ip::tcp::endpoint ep{net::ip::make_address(host), port};
  if (!c.use_tls) {
    c.plain.socket().connect(ep);
    return;
  }
  c.ctx.add_certificate_authority(net::buffer(ca));
  c.ctx.set_verify_mode(net::ssl::verify_peer);
  if (with_cert) {
    c.ctx.use_certificate_chain(net::buffer(cert));
    c.ctx.use_private_key(net::buffer(key), net::ssl::context::pem);
  }
  c.tls_opt.emplace(c.ioc, c.ctx);
  beast::get_lowest_layer(*c.tls_opt).socket().connect(ep);
  c.tls_opt->handshake(net::ssl::stream_base::client);
}

static http::request<http::string_body>
make_request(const std::string& method, const std::string& target,
             const std::string& body,
             const std::map<std::string, std::string>& headers, auth how,
             const std::string& token) {
  http::request<http::string_body> req{http::string_to_verb(method), target,
                                       11};
  req.set(http::field::host, "127.0.0.1");
  if (how == auth::token)
    req.set(http::field::authorization, "Bearer " + token);
  if (how == auth::bad_token)
    req.set(http::field::authorization, "Bearer wrong");
  if (!body.empty())
    req.set(http::field::content_type, "application/json");
  for (auto& [k, v] : headers)
    req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  return req;
}

http_result sim_client::request(
  const std::string& method, const std::string& target,
  const std::string& body, const std::map<std::string, std::string>& headers) {
  conn c{tls_};
  open_conn(c, host_, port_, ca_, cert_, key_, how_ == auth::cert);
  c.set_timeout(std::chrono::milliseconds(10000));
  auto req = make_request(method, target, body, headers, how_, token_);
  http_result out;
  c.with([&](auto& s) {
    http::write(s, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(boost::none);
    http::read(s, buf, p);
    auto& res = p.get();
    out.status = res.result_int();
    out.body = res.body();
    for (auto& f : res) {
      std::string name(f.name_string());
      for (auto& ch : name)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto& slot = out.headers[name];
      slot += (slot.empty() ? "" : "\n") + std::string(f.value());
    }
    return 0;
  });
  return out;
}

std::vector<std::string>
sim_client::watch(const std::string& target, std::size_t n,
                  std::chrono::milliseconds timeout, unsigned* status,
                  bool* ended) {
  conn c{tls_};
  open_conn(c, host_, port_, ca_, cert_, key_, how_ == auth::cert);
  auto req = make_request("GET", target, "", {}, how_, token_);
  std::vector<std::string> lines;
  if (ended)
    *ended = false;
  c.with([&](auto& s) {
    http::write(s, req);
    beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(boost::none);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    c.set_timeout(timeout);
    http::read_header(s, buf, p);
    if (status)
      *status = p.get().result_int();
    std::size_t used = 0;
    for (int guard = 0; guard < 100000 && lines.size() < n; ++guard) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::milliseconds(0))
        break;
      c.set_timeout(std::max<std::chrono::milliseconds>(
        std::chrono::milliseconds(1),
        std::chrono::duration_cast<std::chrono::milliseconds>(left)));
      beast::error_code ec;
      http::read_some(s, buf, p, ec);
      auto& body = p.get().body();
      for (auto nl = body.find('\n', used); nl != std::string::npos
                                            && lines.size() < n;
           nl = body.find('\n', used)) {
        lines.push_back(body.substr(used, nl - used));
        used = nl + 1;
      }
      if (p.is_done()) {
        if (ended)
          *ended = true;
        break;
      }
      if (ec)
        break;
    }
    return 0;
  });
  return lines;
}

sim::server_config one_node() {
  sim::server_config cfg;
  cfg.nodes = 1;
  return cfg;
}

std::unique_ptr<sim::server> started_server(sim::server_config cfg) {
  auto srv = std::make_unique<sim::server>(cfg);
  srv->start();
  return srv;
}

} // namespace kc::test
