// DELETE and deletecollection, with DeleteOptions from the body or the query
// (api:A4 basics: preconditions, dryRun, propagationPolicy values).

#include "k8s/sim/handlers.hpp"
#include "k8s/sim/views.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

namespace kc::sim {

namespace {

/// The DeleteOptions that matter here.
struct delete_options {
  bool dry_run = false;
  std::string uid;
  std::string resource_version;
};

std::variant<delete_options, api_response>
parse_delete_options(const api_request& req) {
  delete_options o;
  auto dry = parse_dry_run(req);
  if (auto bad = std::get_if<api_response>(&dry))
    return std::move(*bad);
  o.dry_run = std::get<bool>(dry);
  std::string policy = req.param_or("propagationPolicy", "");
  if (!req.body.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object())
      return from_status(k8s::status_bad_request(
        "couldn't get version/kind; json parse error: "
        + (ec ? ec.message() : std::string("not an object"))));
    auto& b = v.as_object();
    if (auto p = str_at(b, "propagationPolicy"); !p.empty())
      policy = p;
    if (auto pre = obj_at(b, "preconditions")) {
      o.uid = str_at(*pre, "uid");
      o.resource_version = str_at(*pre, "resourceVersion");
    }
    if (auto d = b.if_contains("dryRun"); d && d->is_array())
      for (auto& x : d->as_array()) {
        if (!x.is_string() || x.as_string() != "All")
          return from_status(k8s::status_bad_request(
            "dryRun: Unsupported value: " + json::serialize(x)
            + ": supported values: \"All\""));
        o.dry_run = true;
      }
  }
  if (!policy.empty() && policy != "Background" && policy != "Foreground"
      && policy != "Orphan")
    return from_status(k8s::status_invalid(
      meta_type("DeleteOptions"), "",
      {{"FieldValueNotSupported", "propagationPolicy",
        "Unsupported value: \"" + policy
          + "\": supported values: \"Foreground\", \"Background\", "
            "\"Orphan\", \"nil\""}}));
  return o;
}

api_response precondition_failed(const k8s::resource_type& t,
                                 const std::string& name,
                                 const std::string& what,
                                 const std::string& want,
                                 const std::string& have) {
  auto st = k8s::status_conflict(t, name);
  st.body["message"] = "Operation cannot be fulfilled on "
                       + t.group_resource() + " \"" + name
                       + "\": Precondition failed: " + what
                       + " in precondition: " + want + ", " + what
                       + " in object meta: " + have;
  return from_status(st);
}

bool is_crd(const k8s::resource_type& t) {
  return t.group == "apiextensions.k8s.io"
         && t.resource == "customresourcedefinitions";
}

} // namespace

void control_plane::delete_namespace_contents(txn& tx, const std::string& ns) {
  std::set<std::string> keys;
  for (auto& t : registry.all())
    if (t->namespaced)
      keys.insert(storage_key(*t));
  for (auto& key : keys)
    for (auto& s : tx.list(key, ns))
      tx.erase(key, s->ns, s->name);
}

api_response control_plane::do_delete(api_request& req, route& r) {
  auto parsed = parse_delete_options(req);
  if (auto bad = std::get_if<api_response>(&parsed))
    return std::move(*bad);
  auto& opts = std::get<delete_options>(parsed);
  auto& t = *r.type;
  auto key = storage_key(t);
  std::optional<api_response> failure;
  stored_ptr result;
  std::string crd_key;
  objects.transact([&](txn& tx) {
    auto old = tx.get(key, r.ns, r.name);
    if (!old) {
      failure = from_status(k8s::status_not_found(t, r.name));
      return;
    }
    auto uid = meta_str(old->obj, "uid");
    if (!opts.uid.empty() && opts.uid != uid) {
      failure = precondition_failed(t, r.name, "UID", opts.uid, uid);
      return;
    }
    auto rv = std::to_string(old->rev);
    if (!opts.resource_version.empty() && opts.resource_version != rv) {
      failure = precondition_failed(t, r.name, "ResourceVersion",
                                    opts.resource_version, rv);
      return;
    }
    if (opts.dry_run) {
      result = old;
      return;
    }
    if (t.group.empty() && t.resource == "namespaces")
      delete_namespace_contents(tx, r.name);
    if (is_crd(t)) {
      // The CRD's custom resources go with it.
      if (auto spec = obj_at(old->obj, "spec")) {
        auto names = obj_at(*spec, "names");
        crd_key = (names ? str_at(*names, "plural") : std::string{}) + "."
                  + str_at(*spec, "group");
        for (auto& s : tx.list(crd_key, ""))
          tx.erase(crd_key, s->ns, s->name);
      }
      registry.remove_crd(r.name);
    }
    result = tx.erase(key, r.ns, r.name);
  });
  if (failure)
    return std::move(*failure);
  return json_text(presented_json(t, result));
}

api_response control_plane::do_delete_collection(api_request& req, route& r) {
  auto& t = *r.type;
  if (std::find(t.verbs.begin(), t.verbs.end(), "deletecollection")
      == t.verbs.end())
    return from_status(k8s::status_method_not_allowed(
      "the server does not allow this method on the requested resource"));
  auto parsed = parse_delete_options(req);
  if (auto bad = std::get_if<api_response>(&parsed))
    return std::move(*bad);
  auto sel = parse_selection(req, r);
  if (auto bad = std::get_if<api_response>(&sel))
    return std::move(*bad);
  auto& selected = std::get<selection>(sel);
  bool dry = std::get<delete_options>(parsed).dry_run;
  auto key = storage_key(t);
  std::string items;
  uint64_t rev = 0;
  objects.transact([&](txn& tx) {
    for (auto& s : tx.list(key, r.ns)) {
      auto view = needs_view(t, s->obj) ? present(t, s->obj) : s->obj;
      if (!selected.all() && !selected.matches(view))
        continue;
      auto gone = dry ? s : tx.erase(key, s->ns, s->name);
      items += (items.empty() ? "" : ",") + presented_json(t, gone);
    }
    rev = tx.revision();
  });
  return json_text("{\"kind\":\"" + t.list_kind + "\",\"apiVersion\":\""
                   + t.api_version()
                   + "\",\"metadata\":{\"resourceVersion\":\""
                   + std::to_string(rev) + "\"},\"items\":[" + items + "]}");
}

} // namespace kc::sim
