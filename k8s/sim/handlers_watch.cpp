// WATCH (api:W1–W8): parameter validation and registration with the store.

#include "k8s/sim/handlers.hpp"
#include "k8s/sim/watch_stream.hpp"

#include <random>

namespace kc::sim {

namespace {

api_response list_options_invalid(const char* field, const std::string& msg) {
  return from_status(k8s::status_invalid(
    meta_type("ListOptions"), "",
    {{"FieldValueForbidden", field, "Forbidden: " + msg}}));
}

/// The apiserver's default: random in [minRequestTimeout, 2×] (api:W6).
std::chrono::seconds default_watch_timeout() {
  static thread_local std::mt19937 gen{std::random_device{}()};
  return std::chrono::seconds(
    std::uniform_int_distribution<int>(1800, 3600)(gen));
}

} // namespace

api_response control_plane::do_watch(api_request& req, route& r) {
  auto sel = parse_selection(req, r);
  if (auto bad = std::get_if<api_response>(&sel))
    return std::move(*bad);
  bool bookmarks = false;
  if (auto b = req.param("allowWatchBookmarks"))
    if (!parse_go_bool(*b, bookmarks))
      return from_status(k8s::status_bad_request(
        "invalid boolean value for allowWatchBookmarks: \"" + *b + "\""));
  bool initial = false;
  auto sie = req.param("sendInitialEvents");
  if (sie && !parse_go_bool(*sie, initial))
    return from_status(k8s::status_bad_request(
      "invalid boolean value for sendInitialEvents: \"" + *sie + "\""));
  auto rvm = req.param_or("resourceVersionMatch", "");
  if (sie && rvm != "NotOlderThan")
    return list_options_invalid(
      "resourceVersionMatch",
      "sendInitialEvents requires setting resourceVersionMatch to "
      "NotOlderThan");
  if (!sie && !rvm.empty())
    return list_options_invalid(
      "resourceVersionMatch",
      "resourceVersionMatch is forbidden for watch unless sendInitialEvents "
      "is provided");
  std::chrono::seconds timeout = default_watch_timeout();
  if (auto t = req.param("timeoutSeconds")) {
    uint64_t secs = 0;
    if (!parse_u64(*t, secs))
      return from_status(k8s::status_bad_request(
        "invalid value for timeoutSeconds: \"" + *t + "\""));
    if (secs > 0)
      timeout = std::chrono::seconds(std::min<uint64_t>(secs, 86400 * 7));
  }
  std::optional<uint64_t> from;
  auto rv_text = req.param_or("resourceVersion", "");
  if (!rv_text.empty() && rv_text != "0") {
    uint64_t rv = 0;
    if (!parse_u64(rv_text, rv))
      return from_status(k8s::status_bad_request(
        "invalid resource version: \"" + rv_text + "\""));
    from = rv;
  }
  if (initial)
    from.reset();
  auto w = std::make_shared<watcher>(storage_key(*r.type), r.ns,
                                     cfg.watcher_queue_limit);
  auto reg = objects.watch(w, from);
  api_response out;
  if (reg.expired) {
    out.watch = watch_stream::error(k8s::status_expired(*reg.expired));
  } else if (reg.too_large) {
    out.watch = watch_stream::error(k8s::status_timeout(
      "Too large resource version: " + rv_text + ", current: "
        + std::to_string(reg.revision),
      "ResourceVersionTooLarge"));
  } else {
    out.watch = std::make_shared<watch_stream>(
      w, r.type, std::move(std::get<selection>(sel)), timeout, bookmarks);
    if (k8s::wants_table(req.accept))
      out.watch->set_table(
        k8s::parse_include_object(req.param_or("includeObject", "")));
    if (initial && sie)
      out.watch->set_initial_events_end();
  }
  return out;
}

} // namespace kc::sim
