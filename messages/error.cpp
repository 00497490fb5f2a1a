#include "messages/error.hpp"

namespace kc {

const char* to_string(ec x) {
  switch (x) {
    case ec::no_error: return "no_error";
    case ec::unspecified: return "unspecified";
    case ec::invalid_argument: return "invalid_argument";
    case ec::invalid_configuration: return "invalid_configuration";
    case ec::not_found: return "not_found";
    case ec::already_exists: return "already_exists";
    case ec::conflict: return "conflict";
    case ec::expired: return "expired";
    case ec::unauthorized: return "unauthorized";
    case ec::forbidden: return "forbidden";
    case ec::invalid: return "invalid";
    case ec::too_many_requests: return "too_many_requests";
    case ec::server_error: return "server_error";
    case ec::network_error: return "network_error";
    case ec::watch_line_too_long: return "watch_line_too_long";
    case ec::parse_error: return "parse_error";
    case ec::timeout: return "timeout";
    case ec::missing_capability: return "missing_capability";
  }
  return "unknown";
}

std::string render_error(uint8_t code, const caf::message& context) {
  std::string result = "kc::";
  result += to_string(static_cast<ec>(code));
  if (!context.empty()) {
    result += ' ';
    result += to_string(context);
  }
  return result;
}

} // namespace kc
