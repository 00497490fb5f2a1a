#pragma once

// The admin HTTP listener: /metrics, /healthz, /readyz, /debug/actors.
// A Beast server on its own io_context thread; the request handler is the
// pure function `handle_admin`, tested without sockets. A process may run
// several (the controller: a metrics and a health address).
//
//   kc::telemetry::admin_routes routes;
//   routes.metrics = &kc::telemetry::global_registry();
//   routes.healthz = [] { return kc::telemetry::check_result{}; };
//   auto addr = kc::telemetry::parse_listen_address(":8080"); // nullopt: off
//   kc::telemetry::admin_server server{routes, *addr};
//   server.port(); // the bound port (useful with port 0)

#include "telemetry/metrics.hpp"

#include <boost/beast/http.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kc::telemetry {

namespace http = boost::beast::http;

using admin_request = http::request<http::string_body>;
using admin_response = http::response<http::string_body>;

/// The answer of a health or readiness check.
struct check_result {
  bool ok = true;
  std::string reason; // why not ok
};

/// What a listener serves; an unset route answers 404. Callbacks run on the
/// listener's thread and may block briefly (/debug/actors asks the actors).
struct admin_routes {
  const registry* metrics = nullptr;         // GET /metrics
  std::function<check_result()> healthz;     // GET /healthz
  std::function<check_result()> readyz;      // GET /readyz
  std::function<std::string()> debug_actors; // GET /debug/actors (JSON)
  /// Further exact paths (a dashboard, ...).
  std::map<std::string, std::function<admin_response(const admin_request&)>,
           std::less<>>
      extra;
};

/// The Content-Type of /metrics.
inline constexpr std::string_view metrics_content_type
    = "text/plain; version=0.0.4; charset=utf-8";

/// The response to `req` (pure: no I/O besides the route callbacks).
/// GET and HEAD only (405 otherwise); the query string is ignored.
admin_response admin_reply(const admin_routes& routes,
                           const admin_request& req);

/// admin_reply as Beast's message generator; HEAD gets headers only.
http::message_generator handle_admin(const admin_routes& routes,
                                     admin_request&& req);

struct listen_address {
  std::string host; // empty: all interfaces
  uint16_t port = 0;
};

/// ":8080" (all interfaces), "HOST:PORT", "[v6]:PORT", "localhost:PORT";
/// "0" or "" mean disabled (nullopt). Throws std::invalid_argument naming
/// the text otherwise.
std::optional<listen_address> parse_listen_address(std::string_view text);

/// The listener. Binds in the constructor (throws std::system_error with the
/// address on failure) and serves until stop() or destruction.
class admin_server {
public:
  admin_server(admin_routes routes, const listen_address& address);
  ~admin_server();
  admin_server(const admin_server&) = delete;
  admin_server& operator=(const admin_server&) = delete;

  /// The bound port.
  uint16_t port() const noexcept;
  /// Closes the listener and every connection, joins the thread. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kc::telemetry
