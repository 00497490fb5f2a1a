// GET, LIST and pod logs.

#include "k8s/sim/handlers.hpp"
#include "k8s/sim/kubelet/pod_log.hpp"
#include "k8s/sim/protobuf.hpp"
#include "k8s/sim/views.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace kc::sim {

bool selection::matches(const json::object& obj) const {
  if (!labels.empty()) {
    auto md = obj_at(obj, "metadata");
    if (!labels.matches(md ? obj_at(*md, "labels") : nullptr))
      return false;
  }
  return fields.empty() || fields.matches(obj);
}

std::variant<selection, api_response> parse_selection(const api_request& req,
                                                      const route& r) {
  selection s;
  if (auto l = req.param("labelSelector"); l && !l->empty()) {
    auto parsed = k8s::label_selector::parse(*l);
    if (auto msg = std::get_if<std::string>(&parsed))
      return from_status(k8s::status_bad_request(*msg));
    s.labels = std::get<k8s::label_selector>(std::move(parsed));
  }
  if (auto f = req.param("fieldSelector"); f && !f->empty()) {
    auto parsed = k8s::field_selector::parse(*r.type, *f);
    if (auto msg = std::get_if<std::string>(&parsed))
      return from_status(k8s::status_bad_request(*msg));
    s.fields = std::get<k8s::field_selector>(std::move(parsed));
  }
  return s;
}

api_response json_text(std::string json, unsigned code) {
  api_response r;
  r.code = code;
  r.body = std::move(json);
  return r;
}

std::variant<json::object, api_response> parse_body(const api_request& req) {
  // JSON (api:D6); protobuf from kubectl's typed clients for the kinds its
  // generators create; anything else gets a clear 415.
  if (is_k8s_protobuf(req.content_type)) {
    auto decoded = decode_k8s_protobuf(req.body);
    if (auto msg = std::get_if<std::string>(&decoded))
      return from_status(k8s::status_unsupported_media_type(
        "application/json, application/yaml (" + *msg + ")"));
    return std::move(std::get<json::object>(decoded));
  }
  if (req.content_type.rfind("application/cbor", 0) == 0)
    return from_status(k8s::status_unsupported_media_type(
      "application/json, application/yaml"));
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec)
    return from_status(k8s::status_bad_request(
      "couldn't get version/kind; json parse error: " + ec.message()));
  if (!v.is_object())
    return from_status(k8s::status_bad_request(
      "couldn't get version/kind; json parse error: json: cannot unmarshal "
      "non-object into Go value of type struct"));
  return std::move(v.as_object());
}

k8s::resource_type_ptr namespaces_type(const control_plane& cp) {
  return cp.registry.find("", "v1", "namespaces");
}

std::variant<bool, api_response> parse_dry_run(const api_request& req) {
  bool dry = false;
  for (auto& [k, v] : req.query)
    if (k == "dryRun") {
      if (v != "All")
        return from_status(k8s::status_bad_request(
          "dryRun: Unsupported value: \"" + v
          + "\": supported values: \"All\""));
      dry = true;
    }
  return dry;
}

k8s::resource_type meta_type(const char* kind) {
  k8s::resource_type t;
  t.group = "meta.k8s.io";
  t.version = "v1";
  t.kind = kind;
  return t;
}

std::optional<uint64_t> requested_rv(const api_request& req) {
  auto p = req.param("resourceVersion");
  uint64_t rv = 0;
  if (!p || p->empty() || !parse_u64(*p, rv) || rv == 0)
    return std::nullopt;
  return rv;
}

api_response control_plane::do_get(api_request& req, route& r) {
  auto s = objects.get(storage_key(*r.type), r.ns, r.name);
  if (!s)
    return from_status(k8s::status_not_found(*r.type, r.name));
  if (k8s::wants_table(req.accept)) {
    std::vector<std::shared_ptr<const json::object>> objs;
    if (needs_view(*r.type, s->obj))
      objs.push_back(std::make_shared<json::object>(present(*r.type, s->obj)));
    else
      objs.push_back(std::shared_ptr<const json::object>(s, &s->obj));
    auto table = k8s::make_table(
      *r.type, objs,
      k8s::parse_include_object(req.param_or("includeObject", "")), true,
      std::to_string(s->rev), std::chrono::system_clock::now());
    return json_text(json::serialize(table));
  }
  return json_text(presented_json(*r.type, s));
}

api_response control_plane::do_list(api_request& req, route& r) {
  auto sel = parse_selection(req, r);
  if (auto bad = std::get_if<api_response>(&sel))
    return std::move(*bad);
  auto& selected = std::get<selection>(sel);
  if (req.param("sendInitialEvents"))
    return from_status(k8s::status_invalid(
      meta_type("ListOptions"), "",
      {{"FieldValueForbidden", "sendInitialEvents",
        "Forbidden: sendInitialEvents is forbidden for list"}}));
  uint64_t rev = 0;
  auto items = objects.list(storage_key(*r.type), r.ns, rev);
  if (auto want = requested_rv(req); want && *want > rev)
    return from_status(k8s::status_timeout(
      "Too large resource version: " + std::to_string(*want)
        + ", current: " + std::to_string(rev),
      "ResourceVersionTooLarge"));
  auto& t = *r.type;
  auto rv = std::to_string(rev);
  if (k8s::wants_table(req.accept)) {
    std::vector<std::shared_ptr<const json::object>> objs;
    for (auto& s : items) {
      if (needs_view(t, s->obj)) {
        auto o = std::make_shared<json::object>(present(t, s->obj));
        if (selected.matches(*o))
          objs.push_back(std::move(o));
      } else if (selected.matches(s->obj)) {
        objs.push_back(std::shared_ptr<const json::object>(s, &s->obj));
      }
    }
    auto table = k8s::make_table(
      t, objs, k8s::parse_include_object(req.param_or("includeObject", "")),
      true, rv, std::chrono::system_clock::now());
    return json_text(json::serialize(table));
  }
  std::string body;
  std::size_t total = 0;
  for (auto& s : items)
    total += s->json.size() + 1;
  body.reserve(total + 128);
  body += "{\"kind\":\"";
  body += t.list_kind;
  body += "\",\"apiVersion\":\"";
  body += t.api_version();
  body += "\",\"metadata\":{\"resourceVersion\":\"";
  body += rv;
  body += "\"},\"items\":[";
  bool first = true;
  for (auto& s : items) {
    std::string converted;
    const std::string* text = &s->json;
    if (needs_view(t, s->obj)) {
      auto o = present(t, s->obj);
      if (!selected.matches(o))
        continue;
      converted = json::serialize(o);
      text = &converted;
    } else if (!selected.all() && !selected.matches(s->obj)) {
      continue;
    }
    if (!first)
      body += ',';
    first = false;
    body += *text;
  }
  body += "]}";
  return json_text(std::move(body));
}

api_response control_plane::do_log(api_request& req, route& r) {
  auto s = objects.get(storage_key(*r.type), r.ns, r.name);
  if (!s)
    return from_status(k8s::status_not_found(*r.type, r.name));
  std::vector<std::string> names;
  if (auto spec = obj_at(s->obj, "spec"))
    if (auto cs = spec->if_contains("containers"); cs && cs->is_array())
      for (auto& c : cs->as_array())
        if (c.is_object())
          names.push_back(str_at(c.as_object(), "name"));
  auto container = req.param_or("container", "");
  if (container.empty() && names.size() > 1) {
    std::string list;
    for (auto& n : names)
      list += (list.empty() ? "" : " ") + n;
    return from_status(k8s::status_bad_request(
      "a container name must be specified for pod " + r.name
      + ", choose one of: [" + list + "]"));
  }
  if (!container.empty()
      && std::find(names.begin(), names.end(), container) == names.end())
    return from_status(k8s::status_bad_request(
      "container " + container + " is not valid for pod " + r.name));
  // The process kubelet's log (ADR 0071); empty in stage mode.
  return pod_log_response(kubelet_dir, s->obj,
                          container.empty() && !names.empty() ? names.front()
                                                              : container,
                          req);
}

} // namespace kc::sim
