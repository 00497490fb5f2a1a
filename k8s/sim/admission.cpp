// Admission webhook dispatch: matching, AdmissionReview, mutation and
// validation, failurePolicy (ADR 0008).

#include "k8s/sim/admission.hpp"

#include "k8s/api/validation.hpp"
#include "k8s/sim/jose.hpp"
#include "k8s/sim/patch.hpp"
#include "k8s/sim/views.hpp"
#include "k8s/sim/webhook_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <variant>

namespace kc::sim {

namespace {

const std::string adm_group = "admissionregistration.k8s.io";

/// Everything a webhook is asked about, built once per request.
struct review_input {
  admission_attributes attrs;
  const k8s::resource_type* type = nullptr;
  std::string ns;
  std::string name;
  json::object user;
  bool dry = false;
  const json::object* obj = nullptr;
  json::value old;
  json::value ns_labels;
};

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v)
    a.emplace_back(s);
  return a;
}

const json::object* labels_of(const json::value& o) {
  auto p = o.if_object();
  auto md = p ? obj_at(*p, "metadata") : nullptr;
  return md ? obj_at(*md, "labels") : nullptr;
}

bool webhook_matches(const json::object& wh, const review_input& in) {
  bool rule_hit = false;
  if (auto rules = wh.if_contains("rules"); rules && rules->is_array())
    for (auto& r : rules->as_array())
      rule_hit = rule_hit
                 || (r.is_object()
                     && admission_rule_matches(r.as_object(), in.attrs));
  if (!rule_hit)
    return false;
  // namespaceSelector: namespaced objects and Namespaces themselves.
  bool is_namespace
    = in.type->group.empty() && in.type->resource == "namespaces";
  if ((in.attrs.namespaced || is_namespace)
      && !label_selector_matches(obj_at(wh, "namespaceSelector"),
                                 in.ns_labels.if_object()))
    return false;
  auto os = obj_at(wh, "objectSelector");
  if (!os)
    return true;
  if (in.obj) {
    auto md = obj_at(*in.obj, "metadata");
    if (label_selector_matches(os, md ? obj_at(*md, "labels") : nullptr))
      return true;
  }
  return !in.old.is_null() && label_selector_matches(os, labels_of(in.old));
}

json::object review_body(const review_input& in, const std::string& uid) {
  auto& t = *in.type;
  json::object gvk{{"group", t.group}, {"version", t.version},
                   {"kind", t.kind}};
  json::object gvr{{"group", t.group},
                   {"version", t.version},
                   {"resource", t.resource}};
  json::object req{{"uid", uid},
                   {"kind", gvk},
                   {"resource", gvr},
                   {"requestKind", gvk},
                   {"requestResource", gvr},
                   {"name", in.name},
                   {"operation", in.attrs.operation},
                   {"userInfo", in.user},
                   {"object", in.obj ? json::value(*in.obj) : json::value()},
                   {"oldObject", in.old},
                   {"dryRun", in.dry}};
  if (!in.attrs.subresource.empty()) {
    req["subResource"] = in.attrs.subresource;
    req["requestSubResource"] = in.attrs.subresource;
  }
  if (!in.ns.empty())
    req["namespace"] = in.ns;
  auto& op = in.attrs.operation;
  const char* kind = op == "CREATE"   ? "CreateOptions"
                     : op == "UPDATE" ? "UpdateOptions"
                                      : "DeleteOptions";
  req["options"]
    = json::object{{"kind", kind}, {"apiVersion", "meta.k8s.io/v1"}};
  return json::object{{"kind", "AdmissionReview"},
                      {"apiVersion", "admission.k8s.io/v1"},
                      {"request", std::move(req)}};
}

/// The denial Status (webhook/errors.go ToStatusErr).
api_response denial(const std::string& name, const json::object* result) {
  json::object st = result ? *result : json::object{};
  int64_t code = 0;
  if (auto c = st.if_contains("code"); c && c->is_number())
    code = c->to_number<int64_t>();
  if (code < 400)
    code = 400;
  auto status = str_at(st, "status");
  auto deny = "admission webhook \"" + name + "\" denied the request";
  auto message = str_at(st, "message");
  auto reason = str_at(st, "reason");
  if (!message.empty())
    message = deny + ": " + message;
  else if (!reason.empty())
    message = deny + ": " + reason;
  else
    message = deny + " without explanation";
  json::object body{{"kind", "Status"},
                    {"apiVersion", "v1"},
                    {"metadata", json::object{}},
                    {"status", status.empty() || status == "Success"
                                 ? "Failure"
                                 : status},
                    {"message", message}};
  if (!reason.empty())
    body["reason"] = reason;
  if (auto d = st.if_contains("details"))
    body["details"] = *d;
  body["code"] = code;
  api_response r;
  r.code = static_cast<unsigned>(code);
  r.body = json::serialize(body);
  return r;
}

/// A call failure: why, for "failed calling webhook".
struct call_failure {
  std::string message;
};

/// Calls one webhook; the review's response object or a failure.
std::variant<json::object, call_failure>
call(control_plane& cp, const json::object& wh, const review_input& in) {
  auto cc = obj_at(wh, "clientConfig");
  if (!cc)
    return call_failure{"webhook has no clientConfig"};
  std::string err;
  auto target = resolve_webhook(cp, *cc, err);
  int64_t secs = 10;
  if (auto ts = wh.if_contains("timeoutSeconds"); ts && ts->is_number())
    secs = std::clamp<int64_t>(ts->to_number<int64_t>(), 1, 30);
  auto url = target ? target->url : std::string("https://<unresolved>");
  auto what = "failed to call webhook: Post \"" + url + "?timeout="
              + std::to_string(secs) + "s\": ";
  if (!target)
    return call_failure{what + err};
  std::string ca;
  if (auto b = str_at(*cc, "caBundle"); !b.empty() && !base64_std_decode(b, ca))
    return call_failure{"invalid caBundle"};
  target->target += (target->target.find('?') == std::string::npos ? "?" : "&")
                    + ("timeout=" + std::to_string(secs) + "s");
  auto uid = random_uuid();
  auto reply = post_webhook(*target, ca, json::serialize(review_body(in, uid)),
                            std::chrono::seconds(secs));
  if (!reply.error.empty())
    return call_failure{what + reply.error};
  if (reply.status < 200 || reply.status >= 300)
    return call_failure{what + "the server responded with the status code "
                        + std::to_string(reply.status)
                        + " but did not return more information"};
  boost::system::error_code ec;
  auto v = json::parse(reply.body, ec);
  auto resp = !ec && v.is_object() ? obj_at(v.as_object(), "response")
                                   : nullptr;
  if (!resp)
    return call_failure{"received invalid webhook response: missing response"};
  if (str_at(*resp, "uid") != uid)
    return call_failure{"expected response.uid=\"" + uid + "\", got \""
                        + str_at(*resp, "uid") + "\""};
  return *resp;
}

/// Applies a JSONPatch response; an error message on failure.
std::optional<std::string> apply_patch(const json::object& resp,
                                       json::object& obj) {
  auto p64 = str_at(resp, "patch");
  if (p64.empty())
    return std::nullopt;
  if (str_at(resp, "patchType") != "JSONPatch")
    return "unsupported patch type \"" + str_at(resp, "patchType") + "\"";
  std::string text;
  if (!base64_std_decode(p64, text))
    return std::string("invalid patch: not base64");
  boost::system::error_code ec;
  auto patch = json::parse(text, ec);
  if (ec || !patch.is_array())
    return std::string("invalid patch: not a JSON array");
  json::value doc = obj;
  if (auto e = json_patch(doc, patch))
    return *e;
  if (!doc.is_object())
    return std::string("the patch did not produce an object");
  obj = std::move(doc.as_object());
  return std::nullopt;
}

/// Runs the webhooks of one configuration kind (mutating or validating).
std::optional<api_response> run(control_plane& cp, review_input& in,
                                bool mutating, json::object* obj) {
  uint64_t rev = 0;
  auto configs = cp.objects.list(
    (mutating ? "mutatingwebhookconfigurations."
              : "validatingwebhookconfigurations.")
      + adm_group,
    "", rev);
  for (auto& cfg : configs) {
    auto whs = cfg->obj.if_contains("webhooks");
    if (!whs || !whs->is_array())
      continue;
    for (auto& w : whs->as_array()) {
      if (!w.is_object() || !webhook_matches(w.as_object(), in))
        continue;
      auto& wh = w.as_object();
      auto name = str_at(wh, "name");
      auto result = call(cp, wh, in);
      if (auto f = std::get_if<call_failure>(&result)) {
        if (str_at(wh, "failurePolicy") == "Ignore")
          continue;
        return from_status(k8s::status_internal(
          "failed calling webhook \"" + name + "\": " + f->message));
      }
      auto& resp = std::get<json::object>(result);
      auto allowed = resp.if_contains("allowed");
      if (!allowed || !allowed->is_bool() || !allowed->as_bool())
        return denial(name, obj_at(resp, "status"));
      if (mutating && obj) {
        if (auto e = apply_patch(resp, *obj))
          return from_status(k8s::status_internal(
            "admission webhook \"" + name
            + "\" returned an invalid patch: " + *e));
        in.obj = obj;
      }
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<api_response> admit(control_plane& cp, const api_request& req,
                                  const route& r, const char* operation,
                                  json::object* obj) {
  auto& t = *r.type;
  if (t.group == adm_group)
    return std::nullopt; // webhook configurations are never admitted
  uint64_t rev = 0;
  if (cp.objects.list("mutatingwebhookconfigurations." + adm_group, "", rev)
        .empty()
      && cp.objects
           .list("validatingwebhookconfigurations." + adm_group, "", rev)
           .empty())
    return std::nullopt;
  review_input in;
  in.type = &t;
  in.attrs.operation = operation;
  in.attrs.group = t.group;
  in.attrs.version = t.version;
  in.attrs.resource = t.resource;
  in.attrs.subresource = r.sub;
  in.attrs.namespaced = t.namespaced;
  in.ns = r.ns;
  in.name = r.name.empty() && obj ? meta_str(*obj, "name") : r.name;
  in.user = json::object{{"username", req.user},
                         {"groups", to_array(req.groups)}};
  if (!req.uid.empty())
    in.user["uid"] = req.uid;
  if (auto d = req.param("dryRun"))
    in.dry = *d == "All";
  in.obj = obj;
  if (std::string(operation) != "CREATE")
    if (auto old = cp.objects.get(control_plane::storage_key(t), r.ns, r.name))
      in.old = needs_view(t, old->obj) ? present(t, old->obj) : old->obj;
  auto ns_name = t.group.empty() && t.resource == "namespaces" ? in.name : r.ns;
  if (!ns_name.empty()) {
    json::value nsv;
    if (auto n = cp.objects.get("namespaces", "", ns_name))
      nsv = n->obj;
    else if (obj && t.group.empty() && t.resource == "namespaces")
      nsv = *obj;
    if (auto l = labels_of(nsv))
      in.ns_labels = *l;
    if (in.ns_labels.is_null())
      in.ns_labels = json::object{
        {"kubernetes.io/metadata.name", ns_name}};
  }
  if (auto bad = run(cp, in, true, obj))
    return bad;
  if (obj) {
    // Mutations are validated again before the validating webhooks.
    auto vr = k8s::validate_object(t, *obj);
    if (!vr.errors.empty())
      return from_status(k8s::status_invalid(t, in.name, vr.errors));
  }
  return run(cp, in, false, obj);
}

} // namespace kc::sim
