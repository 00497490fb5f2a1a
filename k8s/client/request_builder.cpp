#include "k8s/client/request_builder.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

namespace kc::k8s {

resource_ref resource_ref::of(const resource_type& t, std::string ns,
                              std::string name) {
  resource_ref r;
  r.group = t.group;
  r.version = t.version;
  r.resource = t.resource;
  r.namespaced = t.namespaced;
  if (t.namespaced)
    r.ns = std::move(ns);
  r.name = std::move(name);
  return r;
}

const char* content_type_of(patch_type t) {
  switch (t) {
    case patch_type::merge: return "application/merge-patch+json";
    case patch_type::json: return "application/json-patch+json";
    case patch_type::strategic: return "application/strategic-merge-patch+json";
    case patch_type::apply: return "application/apply-patch+yaml";
  }
  return "application/json";
}

const char* to_string(http_verb v) {
  switch (v) {
    case http_verb::get: return "GET";
    case http_verb::post: return "POST";
    case http_verb::put: return "PUT";
    case http_verb::patch: return "PATCH";
    case http_verb::del: return "DELETE";
  }
  return "GET";
}

namespace {

boost::urls::url build_url(const resource_ref& r) {
  boost::urls::url u;
  u.set_path_absolute(true);
  auto segs = u.segments();
  if (r.group.empty()) {
    segs.push_back("api");
  } else {
    segs.push_back("apis");
    segs.push_back(r.group);
  }
  segs.push_back(r.version);
  if (r.namespaced && !r.ns.empty()) {
    segs.push_back("namespaces");
    segs.push_back(r.ns);
  }
  segs.push_back(r.resource);
  if (!r.name.empty()) {
    segs.push_back(r.name);
    if (!r.subresource.empty())
      segs.push_back(r.subresource);
  }
  return u;
}

/// Appends key=value with every byte outside RFC 3986 "unreserved"
/// percent-encoded: Go's url.ParseQuery reads '+' as a space, so "x+y"
/// must travel as "x%2By".
void add(boost::urls::url& u, std::string_view key, std::string_view value) {
  if (value.empty())
    return;
  auto k = boost::urls::encode(key, boost::urls::unreserved_chars);
  auto v = boost::urls::encode(value, boost::urls::unreserved_chars);
  u.encoded_params().append(
    {boost::urls::pct_string_view(k), boost::urls::pct_string_view(v)});
}

void add_common_write(boost::urls::url& u, const request_options& o) {
  if (o.dry_run)
    add(u, "dryRun", "All");
  add(u, "fieldManager", o.field_manager);
  add(u, "fieldValidation", o.field_validation);
}

} // namespace

std::string resource_path(const resource_ref& r) {
  return std::string(build_url(r).encoded_path());
}

std::string resource_target(const resource_ref& r, const request_options& o,
                            http_verb verb, bool watch) {
  auto u = build_url(r);
  switch (verb) {
    case http_verb::get:
      if (watch) {
        add(u, "watch", "true");
        if (o.allow_watch_bookmarks)
          add(u, "allowWatchBookmarks", "true");
        if (o.timeout_seconds)
          add(u, "timeoutSeconds", std::to_string(*o.timeout_seconds));
      }
      add(u, "labelSelector", o.label_selector);
      add(u, "fieldSelector", o.field_selector);
      add(u, "resourceVersion", o.resource_version);
      add(u, "resourceVersionMatch", o.resource_version_match);
      if (o.limit && !watch)
        add(u, "limit", std::to_string(*o.limit));
      add(u, "continue", o.continue_token);
      if (o.timeout_seconds && !watch && r.name.empty())
        add(u, "timeoutSeconds", std::to_string(*o.timeout_seconds));
      break;
    case http_verb::post:
    case http_verb::put: add_common_write(u, o); break;
    case http_verb::patch:
      add_common_write(u, o);
      if (o.force)
        add(u, "force", "true");
      break;
    case http_verb::del:
      if (o.dry_run)
        add(u, "dryRun", "All");
      break;
  }
  return std::string(u.encoded_target());
}

api_request make_get(const resource_ref& r, const request_options& o) {
  return {http_verb::get, resource_target(r, o, http_verb::get), {}, {}, true,
          {}};
}

api_request make_list(const resource_ref& r, const request_options& o) {
  auto c = r;
  c.name.clear();
  c.subresource.clear();
  return make_get(c, o);
}

api_request make_watch(const resource_ref& r, const request_options& o) {
  auto c = r;
  c.name.clear();
  c.subresource.clear();
  auto opts = o;
  if (!r.name.empty()) // watch one object: metadata.name field selector
    opts.field_selector = "metadata.name=" + r.name
                          + (o.field_selector.empty() ? "" : "," + o.field_selector);
  return {http_verb::get, resource_target(c, opts, http_verb::get, true), {},
          {}, true, {}};
}

api_request make_create(const resource_ref& r, const boost::json::object& obj,
                        const request_options& o) {
  auto c = r;
  c.name.clear();
  c.subresource.clear();
  return {http_verb::post, resource_target(c, o, http_verb::post),
          "application/json", boost::json::serialize(obj), true, {}};
}

api_request make_update(const resource_ref& r, const boost::json::object& obj,
                        const request_options& o) {
  return {http_verb::put, resource_target(r, o, http_verb::put),
          "application/json", boost::json::serialize(obj), true, {}};
}

api_request make_update_status(resource_ref r, const boost::json::object& obj,
                               const request_options& o) {
  r.subresource = "status";
  return make_update(r, obj, o);
}

api_request make_delete(const resource_ref& r, const request_options& o) {
  boost::json::object opts{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!o.propagation_policy.empty())
    opts["propagationPolicy"] = o.propagation_policy;
  if (o.grace_period_seconds)
    opts["gracePeriodSeconds"] = *o.grace_period_seconds;
  if (!o.precondition_resource_version.empty() || !o.precondition_uid.empty()) {
    boost::json::object pre;
    if (!o.precondition_resource_version.empty())
      pre["resourceVersion"] = o.precondition_resource_version;
    if (!o.precondition_uid.empty())
      pre["uid"] = o.precondition_uid;
    opts["preconditions"] = std::move(pre);
  }
  if (o.dry_run)
    opts["dryRun"] = boost::json::array{"All"};
  return {http_verb::del, resource_target(r, o, http_verb::del),
          "application/json", boost::json::serialize(opts), true, {}};
}

api_request make_patch(const resource_ref& r, patch_type t, std::string body,
                       const request_options& o) {
  return {http_verb::patch, resource_target(r, o, http_verb::patch),
          content_type_of(t), std::move(body), true, {}};
}

} // namespace kc::k8s
