// Comparison of an observed workload with the desired one (docs/adr/0101):
// the hash annotation catches every change of our inputs, the subset
// comparison catches hand edits of the fields we own (drift, up:W1).

#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/formats.hpp"
#include "k8s/api/kubecombo/workload.hpp"

#include <boost/json.hpp>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

bool is_zero(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return true;
    case json::kind::bool_:
      return !v.get_bool();
    case json::kind::string:
      return v.get_string().empty();
    case json::kind::int64:
      return v.get_int64() == 0;
    case json::kind::uint64:
      return v.get_uint64() == 0;
    case json::kind::double_:
      return v.get_double() == 0;
    case json::kind::array:
      return v.get_array().empty();
    case json::kind::object:
      return v.get_object().empty();
  }
  return false;
}

bool is_number(const json::value& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}

double number(const json::value& v) {
  return v.is_int64()    ? static_cast<double>(v.get_int64())
         : v.is_uint64() ? static_cast<double>(v.get_uint64())
                         : v.get_double();
}

// The controller owner reference of `obj` points at `uid`.
bool controlled_by_uid(const json::object& obj, const std::string& uid) {
  auto md = obj_at(obj, "metadata");
  auto refs = md ? arr_at(*md, "ownerReferences") : nullptr;
  if (!refs)
    return false;
  for (auto& r : *refs)
    if (auto o = r.if_object(); o && bool_at(*o, "controller"))
      return str_at(*o, "uid") == uid;
  return false;
}

std::string desired_owner_uid(const json::object& desired) {
  auto md = obj_at(desired, "metadata");
  auto refs = md ? arr_at(*md, "ownerReferences") : nullptr;
  if (!refs || refs->empty() || !refs->front().is_object())
    return "";
  return str_at(refs->front().as_object(), "uid");
}

} // namespace

std::string first_difference(const json::value& desired,
                             const json::value* observed,
                             const std::string& path) {
  if (!observed || observed->is_null())
    return is_zero(desired) ? "" : path;
  if (auto d = desired.if_object()) {
    auto o = observed->if_object();
    if (!o)
      return d->empty() ? "" : path;
    for (auto& kv : *d) {
      auto it = o->find(kv.key());
      auto sub = first_difference(kv.value(),
                                  it == o->end() ? nullptr : &it->value(),
                                  path + "." + std::string(kv.key()));
      if (!sub.empty())
        return sub;
    }
    return "";
  }
  if (auto d = desired.if_array()) {
    auto o = observed->if_array();
    if (!o)
      return d->empty() ? "" : path;
    // Lists of named items (containers, env, volumes, volumeMounts, ports)
    // match by name, and tolerations as a set: the server and admission
    // plugins append items (the token volume, default tolerations).
    bool named = !d->empty() && d->front().is_object()
                 && d->front().as_object().contains("name");
    bool as_set = path.size() >= 12
                  && path.compare(path.size() - 12, 12, ".tolerations") == 0;
    if (named || as_set) {
      for (size_t i = 0; i < d->size(); ++i) {
        auto name
            = (*d)[i].is_object() ? str_at((*d)[i].as_object(), "name") : "";
        auto item = path + "[" + (named ? name : std::to_string(i)) + "]";
        bool found = false;
        for (auto& ov : *o) {
          if (named
              && !(ov.is_object() && str_at(ov.as_object(), "name") == name))
            continue;
          if (first_difference((*d)[i], &ov, item).empty()) {
            found = true;
            break;
          }
          if (named)
            return first_difference((*d)[i], &ov, item);
        }
        if (!found)
          return item;
      }
      return "";
    }
    if (o->size() != d->size())
      return path;
    for (size_t i = 0; i < d->size(); ++i) {
      auto sub = first_difference((*d)[i], &(*o)[i],
                                  path + "[" + std::to_string(i) + "]");
      if (!sub.empty())
        return sub;
    }
    return "";
  }
  if (is_number(desired) && is_number(*observed))
    return number(desired) == number(*observed) ? "" : path;
  if (desired.is_string() && observed->is_string()) {
    auto& a = desired.get_string();
    auto& b = observed->get_string();
    if (a == b)
      return "";
    // The server may normalise quantities ("0.5" → "500m").
    if (path.find("resources") != std::string::npos) {
      auto qa = parse_quantity_milli(a), qb = parse_quantity_milli(b);
      if (qa && qb && *qa == *qb)
        return "";
    }
    return path;
  }
  return desired == *observed ? "" : path;
}

bool controlled_by(const json::object& obj, const json::object& owner) {
  auto uid = meta_of(owner).uid;
  return !uid.empty() && controlled_by_uid(obj, uid);
}

std::string stale_workload_kind(const debugger_spec& s) {
  return s.is_daemonset() ? "Pod" : "DaemonSet";
}

workload_diff diff_workload(const desired_workload& desired,
                            const json::object* observed) {
  using action = workload_diff::action;
  if (!observed)
    return {action::create, desired.kind + " does not exist"};
  if (!controlled_by_uid(*observed, desired_owner_uid(desired.object)))
    return {action::conflict,
            desired.kind
                + " of this name exists and is not controlled by "
                  "this Debugger"};
  auto md = obj_at(*observed, "metadata");
  if (md && md->contains("deletionTimestamp"))
    return {action::wait, desired.kind + " is being deleted"};
  auto change = desired.kind == "Pod" ? action::replace : action::update;
  auto annotations = md ? obj_at(*md, "annotations") : nullptr;
  auto hash = annotations ? str_at(*annotations, hash_annotation) : "";
  if (hash != desired.hash)
    return {change, "template hash " + (hash.empty() ? "(none)" : hash)
                        + " differs from " + desired.hash};
  for (auto part : {"metadata", "spec"}) {
    auto d = desired.object.find(part);
    auto o = observed->find(part);
    if (d == desired.object.end())
      continue;
    auto diff = first_difference(
        d->value(), o == observed->end() ? nullptr : &o->value(), part);
    if (!diff.empty())
      return {change, diff + " differs from the desired value"};
  }
  return {};
}

} // namespace kc::k8s::kubecombo
