// The pure request handler of the admin listener, and address parsing.

#include "telemetry/admin_server.hpp"

#include <charconv>
#include <exception>
#include <stdexcept>

namespace kc::telemetry {

namespace {

admin_response text_reply(const admin_request& req, http::status status,
                          std::string body,
                          std::string_view type = "text/plain; charset=utf-8") {
  admin_response res{status, req.version()};
  res.set(http::field::content_type, type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

admin_response check_reply(const admin_request& req,
                           const std::function<check_result()>& check) {
  check_result result;
  try {
    result = check();
  } catch (const std::exception& e) {
    result = {false, std::string{"check failed: "} + e.what()};
  } catch (...) {
    result = {false, "check failed"};
  }
  if (result.ok)
    return text_reply(req, http::status::ok, "ok\n");
  auto reason = result.reason.empty() ? std::string{"not ok"} : result.reason;
  return text_reply(req, http::status::internal_server_error, reason + "\n");
}

} // namespace

admin_response admin_reply(const admin_routes& routes,
                           const admin_request& req) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = text_reply(req, http::status::method_not_allowed,
                          "method not allowed\n");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  std::string_view target{req.target().data(), req.target().size()};
  auto path = target.substr(0, target.find('?'));
  if (path == "/metrics" && routes.metrics) {
    std::string body;
    body.reserve(64 * 1024);
    routes.metrics->expose(body);
    return text_reply(req, http::status::ok, std::move(body),
                      metrics_content_type);
  }
  if (path == "/healthz" && routes.healthz)
    return check_reply(req, routes.healthz);
  if (path == "/readyz" && routes.readyz)
    return check_reply(req, routes.readyz);
  if (path == "/debug/actors" && routes.debug_actors) {
    try {
      return text_reply(req, http::status::ok, routes.debug_actors(),
                        "application/json");
    } catch (const std::exception& e) {
      return text_reply(req, http::status::internal_server_error,
                        std::string{"debug/actors failed: "} + e.what() + "\n");
    }
  }
  if (auto i = routes.extra.find(path); i != routes.extra.end()) {
    try {
      auto res = i->second(req);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      return res;
    } catch (const std::exception& e) {
      return text_reply(req, http::status::internal_server_error,
                        std::string{"handler failed: "} + e.what() + "\n");
    }
  }
  return text_reply(req, http::status::not_found, "not found\n");
}

http::message_generator handle_admin(const admin_routes& routes,
                                     admin_request&& req) {
  auto res = admin_reply(routes, req);
  if (req.method() != http::verb::head)
    return res;
  http::response<http::empty_body> head{res.result(), res.version()};
  for (const auto& field : res.base())
    head.set(field.name_string(), field.value());
  head.keep_alive(res.keep_alive());
  head.content_length(res.body().size());
  return head;
}

std::optional<listen_address> parse_listen_address(std::string_view text) {
  if (text.empty() || text == "0")
    return std::nullopt;
  auto fail = [&](const char* why) -> std::invalid_argument {
    return std::invalid_argument("invalid listen address \"" + std::string{text}
                                 + "\": " + why
                                 + " (use :PORT, HOST:PORT or 0 to disable)");
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    throw fail("missing :PORT");
  auto host = text.substr(0, colon);
  auto port_text = text.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 3)
      throw fail("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    throw fail("IPv6 hosts need brackets");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(),
                                   port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{}
      || end != port_text.data() + port_text.size() || port > 65535)
    throw fail("bad port");
  listen_address result;
  result.host = host == "localhost" ? "127.0.0.1" : std::string{host};
  result.port = static_cast<uint16_t>(port);
  return result;
}

} // namespace kc::telemetry
