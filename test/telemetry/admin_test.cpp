// The admin listener: the pure handler, address parsing, and a real server
// on 127.0.0.1:0 (keep-alive, limits, several instances, stop).

#include "telemetry/admin_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace kc::telemetry;
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

admin_request get(std::string target, http::verb verb = http::verb::get) {
  admin_request req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  return req;
}

struct populated {
  registry reg;
  admin_routes routes;
  bool ready = false;
  populated() {
    reg.add_counter("kc_test_requests", "Requests.").inc(3);
    routes.metrics = &reg;
    routes.healthz = [] {
      return check_result{};
    };
    routes.readyz = [this] {
      return ready ? check_result{}
                   : check_result{false, "informers not synced"};
    };
    routes.debug_actors = [] {
      return std::string{R"({"actors":[{"name":"root","parent":""}]})"};
    };
  }
};

std::string serialize(http::message_generator gen) {
  std::string out;
  beast::error_code ec;
  for (int i = 0; i < 1000 && !gen.is_done(); ++i) {
    auto bufs = gen.prepare(ec);
    BOOST_REQUIRE(!ec);
    std::size_t n = 0;
    for (auto b : bufs) {
      out.append(static_cast<const char*>(b.data()), b.size());
      n += b.size();
    }
    gen.consume(n);
  }
  return out;
}

/// A blocking HTTP/1.1 client over one connection.
struct client {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  explicit client(uint16_t port) {
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
  }
  admin_response request(admin_request req) {
    stream.expires_after(std::chrono::seconds(10));
    http::write(stream, req);
    admin_response res;
    http::read(stream, buffer, res);
    return res;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(admin)

BOOST_FIXTURE_TEST_CASE(routing, populated) {
  auto res = admin_reply(routes, get("/metrics"));
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(res[http::field::content_type] == metrics_content_type);
  BOOST_TEST(res.body().find("kc_test_requests_total 3\n")
             != std::string::npos);
  res = admin_reply(routes, get("/metrics?x=1"));
  BOOST_TEST(res.result_int() == 200);
  res = admin_reply(routes, get("/healthz"));
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(res.body() == "ok\n");
  res = admin_reply(routes, get("/readyz"));
  BOOST_TEST(res.result_int() == 500);
  BOOST_TEST(res.body() == "informers not synced\n");
  ready = true;
  BOOST_TEST(admin_reply(routes, get("/readyz")).result_int() == 200);
  res = admin_reply(routes, get("/debug/actors"));
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(res[http::field::content_type] == "application/json");
  BOOST_TEST(res.body().find("\"root\"") != std::string::npos);
  BOOST_TEST(admin_reply(routes, get("/")).result_int() == 404);
  BOOST_TEST(admin_reply(routes, get("/metrics/")).result_int() == 404);
  res = admin_reply(routes, get("/metrics", http::verb::post));
  BOOST_TEST(res.result_int() == 405);
  BOOST_TEST(res[http::field::allow] == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(unset_and_failing_routes) {
  admin_routes routes;
  BOOST_TEST(admin_reply(routes, get("/metrics")).result_int() == 404);
  BOOST_TEST(admin_reply(routes, get("/healthz")).result_int() == 404);
  routes.healthz = []() -> check_result {
    throw std::runtime_error("boom");
  };
  auto res = admin_reply(routes, get("/healthz"));
  BOOST_TEST(res.result_int() == 500);
  BOOST_TEST(res.body() == "check failed: boom\n");
  routes.readyz = [] {
    return check_result{false, ""};
  };
  BOOST_TEST(admin_reply(routes, get("/readyz")).body() == "not ok\n");
  routes.extra["/dash"] = [](const admin_request&) {
    admin_response r{http::status::ok, 11};
    r.body() = "<html/>";
    return r;
  };
  BOOST_TEST(admin_reply(routes, get("/dash")).body() == "<html/>");
}

BOOST_FIXTURE_TEST_CASE(generator_and_head, populated) {
  auto text = serialize(handle_admin(routes, get("/healthz")));
  BOOST_TEST(text.starts_with("HTTP/1.1 200 OK\r\n"));
  BOOST_TEST(text.ends_with("\r\n\r\nok\n"));
  text = serialize(handle_admin(routes, get("/healthz", http::verb::head)));
  BOOST_TEST(text.starts_with("HTTP/1.1 200 OK\r\n"));
  BOOST_TEST(text.find("Content-Length: 3\r\n") != std::string::npos, text);
  BOOST_TEST(text.ends_with("\r\n\r\n")); // no body
}

BOOST_AUTO_TEST_CASE(listen_addresses) {
  BOOST_TEST(!parse_listen_address("0").has_value());
  BOOST_TEST(!parse_listen_address("").has_value());
  auto a = parse_listen_address(":8080");
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->host.empty());
  BOOST_TEST(a->port == 8080);
  a = parse_listen_address("127.0.0.1:0");
  BOOST_TEST(a->host == "127.0.0.1");
  BOOST_TEST(a->port == 0);
  BOOST_TEST(parse_listen_address("[::1]:9090")->host == "::1");
  BOOST_TEST(parse_listen_address("localhost:1")->host == "127.0.0.1");
  for (auto bad : {"8080", "host:", ":99999", ":80x", "::1:80", "[::1:80"})
    BOOST_CHECK_THROW(parse_listen_address(bad), std::invalid_argument);
  try {
    parse_listen_address(":http");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string{e.what()}.find(":http") != std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(server_keep_alive_and_stop, populated) {
  admin_server server{routes, *parse_listen_address("127.0.0.1:0")};
  BOOST_REQUIRE(server.port() != 0);
  client c{server.port()};
  auto res = c.request(get("/metrics"));
  BOOST_TEST(res.result_int() == 200);
  BOOST_TEST(res.body().find("kc_test_requests_total 3") != std::string::npos);
  res = c.request(get("/readyz")); // same connection: keep-alive
  BOOST_TEST(res.result_int() == 500);
  res = c.request(get("/nope"));
  BOOST_TEST(res.result_int() == 404);
  server.stop();
  server.stop(); // idempotent
  beast::error_code ec;
  c.stream.expires_after(std::chrono::seconds(5));
  http::write(c.stream, get("/metrics"), ec);
  if (!ec) {
    admin_response r;
    http::read(c.stream, c.buffer, r, ec);
  }
  BOOST_TEST(ec.failed()); // the connection was closed by stop()
}

BOOST_FIXTURE_TEST_CASE(two_listeners_and_limits, populated) {
  admin_routes health;
  health.healthz = routes.healthz;
  admin_server metrics_server{routes, {"127.0.0.1", 0}};
  admin_server health_server{health, {"127.0.0.1", 0}};
  BOOST_TEST(metrics_server.port() != health_server.port());
  client h{health_server.port()};
  BOOST_TEST(h.request(get("/healthz")).result_int() == 200);
  BOOST_TEST(h.request(get("/metrics")).result_int() == 404);
  client m{metrics_server.port()};
  auto big = get("/metrics");
  big.set("X-Big", std::string(16 * 1024, 'x'));
  auto res = m.request(big);
  BOOST_TEST(res.result_int() == 413);
  // The same port cannot be bound twice: a clear error.
  try {
    admin_server clash{routes, {"127.0.0.1", metrics_server.port()}};
    BOOST_FAIL("second bind succeeded");
  } catch (const std::system_error& e) {
    BOOST_TEST(std::string{e.what()}.find("127.0.0.1:") != std::string::npos,
               e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()
