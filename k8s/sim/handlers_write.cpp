// POST (create) and PUT (update, /status): api:C1–C4, fieldValidation,
// dryRun.

#include "k8s/api/validation.hpp"
#include "k8s/sim/admission.hpp"
#include "k8s/sim/apply.hpp"
#include "k8s/sim/bootstrap.hpp"
#include "k8s/sim/deletion.hpp"
#include "k8s/sim/handlers.hpp"
#include "k8s/sim/json_dups.hpp"
#include "k8s/sim/lifecycle.hpp"
#include "k8s/sim/views.hpp"

#include <boost/json/serialize.hpp>

namespace kc::sim {

namespace {

/// Checks apiVersion/kind of a body against the URL's resource.
std::optional<api_response> check_type(const k8s::resource_type& t,
                                       const json::object& obj) {
  auto av = str_at(obj, "apiVersion");
  if (!av.empty() && av != t.api_version())
    return from_status(k8s::status_bad_request(
      "the API version in the data (" + av
      + ") does not match the expected API version (" + t.api_version()
      + ")"));
  auto kind = str_at(obj, "kind");
  if (!kind.empty() && kind != t.kind)
    return from_status(k8s::status_bad_request(
      "the kind in the data (" + kind + ") does not match the expected kind ("
      + t.kind + ")"));
  return std::nullopt;
}

/// Sets/validates metadata.namespace against the URL (api:C1).
std::optional<api_response> check_namespace(const k8s::resource_type& t,
                                            json::object& obj,
                                            const std::string& ns) {
  auto& md = metadata_of(obj);
  if (!t.namespaced) {
    md.erase("namespace");
    return std::nullopt;
  }
  auto body_ns = str_at(md, "namespace");
  if (!body_ns.empty() && body_ns != ns)
    return from_status(k8s::status_bad_request(
      "the namespace of the provided object does not match the namespace "
      "sent on the request"));
  md["namespace"] = ns;
  return std::nullopt;
}

/// Runs validate_object and applies fieldValidation (Strict/Warn/Ignore).
std::optional<api_response> validate(const api_request& req,
                                     const k8s::resource_type& t,
                                     json::object& obj, const std::string& ns,
                                     api_response& ok) {
  auto mode = req.param_or("fieldValidation", "Warn");
  if (mode != "Strict" && mode != "Warn" && mode != "Ignore")
    return from_status(k8s::status_bad_request(
      "fieldValidation: Unsupported value: \"" + mode
      + "\": supported values: \"Ignore\", \"Strict\", \"Warn\""));
  auto name = meta_str(obj, "name");
  auto vr = k8s::validate_object(t, obj);
  if (mode != "Ignore" && !req.body.empty() && req.body.front() == '{') {
    auto dups = duplicate_keys(req.body);
    if (!dups.empty() && mode == "Strict") {
      std::string msg = "strict decoding error: ";
      for (std::size_t i = 0; i < dups.size(); ++i)
        msg += (i ? ", " : "") + ("duplicate field \"" + dups[i] + "\"");
      return from_status(k8s::status_bad_request(msg));
    }
    for (auto& d : dups)
      ok.headers.emplace_back("Warning",
                              "299 - \"duplicate field \\\"" + d + "\\\"\"");
  }
  // A Go decoder rejects wrong JSON types before anything else (400).
  if (!vr.decode_errors.empty()) {
    auto& d = vr.decode_errors.front();
    return from_status(k8s::status_bad_request(
      t.kind + " in version \"" + t.version + "\" cannot be handled as a "
      + t.kind + ": json: cannot unmarshal " + d.got
      + " into Go struct field " + t.kind + "." + d.field + " of type "
      + d.want));
  }
  if (t.resource == "events") {
    auto more = validate_event(t, obj, ns);
    vr.errors.insert(vr.errors.end(), more.begin(), more.end());
  }
  // Strict decoding fails before validation, as in kube-apiserver.
  if (!vr.unknown_fields.empty() && mode == "Strict") {
    std::string msg = "strict decoding error: ";
    for (std::size_t i = 0; i < vr.unknown_fields.size(); ++i)
      msg += (i ? ", " : "") + ("unknown field \"" + vr.unknown_fields[i]
                                + "\"");
    return from_status(k8s::status_bad_request(msg));
  }
  if (!vr.errors.empty())
    return from_status(k8s::status_invalid(t, name, vr.errors));
  if (vr.unknown_fields.empty() || mode == "Ignore")
    return std::nullopt;
  for (auto& f : vr.unknown_fields)
    ok.headers.emplace_back("Warning", "299 - \"unknown field \\\"" + f
                                         + "\\\"\"");
  return std::nullopt;
}

/// 403 for creates in a terminating namespace (NamespaceLifecycle).
api_response namespace_terminating(const k8s::resource_type& t,
                                   const std::string& name,
                                   const std::string& ns) {
  auto st = k8s::status_forbidden(
    &t, name,
    "unable to create new content in namespace " + ns
      + " because it is being terminated");
  st.body["details"].as_object()["causes"] = json::array{
    json::object{{"reason", "NamespaceTerminating"},
                 {"message", "namespace " + ns + " is being terminated"},
                 {"field", "metadata.namespace"}}};
  return from_status(st);
}

bool is_crd(const k8s::resource_type& t) {
  return t.group == "apiextensions.k8s.io"
         && t.resource == "customresourcedefinitions";
}

api_response crd_invalid(const k8s::resource_type& t, const std::string& name,
                         const std::string& msg) {
  return from_status(
    k8s::status_invalid(t, name, {{"FieldValueInvalid", "", msg}}));
}

/// A write's body, decoded and checked against the route: the dryRun flag
/// and the object.
struct write_body {
  bool dry = false;
  json::object obj;
};

/// Decodes dryRun and the body of a create or update and checks the object's
/// kind and namespace against the route.
std::variant<write_body, api_response> decode_write(api_request& req,
                                                    const route& r) {
  auto dry = parse_dry_run(req);
  if (auto bad = std::get_if<api_response>(&dry))
    return std::move(*bad);
  auto parsed = parse_body(req);
  if (auto bad = std::get_if<api_response>(&parsed))
    return std::move(*bad);
  auto& obj = std::get<json::object>(parsed);
  if (auto bad = check_type(*r.type, obj))
    return std::move(*bad);
  if (auto bad = check_namespace(*r.type, obj, r.ns))
    return std::move(*bad);
  return write_body{std::get<bool>(dry), std::move(obj)};
}

} // namespace

api_response control_plane::do_create(api_request& req, route& r) {
  auto decoded = decode_write(req, r);
  if (auto bad = std::get_if<api_response>(&decoded))
    return std::move(*bad);
  auto& body = std::get<write_body>(decoded); // named, not a structured
  auto& dry = body.dry;                        // binding: clang 14 cannot
  auto& obj = body.obj;                        // capture those in lambdas
  auto& t = *r.type;
  if (!meta_str(obj, "resourceVersion").empty())
    return from_status(k8s::status_internal(
      "resourceVersion should not be set on objects to be created"));
  auto& md = metadata_of(obj);
  auto generate = str_at(md, "generateName");
  bool generated = str_at(md, "name").empty() && !generate.empty();
  if (generated)
    md["name"] = generate + random_suffix(5);
  if (str_at(md, "name").empty())
    return from_status(k8s::status_invalid(
      t, "",
      {{"FieldValueRequired", "metadata.name",
        "Required value: name or generateName is required"}}));
  api_response ok;
  ok.code = 201;
  if (auto bad = validate(req, t, obj, r.ns, ok))
    return std::move(*bad);
  if (auto denied = admit(*this, req, r, "CREATE", &obj)) // ADR 0008
    return std::move(*denied);
  auto applied_fields
    = is_apply(req) ? metadata_of(obj)["managedFields"] : json::value{};
  prepare_create(t, obj);
  if (applied_fields.is_array())
    metadata_of(obj)["managedFields"] = std::move(applied_fields);
  else
    record_update(t, nullptr, obj, field_manager(req), false);
  obj = to_storage(t, std::move(obj));
  auto key = storage_key(t);
  std::optional<api_response> failure;
  stored_ptr result;
  objects.transact([&](txn& tx) {
    auto ns_obj = t.namespaced ? tx.get("namespaces", "", r.ns) : nullptr;
    if (t.namespaced && !ns_obj) {
      failure = from_status(k8s::status_not_found(*namespaces_type(*this),
                                                  r.ns));
      return;
    }
    auto& m = metadata_of(obj);
    if (ns_obj && !meta_str(ns_obj->obj, "deletionTimestamp").empty()) {
      failure = namespace_terminating(t, str_at(m, "name"), r.ns);
      return;
    }
    for (int attempt = 0; tx.get(key, r.ns, str_at(m, "name")); ++attempt) {
      if (!generated || attempt >= 8) {
        auto st = k8s::status_already_exists(t, str_at(m, "name"));
        if (generated)
          st.body["details"].as_object()["retryAfterSeconds"] = 1;
        failure = from_status(st);
        return;
      }
      m["name"] = generate + random_suffix(5);
    }
    if (is_crd(t))
      if (auto msg = registry.apply_crd(obj); !msg.empty()) {
        failure = crd_invalid(t, str_at(m, "name"), msg);
        return;
      }
    if (dry) {
      result = make_stored(obj, 0);
      return;
    }
    result = tx.put(key, obj);
    if (t.group.empty() && t.resource == "namespaces")
      tx.put("serviceaccounts", default_service_account(result->name));
  });
  if (failure)
    return std::move(*failure);
  if (key == "events" && !dry)
    note_event_write(result->ns, result->name);
  ok.body = presented_json(t, result);
  return ok;
}

api_response control_plane::do_update(api_request& req, route& r) {
  bool status_write = r.sub == "status";
  if (!r.sub.empty() && !status_write)
    return from_status(k8s::status_method_not_allowed(
      "the server does not allow this method on the requested resource"));
  auto decoded = decode_write(req, r);
  if (auto bad = std::get_if<api_response>(&decoded))
    return std::move(*bad);
  auto& body = std::get<write_body>(decoded); // named, not a structured
  auto& dry = body.dry;                        // binding: clang 14 cannot
  auto& obj = body.obj;                        // capture those in lambdas
  auto& t = *r.type;
  auto& md = metadata_of(obj);
  auto name = str_at(md, "name");
  if (name.empty())
    md["name"] = name = r.name;
  if (name != r.name)
    return from_status(k8s::status_bad_request(
      "the name of the object (" + name
      + ") does not match the name on the URL (" + r.name + ")"));
  api_response ok;
  if (auto bad = validate(req, t, obj, r.ns, ok))
    return std::move(*bad);
  if (auto denied = admit(*this, req, r, "UPDATE", &obj)) // ADR 0008
    return std::move(*denied);
  obj = to_storage(t, std::move(obj));
  auto rv = meta_str(obj, "resourceVersion");
  auto key = storage_key(t);
  std::optional<api_response> failure;
  stored_ptr result;
  objects.transact([&](txn& tx) {
    auto old = tx.get(key, r.ns, r.name);
    if (!old) {
      failure = from_status(k8s::status_not_found(t, r.name));
      return;
    }
    if (!rv.empty() && rv != std::to_string(old->rev)) {
      failure = from_status(k8s::status_conflict(t, r.name));
      return;
    }
    prepare_update(t, old->obj, obj, status_write);
    if (!is_apply(req))
      record_update(t, &old->obj, obj, field_manager(req), status_write);
    metadata_of(obj)["resourceVersion"] = std::to_string(old->rev);
    if (auto bad = check_new_finalizers(t, old->obj, obj)) {
      failure = std::move(*bad);
      return;
    }
    if (obj == old->obj) {
      result = old; // no-op update: no new revision (api:C2)
      return;
    }
    if (is_crd(t) && !status_write)
      if (auto msg = registry.apply_crd(obj); !msg.empty()) {
        failure = crd_invalid(t, r.name, msg);
        return;
      }
    if (dry) {
      result = make_stored(obj, old->rev);
      return;
    }
    // The last finalizer of a deleting object is gone: delete it (api:C5).
    result = should_delete_on_update(t, obj) ? erase_object(*this, tx, t,
                                                            r.ns, r.name)
                                             : tx.put(key, obj);
  });
  if (failure)
    return std::move(*failure);
  if (key == "events" && !dry)
    note_event_write(result->ns, result->name);
  ok.body = presented_json(t, result);
  return ok;
}

} // namespace kc::sim
