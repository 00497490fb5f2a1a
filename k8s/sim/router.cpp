// Request routing: fixed paths (version, health, discovery, OpenAPI, fault
// API) and the resource paths of every served resource.

#include "k8s/api/discovery.hpp"
#include "k8s/api/openapi.hpp"
#include "k8s/sim/cluster/scheduler.hpp"
#include "k8s/sim/authz.hpp"
#include "k8s/sim/control_plane.hpp"

#include <boost/json/serialize.hpp>

namespace kc::sim {

namespace {

api_response json_response(const json::value& v, unsigned code = 200) {
  api_response r;
  r.code = code;
  r.body = json::serialize(v);
  return r;
}

api_response text_response(std::string text) {
  api_response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

bool is_namespace_subresource(const std::string& s) {
  return s == "status" || s == "finalize";
}

} // namespace

api_response from_status(const k8s::api_status& st) {
  api_response r;
  r.code = st.code;
  r.body = json::serialize(st.body);
  return r;
}

std::string control_plane::storage_key(const k8s::resource_type& t) {
  if (t.resource == "events" && (t.group.empty() || t.group == "events.k8s.io"))
    return "events";
  return t.group_resource();
}

api_response control_plane::handle(api_request& req) {
  auto& p = req.path;
  if (p == "/healthz" || p == "/readyz" || p == "/livez"
      || p.rfind("/healthz/", 0) == 0 || p.rfind("/readyz/", 0) == 0
      || p.rfind("/livez/", 0) == 0)
    return text_response("ok");
  if (!req.authenticated)
    return from_status(k8s::status_unauthorized());
  if (auto denied = authorize_request(*this, req)) // ADR 0007
    return std::move(*denied);
  if (p.rfind("/fault/v1/", 0) == 0)
    return cfg.fault_api ? faults.serve(req)
                         : from_status(k8s::status_not_found_path());
  if (cfg.fault_api)
    if (auto f = faults.intercept(req))
      return std::move(*f);
  if (p == "/version" || p == "/version/")
    return json_response(k8s::version_info());
  if (p == "/openapi/v3" || p == "/openapi/v3/")
    return json_response(k8s::openapi_index(registry));
  if (p.rfind("/openapi/v3/", 0) == 0) {
    auto segs = split_path(p.substr(std::string("/openapi/v3").size()));
    json::value doc;
    if (segs.size() == 2 && segs[0] == "api")
      doc = k8s::openapi_group_version(registry, "", segs[1]);
    else if (segs.size() == 3 && segs[0] == "apis")
      doc = k8s::openapi_group_version(registry, segs[1], segs[2]);
    if (doc.is_null())
      return from_status(k8s::status_not_found_path());
    return json_response(doc);
  }
  if (p == "/api" || p == "/api/" || p == "/apis" || p == "/apis/") {
    bool core = p.rfind("/api", 0) == 0 && p.rfind("/apis", 0) != 0;
    if (k8s::wants_aggregated_discovery(req.accept)) {
      auto r = json_response(k8s::discovery_aggregated(registry, core));
      r.content_type = k8s::aggregated_discovery_content_type;
      return r;
    }
    return json_response(core ? k8s::discovery_core_versions(address)
                              : k8s::discovery_groups(registry));
  }
  auto resp = route_api(req);
  if (cfg.fault_api)
    faults.after(req, resp);
  return resp;
}

api_response control_plane::route_api(api_request& req) {
  auto segs = split_path(req.path);
  std::string group, version;
  std::size_t at = 0;
  if (segs.size() >= 2 && segs[0] == "api") {
    version = segs[1];
    at = 2;
  } else if (segs.size() >= 3 && segs[0] == "apis") {
    group = segs[1];
    version = segs[2];
    at = 3;
  } else if (segs.size() == 2 && segs[0] == "apis") {
    // GET /apis/{group}: the APIGroup object.
    auto groups = k8s::discovery_groups(registry);
    for (auto& g : groups.as_object()["groups"].as_array())
      if (str_at(g.as_object(), "name") == segs[1]) {
        json::object out = g.as_object();
        out["kind"] = "APIGroup";
        out["apiVersion"] = "v1";
        return json_response(out);
      }
    return from_status(k8s::status_not_found_path());
  } else {
    return from_status(k8s::status_not_found_path());
  }
  std::vector<std::string> rest(segs.begin() + static_cast<long>(at),
                                segs.end());
  if (rest.empty()) {
    auto doc = k8s::discovery_resources(registry, group, version);
    if (doc.is_null())
      return from_status(k8s::status_not_found_path());
    return json_response(doc);
  }
  route r;
  if (rest[0] == "watch") {
    r.watch_prefix = true;
    rest.erase(rest.begin());
  }
  if (rest.size() >= 3 && rest[0] == "namespaces"
      && !(group.empty() && rest.size() == 3
           && is_namespace_subresource(rest[2]))) {
    r.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3)
    return from_status(k8s::status_not_found_path());
  r.type = registry.find(group, version, rest[0]);
  if (!r.type)
    return from_status(k8s::status_not_found_path());
  if (rest.size() >= 2)
    r.name = rest[1];
  if (rest.size() == 3) {
    r.sub = rest[2];
    if (!r.type->has_subresource(r.sub)
        && !(r.sub == "status" && r.type->resource == "namespaces"
             && group.empty())
        && !(r.sub == "status" && r.type->resource == "nodes"
             && group.empty()))
      return from_status(k8s::status_not_found_path());
  }
  if (!r.type->namespaced && !r.ns.empty())
    return from_status(k8s::status_not_found_path());
  if (r.type->namespaced && r.ns.empty() && !r.name.empty())
    return from_status(k8s::status_not_found_path());
  return serve(req, r);
}

api_response control_plane::serve(api_request& req, route& r) {
  if (auto answered = authorize_route(*this, req, r)) // ADR 0007
    return std::move(*answered);
  auto& m = req.method;
  bool collection = r.name.empty();
  if (r.sub == "log")
    return m == "GET" ? do_log(req, r)
                      : from_status(k8s::status_method_not_allowed(
                          "the server does not allow this method on the "
                          "requested resource"));
  if (m == "GET") {
    if (!collection) {
      auto w = req.param("watch");
      bool watch = false;
      if (r.watch_prefix || (w && parse_go_bool(*w, watch) && watch))
        return from_status(k8s::status_method_not_allowed(
          "watch of a single object: use a fieldSelector on the collection"));
      return do_get(req, r);
    }
    bool watch = r.watch_prefix;
    if (auto w = req.param("watch")) {
      if (!parse_go_bool(*w, watch))
        return from_status(k8s::status_bad_request(
          "invalid boolean value for watch: \"" + *w + "\""));
      watch = watch || r.watch_prefix;
    }
    return watch ? do_watch(req, r) : do_list(req, r);
  }
  if (r.watch_prefix)
    return from_status(k8s::status_not_found_path());
  if (r.sub == "binding" && !collection) // ADR 0009
    return m == "POST" ? cluster::serve_binding(*this, req, r.ns, r.name)
                       : from_status(k8s::status_method_not_allowed(
                           "the server does not allow this method on the "
                           "requested resource"));
  if (m == "POST" && collection && r.sub.empty())
    return do_create(req, r);
  if (m == "PUT" && !collection)
    return do_update(req, r);
  if (m == "DELETE" && !collection && r.sub.empty())
    return do_delete(req, r);
  if (m == "DELETE" && collection)
    return do_delete_collection(req, r);
  if (m == "PATCH" && !collection)
    return do_patch(req, r);
  return from_status(k8s::status_method_not_allowed(
    "the server does not allow this method on the requested resource"));
}

} // namespace kc::sim
