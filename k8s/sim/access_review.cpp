// The security endpoints that are not stored objects (ADR 0007):
// serviceaccounts/token (TokenRequest), SelfSubjectAccessReview,
// SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview
// (authorization.k8s.io/v1; rules_review.cpp),
// SelfSubjectReview and TokenReview (authentication.k8s.io/v1).

#include "k8s/api/validation.hpp"
#include "k8s/sim/authn.hpp"
#include "k8s/sim/authz.hpp"
#include "k8s/sim/handlers.hpp"

#include <boost/json/serialize.hpp>

namespace kc::sim {

namespace {

const std::string authz_group = "authorization.k8s.io";
const std::string authn_group = "authentication.k8s.io";

k8s::resource_type pseudo(const std::string& group, const std::string& kind) {
  k8s::resource_type t;
  t.group = group;
  t.version = "v1";
  t.kind = kind;
  return t;
}

api_response invalid(const std::string& group, const std::string& kind,
                     const std::string& field, const std::string& msg) {
  return from_status(k8s::status_invalid(pseudo(group, kind), "",
                                         {{"FieldValueInvalid", field, msg}}));
}

std::vector<std::string> strings_at(const json::object& o,
                                    std::string_view key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it != o.end() && it->value().is_array())
    for (auto& e : it->value().as_array())
      if (e.is_string())
        out.emplace_back(e.as_string());
  return out;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v)
    a.emplace_back(s);
  return a;
}

api_response created(json::object obj) {
  return json_text(json::serialize(obj), 201);
}

/// SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview.
api_response access_review(control_plane& cp, const api_request& req,
                           const route& r, json::object obj) {
  auto& kind = r.type->kind;
  auto spec_p = obj_at(obj, "spec");
  json::object spec = spec_p ? *spec_p : json::object{};
  auto ra = obj_at(spec, "resourceAttributes");
  auto nra = obj_at(spec, "nonResourceAttributes");
  if ((ra == nullptr) == (nra == nullptr))
    return invalid(authz_group, kind, "spec.resourceAttributes",
                   "Invalid value: \"null\": exactly one of "
                   "nonResourceAttributes or resourceAttributes must be "
                   "specified");
  authz_attributes a;
  if (kind == "SelfSubjectAccessReview") {
    a.user = req.user;
    a.groups = req.groups;
  } else {
    a.user = str_at(spec, "user");
    a.groups = strings_at(spec, "groups");
    if (a.user.empty() && a.groups.empty())
      return invalid(authz_group, kind, "spec.user",
                     "Invalid value: \"\": at least one of user or group must "
                     "be specified");
  }
  if (ra) {
    a.verb = str_at(*ra, "verb");
    a.group = str_at(*ra, "group");
    a.version = str_at(*ra, "version");
    a.resource = str_at(*ra, "resource");
    a.subresource = str_at(*ra, "subresource");
    a.ns = str_at(*ra, "namespace");
    a.name = str_at(*ra, "name");
    if (kind == "LocalSubjectAccessReview") {
      if (!a.ns.empty() && a.ns != r.ns)
        return invalid(authz_group, kind,
                       "spec.resourceAttributes.namespace",
                       "Invalid value: \"" + a.ns
                         + "\": must match metadata.namespace");
      a.ns = r.ns;
    }
  } else {
    a.resource_request = false;
    a.verb = str_at(*nra, "verb");
    a.path = str_at(*nra, "path");
  }
  auto d = authorize(cp, a);
  json::object status{{"allowed", d.allowed}};
  if (!d.reason.empty())
    status["reason"] = d.reason;
  auto& md = metadata_of(obj);
  if (!md.contains("creationTimestamp"))
    md["creationTimestamp"] = nullptr;
  if (kind == "LocalSubjectAccessReview")
    md["namespace"] = r.ns;
  obj["apiVersion"] = r.type->api_version();
  obj["kind"] = kind;
  obj["spec"] = std::move(spec);
  obj["status"] = std::move(status);
  return created(std::move(obj));
}

json::object user_info(const std::string& user, const std::string& uid,
                       const std::vector<std::string>& groups) {
  json::object u{{"username", user}, {"groups", to_array(groups)}};
  if (!uid.empty())
    u["uid"] = uid;
  return u;
}

api_response token_review(control_plane& cp, json::object obj) {
  auto spec = obj_at(obj, "spec");
  auto tok = spec ? str_at(*spec, "token") : std::string{};
  json::object status{{"authenticated", false}};
  if (tok.empty()) {
    status["error"] = "token is empty";
  } else if (tok == cp.token) {
    status["authenticated"] = true;
    status["user"] = user_info(admin_user, "", {"system:masters",
                                                "system:authenticated"});
  } else if (auto id = verify_token(cp, tok)) {
    auto groups = service_account_groups(id->ns);
    groups.emplace_back("system:authenticated");
    status["authenticated"] = true;
    status["user"] = user_info(id->username(), id->uid, groups);
    status["audiences"] = json::array{default_token_audience};
  } else {
    status["error"] = "invalid bearer token";
  }
  auto& md = metadata_of(obj);
  if (!md.contains("creationTimestamp"))
    md["creationTimestamp"] = nullptr;
  obj["status"] = std::move(status);
  return created(std::move(obj));
}

api_response token_request(control_plane& cp, const route& r,
                           json::object obj) {
  token_options opt;
  json::object spec;
  if (auto s = obj_at(obj, "spec"))
    spec = *s;
  opt.audiences = strings_at(spec, "audiences");
  auto exp = spec.find("expirationSeconds");
  if (exp != spec.end() && exp->value().is_number()) {
    auto secs = exp->value().to_number<int64_t>();
    if (secs < 600)
      return invalid(authn_group, "TokenRequest", "spec.expirationSeconds",
                     "Invalid value: " + std::to_string(secs)
                       + ": may not specify a duration less than 10 minutes");
    if (secs > (int64_t{1} << 32))
      return invalid(authn_group, "TokenRequest", "spec.expirationSeconds",
                     "Invalid value: " + std::to_string(secs)
                       + ": may not specify a duration larger than 2^32 "
                         "seconds");
    opt.expiration_seconds = secs;
  }
  if (auto ref = obj_at(spec, "boundObjectRef")) {
    opt.bound_kind = str_at(*ref, "kind");
    opt.bound_name = str_at(*ref, "name");
    opt.bound_uid = str_at(*ref, "uid");
    if (opt.bound_kind != "Pod" && opt.bound_kind != "Secret")
      return invalid(authn_group, "TokenRequest", "spec.boundObjectRef.kind",
                     "Unsupported value: \"" + opt.bound_kind
                       + "\": supported values: \"Pod\", \"Secret\"");
  }
  if (!cp.objects.get("serviceaccounts", r.ns, r.name))
    return from_status(k8s::status_not_found(*r.type, r.name));
  auto tok = issue_token(cp, r.ns, r.name, opt);
  if (!tok) {
    k8s::resource_type bt;
    bt.resource = opt.bound_kind == "Pod" ? "pods" : "secrets";
    return from_status(k8s::status_not_found(bt, opt.bound_name));
  }
  if (opt.audiences.empty())
    opt.audiences = {default_token_audience};
  spec["audiences"] = to_array(opt.audiences);
  spec["expirationSeconds"] = opt.expiration_seconds;
  if (!spec.contains("boundObjectRef"))
    spec["boundObjectRef"] = nullptr;
  json::object out{
    {"kind", "TokenRequest"},
    {"apiVersion", "authentication.k8s.io/v1"},
    {"metadata", json::object{{"name", r.name},
                              {"namespace", r.ns},
                              {"creationTimestamp", now_rfc3339()}}},
    {"spec", std::move(spec)},
    {"status", json::object{{"token", tok->token},
                            {"expirationTimestamp",
                             tok->expiration_timestamp}}}};
  return created(std::move(out));
}

/// fieldValidation against the review's schema (builtin_schemas): wrong
/// JSON types are 400, unknown fields 400 (Strict) or a Warning (Warn).
std::optional<api_response> check_fields(const api_request& req,
                                         const k8s::resource_type& t,
                                         json::object obj,
                                         std::vector<std::string>& warnings) {
  auto mode = req.param_or("fieldValidation", "Warn");
  if (mode != "Strict" && mode != "Warn" && mode != "Ignore")
    return from_status(k8s::status_bad_request(
      "fieldValidation: Unsupported value: \"" + mode
      + "\": supported values: \"Ignore\", \"Strict\", \"Warn\""));
  auto vr = k8s::validate_object(t, obj);
  if (!vr.decode_errors.empty()) {
    auto& d = vr.decode_errors.front();
    return from_status(k8s::status_bad_request(
      t.kind + " in version \"v1\" cannot be handled as a " + t.kind
      + ": json: cannot unmarshal " + d.got + " into Go struct field "
      + t.kind + "." + d.field + " of type " + d.want));
  }
  if (vr.unknown_fields.empty() || mode == "Ignore")
    return std::nullopt;
  if (mode == "Strict") {
    std::string msg = "strict decoding error: ";
    for (std::size_t i = 0; i < vr.unknown_fields.size(); ++i)
      msg += (i ? ", " : "") + ("unknown field \"" + vr.unknown_fields[i]
                                + "\"");
    return from_status(k8s::status_bad_request(msg));
  }
  for (auto& f : vr.unknown_fields)
    warnings.push_back("299 - \"unknown field \\\"" + f + "\\\"\"");
  return std::nullopt;
}

api_response serve_review(control_plane& cp, api_request& req,
                          const route& r, json::object obj) {
  if (r.sub == "token")
    return token_request(cp, r, std::move(obj));
  auto& res = r.type->resource;
  if (res == "tokenreviews")
    return token_review(cp, std::move(obj));
  if (res == "selfsubjectrulesreviews")
    return rules_review(cp, req, std::move(obj));
  if (res == "selfsubjectreviews") {
    json::object out{{"kind", "SelfSubjectReview"},
                     {"apiVersion", r.type->api_version()},
                     {"metadata", json::object{{"creationTimestamp",
                                                now_rfc3339()}}},
                     {"status", json::object{{"userInfo",
                                              user_info(req.user, req.uid,
                                                        req.groups)}}}};
    return created(std::move(out));
  }
  return access_review(cp, req, r, std::move(obj));
}

bool is_virtual(const route& r) {
  auto& t = *r.type;
  if (t.group == authz_group)
    return true;
  if (t.group == authn_group)
    return true;
  return t.group.empty() && t.resource == "serviceaccounts" && r.sub == "token";
}

} // namespace

std::optional<api_response> serve_security_resource(control_plane& cp,
                                                    api_request& req,
                                                    const route& r) {
  if (!is_virtual(r))
    return std::nullopt;
  bool token_sub = r.sub == "token";
  if (req.method != "POST" || (!token_sub && (!r.name.empty() || r.watch_prefix)))
    return from_status(k8s::status_method_not_allowed(
      "the server does not allow this method on the requested resource"));
  auto parsed = parse_body(req);
  if (auto bad = std::get_if<api_response>(&parsed))
    return std::move(*bad);
  auto obj = std::move(std::get<json::object>(parsed));
  std::vector<std::string> warnings;
  auto t = token_sub ? pseudo(authn_group, "TokenRequest") : *r.type;
  if (auto bad = check_fields(req, t, obj, warnings))
    return std::move(*bad);
  auto out = serve_review(cp, req, r, std::move(obj));
  for (auto& w : warnings)
    out.headers.emplace_back("Warning", w);
  return out;
}

} // namespace kc::sim
