#include "k8s/client/errors.hpp"

#include <boost/json/parse.hpp>

#include <charconv>

namespace kc::k8s {

namespace {

std::string string_field(const boost::json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v && v->is_string())
    return std::string(v->get_string());
  return {};
}

std::string trim(std::string_view s, size_t max_len) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  std::string out(s.substr(0, max_len));
  if (s.size() > max_len)
    out += "...";
  return out;
}

const char* default_reason(unsigned status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
  }
}

} // namespace

std::string api_error::to_string() const {
  std::string out = "kc::";
  out += kc::to_string(code);
  if (http_status != 0 || !reason.empty()) {
    out += " (";
    if (http_status != 0)
      out += std::to_string(http_status);
    if (!reason.empty()) {
      if (http_status != 0)
        out += ' ';
      out += reason;
    }
    out += ')';
  }
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

kc::ec code_for_status(unsigned status, std::string_view reason) {
  if (status >= 200 && status < 300)
    return kc::ec::no_error;
  switch (status) {
    case 401: return kc::ec::unauthorized;
    case 403: return kc::ec::forbidden;
    case 404: return kc::ec::not_found;
    case 409:
      return reason == "AlreadyExists" ? kc::ec::already_exists
                                       : kc::ec::conflict;
    case 410: return kc::ec::expired;
    case 400:
    case 422: return kc::ec::invalid;
    case 429: return kc::ec::too_many_requests;
    case 504: return kc::ec::timeout;
    default: break;
  }
  if (reason == "Expired" || reason == "Gone")
    return kc::ec::expired;
  if (status >= 500)
    return kc::ec::server_error;
  return kc::ec::unspecified;
}

std::optional<int> parse_retry_after(std::string_view h) {
  while (!h.empty() && h.front() == ' ')
    h.remove_prefix(1);
  while (!h.empty() && h.back() == ' ')
    h.remove_suffix(1);
  if (h.empty())
    return std::nullopt;
  int value = 0;
  auto [ptr, err] = std::from_chars(h.data(), h.data() + h.size(), value);
  if (err != std::errc{} || ptr != h.data() + h.size() || value < 0)
    return std::nullopt;
  return value;
}

api_error error_from_status(const boost::json::object& st) {
  api_error e;
  if (auto* c = st.if_contains("code"); c && c->is_int64())
    e.http_status = static_cast<unsigned>(c->get_int64());
  e.reason = string_field(st, "reason");
  e.message = string_field(st, "message");
  if (auto* d = st.if_contains("details"); d && d->is_object())
    if (auto* r = d->get_object().if_contains("retryAfterSeconds");
        r && r->is_int64())
      e.retry_after = static_cast<int>(r->get_int64());
  e.code = code_for_status(e.http_status, e.reason);
  if (e.code == kc::ec::no_error)
    e.code = kc::ec::unspecified; // a Status in an error position
  return e;
}

api_error error_from_response(unsigned status, std::string_view body,
                              std::string_view retry_after_header) {
  api_error e;
  boost::system::error_code jec;
  auto v = boost::json::parse(body, jec);
  if (!jec && v.is_object() && string_field(v.get_object(), "kind") == "Status") {
    e = error_from_status(v.get_object());
  } else {
    e.message = trim(body, 512);
  }
  e.http_status = status;
  if (e.reason.empty())
    e.reason = default_reason(status);
  if (e.message.empty())
    e.message = "the server responded with HTTP " + std::to_string(status);
  if (auto ra = parse_retry_after(retry_after_header))
    e.retry_after = ra;
  e.code = code_for_status(status, e.reason);
  return e;
}

api_error make_error(kc::ec code, std::string message) {
  api_error e;
  e.code = code;
  e.message = std::move(message);
  return e;
}

} // namespace kc::k8s
