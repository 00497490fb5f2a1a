// The HTTP side of the fault API (/fault/v1/..., ADR 0012) and the pod
// status faults.

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/fault.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <set>
#include <stdexcept>

namespace kc::sim {

namespace {

/// A 400 with the field named; thrown by the body readers below.
struct bad_field : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The JSON object body of a fault request with only `allowed` fields.
json::object body_of(const api_request& req,
                     std::initializer_list<const char*> allowed) {
  json::object o;
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec)
      throw bad_field("request body must be a JSON object: " + ec.message());
    if (!v.is_object())
      throw bad_field("request body must be a JSON object");
    o = std::move(v.as_object());
  }
  std::set<std::string> ok(allowed.begin(), allowed.end());
  for (auto& kv : o)
    if (!ok.count(std::string(kv.key())))
      throw bad_field("unknown field \"" + std::string(kv.key()) + "\"");
  return o;
}

std::string get_str(const json::object& o, const char* f, bool required) {
  auto v = o.if_contains(f);
  if (!v || v->is_null()) {
    if (required)
      throw bad_field("field \"" + std::string(f) + "\" is required");
    return {};
  }
  if (!v->is_string())
    throw bad_field("field \"" + std::string(f) + "\" must be a string");
  return std::string(v->as_string());
}

std::optional<int64_t> get_int(const json::object& o, const char* f,
                               int64_t lo, int64_t hi) {
  auto v = o.if_contains(f);
  if (!v || v->is_null())
    return std::nullopt;
  int64_t n = 0;
  if (v->is_int64())
    n = v->as_int64();
  else if (v->is_uint64() && v->as_uint64() <= uint64_t(INT64_MAX))
    n = static_cast<int64_t>(v->as_uint64());
  else
    throw bad_field("field \"" + std::string(f) + "\" must be an integer");
  if (n < lo || n > hi)
    throw bad_field("field \"" + std::string(f) + "\" must be between "
                    + std::to_string(lo) + " and " + std::to_string(hi));
  return n;
}

/// count / fraction / verb / resource / pathPrefix of a rule.
fault_rule rule_of(const json::object& o) {
  fault_rule r;
  auto count = get_int(o, "count", 1, INT64_MAX);
  if (auto v = o.if_contains("fraction"); v && !v->is_null()) {
    if (!v->is_number())
      throw bad_field("field \"fraction\" must be a number");
    r.fraction = v->to_number<double>();
    if (!(r.fraction > 0 && r.fraction <= 1) || std::isnan(r.fraction))
      throw bad_field("field \"fraction\" must be > 0 and <= 1");
    if (count)
      throw bad_field("fields \"count\" and \"fraction\" are exclusive");
  }
  r.count = count ? static_cast<uint64_t>(*count) : 0;
  r.scope.verb = get_str(o, "verb", false);
  r.scope.resource = get_str(o, "resource", false);
  r.scope.path_prefix = get_str(o, "pathPrefix", false);
  static const std::set<std::string> verbs{
    "",      "*",      "get",   "list",   "watch",
    "create", "update", "patch", "delete", "deletecollection"};
  if (!verbs.count(r.scope.verb))
    throw bad_field("field \"verb\" must be one of get, list, watch, create, "
                    "update, patch, delete, deletecollection, *");
  return r;
}

/// The user a deny rule names: `user` (a user name as authenticated) or
/// `serviceAccount` ("namespace/name"); "" = every user.
std::string deny_user(const json::object& o) {
  auto user = get_str(o, "user", false);
  auto sa = get_str(o, "serviceAccount", false);
  if (!user.empty() && !sa.empty())
    throw bad_field("fields \"user\" and \"serviceAccount\" are exclusive");
  if (sa.empty())
    return user;
  auto slash = sa.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == sa.size()
      || sa.find('/', slash + 1) != std::string::npos)
    throw bad_field("field \"serviceAccount\" must be \"namespace/name\"");
  return "system:serviceaccount:" + sa.substr(0, slash) + ":"
         + sa.substr(slash + 1);
}

api_response ok() {
  return from_status(k8s::status_success());
}

api_response json_ok(const json::value& v) {
  api_response r;
  r.body = json::serialize(v);
  return r;
}

api_response not_allowed() {
  return from_status(k8s::status_method_not_allowed(
    "the server does not allow this method on the requested resource"));
}

json::object count_json(const write_count& c) {
  return {{"create", c.create}, {"update", c.update}, {"patch", c.patch},
          {"delete", c.del},    {"status", c.status}, {"total", c.total()}};
}

api_response writes_json(const fault_injector& f, const api_request& req) {
  auto res = req.param_or("resource", "");
  auto ns = req.param("namespace");
  auto name = req.param("name");
  json::array items;
  uint64_t total = 0;
  for (auto& [k, c] : f.all_writes()) {
    auto& [r, n, m] = k;
    if ((!res.empty() && r != res) || (ns && *ns != n) || (name && *name != m))
      continue;
    auto o = count_json(c);
    o["resource"] = r;
    o["namespace"] = n;
    o["name"] = m;
    items.push_back(std::move(o));
    total += c.total();
  }
  return json_ok(json::object{{"kind", "WriteCounts"},
                              {"apiVersion", "fault.kubecombo.io/v1"},
                              {"total", total},
                              {"items", std::move(items)}});
}

} // namespace

api_response fault_injector::serve(api_request& req) {
  auto& p = req.path;
  auto& m = req.method;
  try {
    if (p == "/fault/v1/writes") {
      if (m == "GET")
        return writes_json(*this, req);
      if (m != "DELETE")
        return not_allowed();
      reset_writes();
      return ok();
    }
    if (p == "/fault/v1/faults") {
      if (m == "GET")
        return json_ok(describe());
      if (m != "DELETE")
        return not_allowed();
      clear();
      return ok();
    }
    if (p != "/fault/v1/compact" && p != "/fault/v1/drop-watches"
        && p != "/fault/v1/clear" && p != "/fault/v1/watch-delay"
        && p != "/fault/v1/errors" && p != "/fault/v1/deny"
        && p != "/fault/v1/reset-connections" && p != "/fault/v1/pod-status")
      return from_status(k8s::status_not_found_path());
    if (m != "POST")
      return not_allowed();
    if (p == "/fault/v1/compact") {
      body_of(req, {});
      compact();
    } else if (p == "/fault/v1/drop-watches") {
      body_of(req, {});
      drop_watches();
    } else if (p == "/fault/v1/clear") {
      body_of(req, {});
      clear();
    } else if (p == "/fault/v1/watch-delay") {
      auto o = body_of(req, {"milliseconds"});
      auto ms = get_int(o, "milliseconds", 0, 600000);
      if (!ms)
        throw bad_field("field \"milliseconds\" is required");
      delay_watches(std::chrono::milliseconds(*ms));
    } else if (p == "/fault/v1/errors") {
      auto o = body_of(req, {"code", "count", "fraction", "verb", "resource",
                             "pathPrefix", "retryAfterSeconds"});
      auto code = get_int(o, "code", 0, 999);
      if (!code)
        throw bad_field("field \"code\" is required (429, 500 or 503)");
      if (*code != 429 && *code != 500 && *code != 503)
        throw bad_field("field \"code\" must be 429, 500 or 503");
      auto r = rule_of(o);
      r.code = static_cast<unsigned>(*code);
      if (auto ra = get_int(o, "retryAfterSeconds", 0, 3600))
        r.retry_after = static_cast<int>(*ra);
      fail(std::move(r));
    } else if (p == "/fault/v1/deny") {
      auto o = body_of(req, {"verb", "resource", "namespace", "user",
                             "serviceAccount"});
      auto verb = get_str(o, "verb", true);
      auto res = get_str(o, "resource", true);
      if (verb.empty())
        throw bad_field("field \"verb\" must not be empty");
      if (res.empty())
        throw bad_field("field \"resource\" must not be empty");
      deny(verb, res, get_str(o, "namespace", false), deny_user(o));
    } else if (p == "/fault/v1/reset-connections") {
      auto o = body_of(req, {"count", "fraction", "verb", "resource",
                             "pathPrefix", "watchOnly"});
      auto r = rule_of(o);
      if (auto w = o.if_contains("watchOnly"); w && !w->is_null()) {
        if (!w->is_bool())
          throw bad_field("field \"watchOnly\" must be a boolean");
        r.watch_only = w->as_bool();
      }
      reset_connections(std::move(r));
    } else {
      auto o = body_of(req, {"namespace", "name", "phase", "container",
                             "exitCode"});
      auto ns = get_str(o, "namespace", true);
      auto name = get_str(o, "name", true);
      auto phase = get_str(o, "phase", false);
      auto code = get_int(o, "exitCode", -2147483648LL, 2147483647LL);
      if (phase.empty() && !code)
        throw bad_field("one of the fields \"phase\" and \"exitCode\" is "
                        "required");
      auto container = get_str(o, "container", false);
      if (!container.empty() && !code)
        throw bad_field("field \"container\" needs \"exitCode\"");
      auto err = code ? set_exit_code(ns, name, container,
                                      static_cast<int>(*code), phase)
                      : set_pod_phase(ns, name, phase);
      if (err == "notfound") {
        k8s::resource_type t;
        t.resource = "pods";
        return from_status(k8s::status_not_found(t, name));
      }
      if (!err.empty())
        throw bad_field(err);
    }
    return ok();
  } catch (const bad_field& e) {
    return from_status(k8s::status_bad_request(std::string("fault: ")
                                               + e.what()));
  } catch (const std::invalid_argument& e) {
    return from_status(k8s::status_bad_request(std::string("fault: ")
                                               + e.what()));
  }
}

} // namespace kc::sim
