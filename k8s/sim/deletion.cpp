#include "k8s/sim/deletion.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/handlers.hpp"
#include "k8s/sim/lifecycle.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace kc::sim {

namespace {

bool is(const k8s::resource_type& t, const char* group, const char* res) {
  return t.group == group && t.resource == res;
}

std::optional<int64_t> parse_i64(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return v;
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

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end())
    v.push_back(s);
}

void remove_all(std::vector<std::string>& v, const std::string& s) {
  v.erase(std::remove(v.begin(), v.end(), s), v.end());
}

/// The grace period of a pod deletion; nothing for kinds and pods that go
/// at once (api:C5: unbound pods, finished pods).
std::optional<int64_t> pod_grace(const json::object& pod,
                                 const delete_options& o) {
  auto spec = obj_at(pod, "spec");
  if (!spec || str_at(*spec, "nodeName").empty())
    return std::nullopt;
  if (auto st = obj_at(pod, "status")) {
    auto phase = str_at(*st, "phase");
    if (phase == "Succeeded" || phase == "Failed")
      return std::nullopt;
  }
  int64_t grace = 30;
  if (auto g = spec->if_contains("terminationGracePeriodSeconds");
      g && g->is_int64())
    grace = g->as_int64();
  if (o.grace)
    grace = *o.grace;
  if (grace < 0)
    grace = 1;
  return grace;
}

/// Namespaces wait for their spec.finalizers (the namespace controller).
bool namespace_pending(const json::object& ns) {
  auto spec = obj_at(ns, "spec");
  if (!spec)
    return false;
  auto f = spec->if_contains("finalizers");
  return f && f->is_array() && !f->as_array().empty();
}

int64_t grace_of(const json::object& md) {
  auto g = md.if_contains("deletionGracePeriodSeconds");
  return g && g->is_int64() ? g->as_int64() : 0;
}

} // namespace

std::vector<std::string> finalizers_of(const json::object& obj) {
  std::vector<std::string> out;
  auto md = obj_at(obj, "metadata");
  if (!md)
    return out;
  if (auto f = md->if_contains("finalizers"); f && f->is_array())
    for (auto& x : f->as_array())
      if (x.is_string())
        out.emplace_back(x.as_string());
  return out;
}

void set_finalizers(json::object& obj, const std::vector<std::string>& f) {
  auto& md = metadata_of(obj);
  if (f.empty()) {
    md.erase("finalizers");
    return;
  }
  json::array a;
  for (auto& s : f)
    a.emplace_back(s);
  md["finalizers"] = std::move(a);
}

std::variant<delete_options, api_response>
parse_delete_options(const api_request& req) {
  delete_options o;
  auto dry = parse_dry_run(req);
  if (auto bad = std::get_if<api_response>(&dry))
    return std::move(*bad);
  o.dry_run = std::get<bool>(dry);
  o.propagation = req.param_or("propagationPolicy", "");
  if (auto g = req.param("gracePeriodSeconds")) {
    auto v = parse_i64(*g);
    if (!v)
      return from_status(k8s::status_bad_request(
        "strconv.ParseInt: parsing \"" + *g + "\": invalid syntax"));
    o.grace = *v;
  }
  if (req.param_or("orphanDependents", "") == "true" && o.propagation.empty())
    o.propagation = "Orphan";
  if (!req.body.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object())
      return from_status(k8s::status_bad_request(
        "couldn't get version/kind; json parse error: "
        + (ec ? ec.message() : std::string("not an object"))));
    auto& b = v.as_object();
    if (auto p = str_at(b, "propagationPolicy"); !p.empty())
      o.propagation = p;
    if (auto od = b.if_contains("orphanDependents");
        od && od->is_bool() && od->as_bool() && o.propagation.empty())
      o.propagation = "Orphan";
    if (auto g = b.if_contains("gracePeriodSeconds"); g && g->is_int64())
      o.grace = g->as_int64();
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
  auto& policy = o.propagation;
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

stored_ptr erase_object(control_plane& cp, txn& tx,
                        const k8s::resource_type& t, const std::string& ns,
                        const std::string& name) {
  auto key = control_plane::storage_key(t);
  if (is(t, "apiextensions.k8s.io", "customresourcedefinitions")) {
    // The CRD's custom resources go with it.
    if (auto old = tx.get(key, ns, name))
      if (auto spec = obj_at(old->obj, "spec")) {
        auto names = obj_at(*spec, "names");
        auto crd_key = (names ? str_at(*names, "plural") : std::string{})
                       + "." + str_at(*spec, "group");
        for (auto& s : tx.list(crd_key, ""))
          tx.erase(crd_key, s->ns, s->name);
        cp.registry.remove_crd(name);
      }
  }
  return tx.erase(key, ns, name);
}

delete_outcome delete_object(control_plane& cp, txn& tx,
                             const k8s::resource_type& t,
                             const std::string& ns, const std::string& name,
                             const delete_options& o) {
  delete_outcome out;
  auto key = control_plane::storage_key(t);
  auto old = tx.get(key, ns, name);
  if (!old) {
    out.failure = from_status(k8s::status_not_found(t, name));
    return out;
  }
  if (is(t, "", "namespaces")
      && (name == "default" || name == "kube-system"
          || name == "kube-public")) {
    out.failure = from_status(
      k8s::status_forbidden(&t, name, "this namespace may not be deleted"));
    return out;
  }
  auto uid = meta_str(old->obj, "uid");
  if (!o.uid.empty() && o.uid != uid) {
    out.failure = precondition_failed(t, name, "UID", o.uid, uid);
    return out;
  }
  auto rv = std::to_string(old->rev);
  if (!o.resource_version.empty() && o.resource_version != rv) {
    out.failure = precondition_failed(t, name, "ResourceVersion",
                                      o.resource_version, rv);
    return out;
  }
  json::object obj = old->obj;
  auto fins = finalizers_of(obj);
  if (o.propagation == "Orphan") {
    add_unique(fins, "orphan");
    remove_all(fins, "foregroundDeletion");
  } else if (o.propagation == "Foreground") {
    add_unique(fins, "foregroundDeletion");
    remove_all(fins, "orphan");
  } else if (o.propagation == "Background") {
    remove_all(fins, "orphan");
    remove_all(fins, "foregroundDeletion");
  }
  std::optional<int64_t> grace;
  if (is(t, "", "pods"))
    grace = pod_grace(obj, o);
  bool ns_pending = is(t, "", "namespaces") && namespace_pending(obj);
  auto& md = metadata_of(obj);
  bool deleting = md.contains("deletionTimestamp");
  auto now = std::chrono::system_clock::now();
  bool changed = fins != finalizers_of(old->obj);
  if (deleting) {
    // A second DELETE may shorten a pod's grace period (api:C5).
    if (grace && *grace < grace_of(md)) {
      md["deletionTimestamp"] = rfc3339(now + std::chrono::seconds(*grace));
      md["deletionGracePeriodSeconds"] = *grace;
      changed = true;
    }
  } else if ((grace && *grace > 0) || !fins.empty() || ns_pending) {
    int64_t g = grace ? *grace : 0;
    md["deletionTimestamp"] = rfc3339(now + std::chrono::seconds(g));
    md["deletionGracePeriodSeconds"] = g;
    if (tracks_generation(t)) {
      auto gen = md.if_contains("generation");
      md["generation"] = (gen && gen->is_int64() ? gen->as_int64() : 1) + 1;
    }
    if (ns_pending) {
      auto& st = obj["status"];
      if (!st.is_object())
        st = json::object{};
      st.as_object()["phase"] = "Terminating";
    }
    changed = true;
  }
  set_finalizers(obj, fins);
  bool now_gone = fins.empty() && !ns_pending && grace_of(md) == 0;
  if (o.dry_run) {
    out.obj = make_stored(std::move(obj), old->rev);
    out.gone = now_gone;
    return out;
  }
  if (now_gone) {
    out.obj = erase_object(cp, tx, t, ns, name);
    out.gone = true;
  } else {
    out.obj = changed ? tx.put(key, std::move(obj)) : old;
  }
  return out;
}

std::optional<api_response> check_new_finalizers(const k8s::resource_type& t,
                                                 const json::object& old,
                                                 const json::object& obj) {
  if (meta_str(old, "deletionTimestamp").empty())
    return std::nullopt;
  auto before = finalizers_of(old);
  auto after = finalizers_of(obj);
  std::sort(after.begin(), after.end());
  after.erase(std::unique(after.begin(), after.end()), after.end());
  std::string extra;
  for (auto& f : after)
    if (std::find(before.begin(), before.end(), f) == before.end())
      extra += (extra.empty() ? "" : ", ") + ("\"" + f + "\"");
  if (extra.empty())
    return std::nullopt;
  return from_status(k8s::status_invalid(
    t, meta_str(old, "name"),
    {{"FieldValueForbidden", "metadata.finalizers",
      "Forbidden: no new finalizers can be added if the object is being "
      "deleted, found new finalizers []string{"
        + extra + "}"}}));
}

bool should_delete_on_update(const k8s::resource_type& t,
                             const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  if (!md || str_at(*md, "deletionTimestamp").empty())
    return false;
  if (is(t, "", "namespaces") && namespace_pending(obj))
    return false;
  return finalizers_of(obj).empty() && grace_of(*md) == 0;
}

} // namespace kc::sim
