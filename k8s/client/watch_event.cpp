#include "k8s/client/watch_event.hpp"

#include <boost/json/parse.hpp>

namespace kc::k8s {

const char* to_string(watch_event_type t) {
  switch (t) {
    case watch_event_type::added: return "ADDED";
    case watch_event_type::modified: return "MODIFIED";
    case watch_event_type::deleted: return "DELETED";
    case watch_event_type::bookmark: return "BOOKMARK";
    case watch_event_type::error: return "ERROR";
  }
  return "?";
}

api_error decode_watch_event(std::string_view line, watch_event& out) {
  auto snippet = [&] {
    return std::string(line.substr(0, 120)) + (line.size() > 120 ? "..." : "");
  };
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec)
    return make_error(kc::ec::parse_error,
                      "invalid watch line (" + ec.message() + "): " + snippet());
  auto* o = v.if_object();
  if (!o)
    return make_error(kc::ec::parse_error, "watch line is not an object: " + snippet());
  auto* type = o->if_contains("type");
  auto* obj = o->if_contains("object");
  if (!type || !type->is_string() || !obj || !obj->is_object())
    return make_error(kc::ec::parse_error,
                      "watch line lacks type or object: " + snippet());
  auto t = type->get_string();
  if (t == "ADDED")
    out.type = watch_event_type::added;
  else if (t == "MODIFIED")
    out.type = watch_event_type::modified;
  else if (t == "DELETED")
    out.type = watch_event_type::deleted;
  else if (t == "BOOKMARK")
    out.type = watch_event_type::bookmark;
  else if (t == "ERROR")
    out.type = watch_event_type::error;
  else
    return make_error(kc::ec::parse_error,
                      "unknown watch event type '" + std::string(t) + "'");
  out.rv.clear();
  if (auto* md = obj->get_object().if_contains("metadata"); md && md->is_object())
    if (auto* rv = md->get_object().if_contains("resourceVersion");
        rv && rv->is_string())
      out.rv = std::string(rv->get_string());
  out.object = std::make_shared<const boost::json::object>(
    std::move(obj->get_object()));
  return {};
}

} // namespace kc::k8s
