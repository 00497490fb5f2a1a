// The fault state: request classification, error / deny / reset rules,
// watch delay and write counters (ADR 0012).

#include "k8s/sim/fault.hpp"
#include "k8s/sim/authn.hpp"
#include "k8s/sim/util.hpp"

#include "k8s/sim/control_plane.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace kc::sim {

namespace {

bool is_fault_path(const std::string& p) {
  return p.rfind("/fault/", 0) == 0;
}

bool scope_matches(const fault_scope& s, const fault_request& fr,
                   const api_request& req) {
  if (!s.verb.empty() && s.verb != "*" && s.verb != fr.verb)
    return false;
  if (!s.resource.empty() && s.resource != "*") {
    auto gr = fr.group.empty() ? fr.resource : fr.resource + "." + fr.group;
    auto sub = fr.sub.empty() ? std::string() : "/" + fr.sub;
    if (s.resource != fr.resource + sub && s.resource != gr + sub)
      return false;
  }
  return s.path_prefix.empty() || req.path.rfind(s.path_prefix, 0) == 0;
}

api_response forbidden(const fault_request& fr, const std::string& user) {
  k8s::resource_type t;
  t.group = fr.group;
  t.resource = fr.resource;
  auto res = fr.sub.empty() ? fr.resource : fr.resource + "/" + fr.sub;
  std::string where = fr.ns.empty() ? "at the cluster scope"
                                    : "in the namespace \"" + fr.ns + "\"";
  return from_status(k8s::status_forbidden(
    fr.resource.empty() ? nullptr : &t, fr.name,
    "User \"" + (user.empty() ? std::string(admin_user) : user)
      + "\" cannot " + fr.verb + " resource \"" + res
      + "\" in API group \"" + fr.group + "\" " + where));
}

api_response error_response(const fault_rule& r) {
  api_response out;
  if (r.code == 429) {
    // Like the apiserver's max-in-flight filter (http.Error): plain text.
    out.code = 429;
    out.content_type = "text/plain; charset=utf-8";
    out.body = "Too many requests, please try again later.\n";
    out.headers.emplace_back("X-Content-Type-Options", "nosniff");
    out.headers.emplace_back(
      "Retry-After", std::to_string(r.retry_after >= 0 ? r.retry_after : 1));
    return out;
  }
  if (r.code == 500)
    out = from_status(k8s::status_internal("fault injected by the test API"));
  else
    out = from_status(k8s::status_unavailable(
      "the server is currently unable to handle the request (fault "
      "injected by the test API)"));
  if (r.retry_after >= 0)
    out.headers.emplace_back("Retry-After", std::to_string(r.retry_after));
  return out;
}

} // namespace

fault_request classify(const api_request& req) {
  fault_request fr;
  auto segs = split_path(req.path);
  std::size_t at = 0;
  if (segs.size() >= 2 && segs[0] == "api") {
    at = 2;
  } else if (segs.size() >= 3 && segs[0] == "apis") {
    fr.group = segs[1];
    at = 3;
  }
  std::vector<std::string> rest(segs.begin() + static_cast<long>(at),
                                segs.end());
  bool watch = false;
  if (at == 0 || rest.empty()) {
    rest.clear(); // a non-resource path
  } else if (rest[0] == "watch") {
    watch = true;
    rest.erase(rest.begin());
  }
  if (rest.size() >= 3 && rest[0] == "namespaces"
      && !(fr.group.empty() && rest.size() == 3
           && (rest[2] == "status" || rest[2] == "finalize"))) {
    fr.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (!rest.empty())
    fr.resource = rest[0];
  if (rest.size() >= 2)
    fr.name = rest[1];
  if (rest.size() >= 3)
    fr.sub = rest[2];
  if (auto w = req.param("watch")) {
    bool b = false;
    if (parse_go_bool(*w, b) && b)
      watch = true;
  }
  auto& m = req.method;
  if (fr.resource.empty()) {
    for (char c : m)
      fr.verb += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  } else if (m == "GET") {
    fr.verb = watch ? "watch" : fr.name.empty() ? "list" : "get";
  } else if (m == "POST") {
    fr.verb = "create";
  } else if (m == "PUT") {
    fr.verb = "update";
  } else if (m == "PATCH") {
    fr.verb = "patch";
  } else if (m == "DELETE") {
    fr.verb = fr.name.empty() ? "deletecollection" : "delete";
  } else {
    fr.verb = m;
  }
  return fr;
}

fault_injector::fault_injector(control_plane& cp) : cp_(cp) {
}

void fault_injector::fail(fault_rule rule) {
  if (rule.code != 429 && rule.code != 500 && rule.code != 503)
    throw std::invalid_argument("code must be 429, 500 or 503");
  if (rule.count == 0 && !(rule.fraction > 0 && rule.fraction <= 1))
    throw std::invalid_argument("fraction must be in (0, 1]");
  std::lock_guard<std::mutex> g(mtx_);
  errors_.push_back({std::move(rule)});
  active_ = true;
}

void fault_injector::deny(std::string verb, std::string resource,
                          std::string ns, std::string user) {
  std::lock_guard<std::mutex> g(mtx_);
  denies_.push_back({std::move(verb), std::move(resource), std::move(ns),
                     std::move(user)});
  active_ = true;
}

void fault_injector::reset_connections(fault_rule rule) {
  if (rule.count == 0 && !(rule.fraction > 0 && rule.fraction <= 1))
    throw std::invalid_argument("fraction must be in (0, 1]");
  std::lock_guard<std::mutex> g(mtx_);
  resets_.push_back({std::move(rule)});
  active_ = true;
}

void fault_injector::delay_watches(std::chrono::milliseconds d) {
  delay_ms_ = d.count() > 0 ? d.count() : 0;
}

std::chrono::milliseconds fault_injector::watch_delay() const {
  return std::chrono::milliseconds(delay_ms_.load());
}

void fault_injector::drop_watches() {
  cp_.objects.drop_watches();
}

void fault_injector::compact() {
  cp_.objects.compact();
}

bool fault_injector::take(counted_rule& r, const fault_request& fr,
                          const api_request& req) {
  if (r.rule.watch_only && fr.verb != "watch")
    return false;
  if (!scope_matches(r.rule.scope, fr, req))
    return false;
  if (r.rule.count > 0) {
    ++r.hits;
    return true;
  }
  r.acc += r.rule.fraction;
  if (r.acc < 1.0 - 1e-9)
    return false;
  r.acc -= 1.0;
  ++r.hits;
  return true;
}

bool fault_injector::should_reset(const api_request& req) {
  if (!active_ || is_fault_path(req.path))
    return false;
  auto fr = classify(req);
  std::lock_guard<std::mutex> g(mtx_);
  for (auto it = resets_.begin(); it != resets_.end(); ++it)
    if (take(*it, fr, req)) {
      if (it->rule.count > 0 && it->hits >= it->rule.count)
        resets_.erase(it);
      ++served_[0];
      return true;
    }
  return false;
}

std::optional<api_response>
fault_injector::intercept(const api_request& req) {
  if (!active_ || is_fault_path(req.path))
    return std::nullopt;
  auto fr = classify(req);
  std::lock_guard<std::mutex> g(mtx_);
  for (auto& d : denies_)
    if ((d.verb == "*" || d.verb == fr.verb)
        && (d.resource == "*" || d.resource == fr.resource
            || d.resource == fr.resource + "/" + fr.sub)
        && (d.ns.empty() || d.ns == fr.ns) && !fr.resource.empty()
        && (d.user.empty() || d.user == req.user)) {
      ++served_[403];
      return forbidden(fr, req.user);
    }
  for (auto it = errors_.begin(); it != errors_.end(); ++it)
    if (take(*it, fr, req)) {
      auto out = error_response(it->rule);
      ++served_[it->rule.code];
      if (it->rule.count > 0 && it->hits >= it->rule.count)
        errors_.erase(it);
      return out;
    }
  return std::nullopt;
}

void fault_injector::after(const api_request& req, const api_response& resp) {
  if (resp.code < 200 || resp.code >= 300 || is_fault_path(req.path))
    return;
  if (auto d = req.param("dryRun"); d && !d->empty())
    return;
  auto fr = classify(req);
  if (fr.resource.empty())
    return;
  auto name = fr.name;
  if (fr.verb == "create") {
    if (auto v = resp.watch ? nullptr : &resp.body; v && !v->empty()) {
      boost::system::error_code ec;
      auto j = json::parse(*v, ec);
      if (!ec && j.is_object())
        if (auto md = obj_at(j.as_object(), "metadata"))
          name = str_at(*md, "name");
    }
  } else if (fr.verb != "update" && fr.verb != "patch"
             && fr.verb != "delete" && fr.verb != "deletecollection") {
    return;
  }
  auto res = fr.group.empty() ? fr.resource : fr.resource + "." + fr.group;
  std::lock_guard<std::mutex> g(mtx_);
  auto& c = writes_[{res, fr.ns, name}];
  if (fr.sub == "status")
    ++c.status;
  else if (fr.verb == "create")
    ++c.create;
  else if (fr.verb == "update")
    ++c.update;
  else if (fr.verb == "patch")
    ++c.patch;
  else
    ++c.del;
}

write_count fault_injector::writes(const std::string& resource,
                                   const std::string& ns,
                                   const std::string& name) const {
  std::lock_guard<std::mutex> g(mtx_);
  auto it = writes_.find({resource, ns, name});
  return it == writes_.end() ? write_count{} : it->second;
}

std::map<std::tuple<std::string, std::string, std::string>, write_count>
fault_injector::all_writes() const {
  std::lock_guard<std::mutex> g(mtx_);
  return writes_;
}

void fault_injector::reset_writes() {
  std::lock_guard<std::mutex> g(mtx_);
  writes_.clear();
}

void fault_injector::clear() {
  std::lock_guard<std::mutex> g(mtx_);
  errors_.clear();
  resets_.clear();
  denies_.clear();
  served_.clear();
  delay_ms_ = 0;
  active_ = false;
}

} // namespace kc::sim
