#include "k8s/sim/cluster/objects.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>

namespace kc::sim::cluster {

std::optional<owner> controller_of(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  if (!md)
    return std::nullopt;
  auto refs = k8s::arr_at(*md, "ownerReferences");
  if (!refs)
    return std::nullopt;
  for (auto& r : *refs)
    if (auto ro = r.if_object(); ro && k8s::bool_at(*ro, "controller"))
      return owner{str_at(*ro, "kind"), str_at(*ro, "name"),
                   str_at(*ro, "uid")};
  return std::nullopt;
}

json::object controller_ref(const json::object& o) {
  return json::object{{"apiVersion", str_at(o, "apiVersion")},
                      {"kind", str_at(o, "kind")},
                      {"name", meta_str(o, "name")},
                      {"uid", meta_str(o, "uid")},
                      {"controller", true},
                      {"blockOwnerDeletion", true}};
}

bool is_deleting(const json::object& obj) {
  return !meta_str(obj, "deletionTimestamp").empty();
}

bool is_terminal(const json::object& pod) {
  auto st = obj_at(pod, "status");
  if (!st)
    return false;
  auto phase = str_at(*st, "phase");
  return phase == "Succeeded" || phase == "Failed";
}

bool is_active(const json::object& pod) {
  return !is_deleting(pod) && !is_terminal(pod);
}

const json::object* find_condition(const json::array* conds,
                                   std::string_view type) {
  if (!conds)
    return nullptr;
  for (auto& c : *conds)
    if (auto co = c.if_object(); co && str_at(*co, "type") == type)
      return co;
  return nullptr;
}

namespace {

const json::object* ready_condition(const json::object& pod) {
  auto st = obj_at(pod, "status");
  return st ? find_condition(k8s::arr_at(*st, "conditions"), "Ready")
            : nullptr;
}

} // namespace

bool is_ready(const json::object& pod) {
  auto c = ready_condition(pod);
  return c && str_at(*c, "status") == "True";
}

bool is_available(const json::object& pod, int64_t min_ready_seconds,
                  sys_clock::time_point now) {
  auto c = ready_condition(pod);
  if (!c || str_at(*c, "status") != "True")
    return false;
  if (min_ready_seconds <= 0)
    return true;
  auto since = parse_rfc3339(str_at(*c, "lastTransitionTime"));
  return since + std::chrono::seconds(min_ready_seconds) <= now;
}

std::string node_of(const json::object& pod) {
  auto spec = obj_at(pod, "spec");
  return spec ? str_at(*spec, "nodeName") : std::string{};
}

namespace {

bool has_value(const json::object& req, const std::string& v) {
  auto vals = k8s::arr_at(req, "values");
  if (!vals)
    return false;
  return std::any_of(vals->begin(), vals->end(), [&](const json::value& x) {
    return x.is_string() && x.as_string() == v;
  });
}

} // namespace

bool selector_matches(const json::object* selector,
                      const json::object* labels) {
  if (!selector)
    return false;
  auto label = [&](const std::string& k) -> std::optional<std::string> {
    if (!labels)
      return std::nullopt;
    auto it = labels->find(k);
    if (it == labels->end() || !it->value().is_string())
      return std::nullopt;
    return std::string(it->value().as_string());
  };
  if (auto ml = obj_at(*selector, "matchLabels"))
    for (auto& [k, v] : *ml) {
      auto have = label(std::string(k));
      if (!have || !v.is_string() || *have != v.as_string())
        return false;
    }
  if (auto me = k8s::arr_at(*selector, "matchExpressions"))
    for (auto& e : *me) {
      auto eo = e.if_object();
      if (!eo)
        return false;
      auto have = label(str_at(*eo, "key"));
      auto op = str_at(*eo, "operator");
      bool ok = op == "In"             ? have && has_value(*eo, *have)
                : op == "NotIn"        ? !have || !has_value(*eo, *have)
                : op == "Exists"       ? have.has_value()
                : op == "DoesNotExist" ? !have.has_value()
                                       : false;
      if (!ok)
        return false;
    }
  return true;
}

int64_t scaled(const json::value* v, int64_t total, bool round_up,
               int64_t fallback) {
  if (!v || v->is_null())
    return fallback;
  if (v->is_int64())
    return v->as_int64();
  if (v->is_uint64())
    return static_cast<int64_t>(v->as_uint64());
  if (!v->is_string())
    return fallback;
  std::string s(v->as_string());
  bool percent = !s.empty() && s.back() == '%';
  if (percent)
    s.pop_back();
  uint64_t n = 0;
  if (!parse_u64(s, n))
    return fallback;
  if (!percent)
    return static_cast<int64_t>(n);
  auto x = static_cast<double>(n) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(x) : std::floor(x));
}

const json::object* obj_path(const json::object& o, std::string_view path) {
  const json::object* cur = &o;
  while (cur && !path.empty()) {
    auto dot = path.find('.');
    cur = obj_at(*cur, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view{}
                                         : path.substr(dot + 1);
  }
  return cur;
}

int64_t int_at(const json::object& o, std::string_view path,
               int64_t fallback) {
  auto dot = path.rfind('.');
  auto parent = dot == std::string_view::npos ? &o
                                              : obj_path(o, path.substr(0, dot));
  if (!parent)
    return fallback;
  auto v = parent->if_contains(dot == std::string_view::npos
                                 ? path
                                 : path.substr(dot + 1));
  if (!v)
    return fallback;
  if (v->is_int64())
    return v->as_int64();
  if (v->is_uint64())
    return static_cast<int64_t>(v->as_uint64());
  return fallback;
}

std::string template_hash(const json::value& tmpl, int64_t collisions) {
  auto text = json::serialize(tmpl);
  if (collisions > 0)
    text += std::to_string(collisions);
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  // rand.SafeEncodeString over the decimal form of the hash.
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  auto digits = std::to_string(h);
  std::string out;
  for (char d : digits)
    out += alphabet[static_cast<unsigned char>(d) % (sizeof(alphabet) - 1)];
  return out;
}

bool set_condition(json::array& conds, const std::string& type,
                   const std::string& status, const std::string& reason,
                   const std::string& message, bool with_update_time) {
  auto now = now_rfc3339();
  json::object next{{"type", type}, {"status", status}};
  if (with_update_time)
    next["lastUpdateTime"] = now;
  next["lastTransitionTime"] = now;
  next["reason"] = reason;
  next["message"] = message;
  for (auto& c : conds) {
    auto co = c.if_object();
    if (!co || str_at(*co, "type") != type)
      continue;
    if (str_at(*co, "status") == status && str_at(*co, "reason") == reason
        && str_at(*co, "message") == message)
      return false;
    if (str_at(*co, "status") == status && co->contains("lastTransitionTime"))
      next["lastTransitionTime"] = co->at("lastTransitionTime");
    c = std::move(next);
    return true;
  }
  conds.push_back(std::move(next));
  return true;
}

} // namespace kc::sim::cluster
