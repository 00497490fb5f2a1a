// PATCH: merge, JSON, strategic merge and (simplified) apply patches, all
// turned into a full update of the current object (optimistic, retried when
// the patch itself carries no resourceVersion).

#include "k8s/sim/apply.hpp"
#include "k8s/sim/handlers.hpp"
#include "k8s/sim/patch.hpp"
#include "k8s/sim/views.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace kc::sim {

namespace {

constexpr const char* accepted_patches
  = "application/json-patch+json, application/merge-patch+json, "
    "application/apply-patch+yaml, application/strategic-merge-patch+json";

std::string media_type(const std::string& ct) {
  auto semi = ct.find(';');
  auto t = ct.substr(0, semi);
  while (!t.empty() && t.back() == ' ')
    t.pop_back();
  return t;
}

} // namespace

api_response control_plane::do_patch(api_request& req, route& r) {
  auto type = media_type(req.content_type);
  bool merge = type == "application/merge-patch+json";
  bool strategic = type == "application/strategic-merge-patch+json";
  bool jsonp = type == "application/json-patch+json";
  bool apply = type == "application/apply-patch+yaml";
  if (!merge && !strategic && !jsonp && !apply)
    return from_status(k8s::status_unsupported_media_type(accepted_patches));
  if (strategic && r.type->custom)
    return from_status(k8s::status_unsupported_media_type(
      "application/json-patch+json, application/merge-patch+json, "
      "application/apply-patch+yaml"));
  if (apply && req.param_or("fieldManager", "").empty())
    return from_status(k8s::status_invalid(
      meta_type("PatchOptions"), "",
      {{"FieldValueRequired", "fieldManager",
        "Required value: is required for apply patch"}}));
  bool force = false;
  if (auto f = req.param("force")) {
    if (!apply)
      return from_status(k8s::status_invalid(
        meta_type("PatchOptions"), "",
        {{"FieldValueForbidden", "force",
          "Forbidden: may not be specified for non-apply patch"}}));
    if (!parse_go_bool(*f, force))
      return from_status(k8s::status_bad_request(
        "invalid boolean value for force: \"" + *f + "\""));
  }
  boost::system::error_code ec;
  auto patch = json::parse(req.body, ec);
  if (ec)
    return from_status(k8s::status_bad_request(
      apply ? "error decoding YAML: only JSON apply patches are supported: "
                + ec.message()
            : "error decoding patch: " + ec.message()));
  if (jsonp && !patch.is_array())
    return from_status(k8s::status_bad_request(
      "json: cannot unmarshal " + std::string(patch.is_object() ? "object"
                                                                : "value")
      + " into Go value of type jsonpatch.Patch"));
  if (apply && !patch.is_object())
    return from_status(k8s::status_bad_request(
      "error decoding YAML: the apply patch must be an object"));
  if ((merge || strategic) && !patch.is_object())
    return from_status(k8s::status_bad_request(
      "json: cannot unmarshal " + std::string(patch.is_array() ? "array"
                                                               : "value")
      + " into Go value of type map[string]interface {}"));
  std::string patch_rv;
  if (patch.is_object())
    if (auto md = obj_at(patch.as_object(), "metadata"))
      patch_rv = str_at(*md, "resourceVersion");
  auto key = storage_key(*r.type);
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto old = objects.get(key, r.ns, r.name);
    if (!old) {
      if (!apply || !r.sub.empty())
        return from_status(k8s::status_not_found(*r.type, r.name));
      api_request create = req;
      create.method = "POST";
      auto applied = server_side_apply(*r.type, nullptr, patch.as_object(),
                                       field_manager(req), force, false);
      if (auto bad = std::get_if<api_response>(&applied))
        return std::move(*bad);
      create.body = json::serialize(std::get<json::object>(applied));
      return do_create(create, r);
    }
    json::value doc = needs_view(*r.type, old->obj)
                        ? json::value(present(*r.type, old->obj))
                        : json::value(old->obj);
    if (jsonp) {
      if (json_patch(doc, patch)) {
        // kube-apiserver: NewGenericServerResponse(422, …) — no causes.
        k8s::api_status st;
        st.code = 422;
        st.body = json::object{
          {"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object{}},
          {"status", "Failure"},
          {"message",
           "the server rejected our request due to an error in our request"},
          {"reason", "Invalid"},
          {"details", json::object{}},
          {"code", 422}};
        return from_status(st);
      }
    } else if (strategic) {
      strategic_merge_patch(doc, patch);
    } else if (apply) {
      auto applied
        = server_side_apply(*r.type, &doc.as_object(), patch.as_object(),
                            field_manager(req), force, r.sub == "status");
      if (auto bad = std::get_if<api_response>(&applied))
        return std::move(*bad);
      doc = std::move(std::get<json::object>(applied));
    } else {
      merge_patch(doc, patch);
    }
    if (!doc.is_object())
      return from_status(
        k8s::status_bad_request("the patch did not produce an object"));
    auto& md = metadata_of(doc.as_object());
    if (patch_rv.empty() && !jsonp)
      md["resourceVersion"] = std::to_string(old->rev);
    else if (jsonp && meta_str(doc.as_object(), "resourceVersion").empty())
      md["resourceVersion"] = std::to_string(old->rev);
    api_request update = req;
    update.method = "PUT";
    update.body = json::serialize(doc);
    auto resp = do_update(update, r);
    if (resp.code == 409 && patch_rv.empty()
        && resp.body.find("\"Conflict\"") != std::string::npos)
      continue;
    return resp;
  }
  return from_status(k8s::status_conflict(*r.type, r.name));
}

} // namespace kc::sim
