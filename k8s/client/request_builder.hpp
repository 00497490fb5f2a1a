#pragma once

#include "k8s/api/resource_type.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace kc::k8s {

/// Addresses a resource collection or one object (and optionally a
/// subresource) in the API.
struct resource_ref {
  /// API group; "" for the core group.
  std::string group;
  /// API version, e.g. "v1".
  std::string version = "v1";
  /// Plural resource name, e.g. "configmaps".
  std::string resource;
  /// True for namespaced resources.
  bool namespaced = true;
  /// Namespace; empty = all namespaces (LIST/WATCH) for namespaced types.
  std::string ns;
  /// Object name; empty for collections.
  std::string name;
  /// Subresource, e.g. "status"; empty for the object itself.
  std::string subresource;

  /// Builds a reference from the resource catalogue's type.
  static resource_ref of(const resource_type& t, std::string ns = {},
                         std::string name = {});
};

/// Query parameters of the verbs (all optional; empty = not sent).
struct request_options {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  /// "NotOlderThan" or "Exact" (with resource_version).
  std::string resource_version_match;
  std::optional<long> limit;
  std::string continue_token;
  std::optional<long> timeout_seconds;
  bool allow_watch_bookmarks = false;
  std::string field_manager;
  /// "Strict", "Warn" or "Ignore".
  std::string field_validation;
  /// Server-side dry run ("All").
  bool dry_run = false;
  /// Server-side apply: force conflicts.
  bool force = false;
  /// DELETE: "Foreground", "Background" or "Orphan".
  std::string propagation_policy;
  std::optional<long> grace_period_seconds;
  /// DELETE precondition on the object's resourceVersion / uid.
  std::string precondition_resource_version;
  std::string precondition_uid;
};

/// The patch flavours and their Content-Types.
enum class patch_type { merge, json, strategic, apply };

/// Content-Type of a patch flavour, e.g. "application/merge-patch+json".
const char* content_type_of(patch_type t);

/// HTTP method of a request.
enum class http_verb { get, post, put, patch, del };

/// One REST request, ready to send: method, target, body and whether the
/// body may be replayed on a retry (api:S3).
struct api_request {
  http_verb verb = http_verb::get;
  /// Path and query, e.g. "/api/v1/namespaces/default/configmaps?limit=5".
  std::string target;
  std::string content_type;
  std::string body;
  /// Retries (429/5xx with Retry-After, 401 after a credential refresh) are
  /// only made for replayable requests.
  bool replayable = true;
  /// Per-request timeout; zero = the client's default.
  std::chrono::milliseconds timeout{0};
};

/// "/api/v1/namespaces/ns/configmaps/name/status" etc. (path segments escaped).
std::string resource_path(const resource_ref& r);

/// resource_path plus the query of the options that apply to `verb`
/// (Boost.URL percent-encodes them).
std::string resource_target(const resource_ref& r, const request_options& o,
                            http_verb verb, bool watch = false);

api_request make_get(const resource_ref& r, const request_options& o = {});
api_request make_list(const resource_ref& r, const request_options& o = {});
/// A WATCH request (`?watch=true` plus the options).
api_request make_watch(const resource_ref& r, const request_options& o = {});
api_request make_create(const resource_ref& r, const boost::json::object& obj,
                        const request_options& o = {});
/// PUT of the object (use r.subresource = "status" for status updates).
api_request make_update(const resource_ref& r, const boost::json::object& obj,
                        const request_options& o = {});
/// PUT to /status with the object's resourceVersion (CONVENTIONS rule 24).
api_request make_update_status(resource_ref r, const boost::json::object& obj,
                               const request_options& o = {});
/// DELETE with a DeleteOptions body built from the options.
api_request make_delete(const resource_ref& r, const request_options& o = {});
/// PATCH; for patch_type::apply the body is YAML or JSON and
/// o.field_manager is required by the server.
api_request make_patch(const resource_ref& r, patch_type t, std::string body,
                       const request_options& o = {});

/// "GET", "POST", ...
const char* to_string(http_verb v);

} // namespace kc::k8s
