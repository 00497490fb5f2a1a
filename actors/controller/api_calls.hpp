#pragma once

// Small continuation-style helpers over k8s::api_client for the
// controller's reconcilers: resource references of the kinds they write
// and one-callback verbs. Callbacks run on the client's io thread.

#include "k8s/client/api_client.hpp"

#include <functional>
#include <string>

namespace kc::controller {

/// Called with the result of one call.
using on_result = std::function<void(k8s::http_result)>;

/// The reference of `resource` ("pods", "daemonsets", "debuggers",
/// "serviceaccounts", "roles", "rolebindings", "clusterrolebindings", ...)
/// for object `name` in `ns`.
k8s::resource_ref ref_of(const std::string& resource, const std::string& ns,
                         const std::string& name = {});

/// The plural resource of a workload kind ("Pod" → "pods").
std::string resource_of_kind(const std::string& kind);

/// One request; `fn` gets its result.
void call(k8s::api_client& api, k8s::api_request req, on_result fn);

/// True when `r` failed with HTTP `status`.
inline bool failed_with(const k8s::http_result& r, unsigned status) {
  return !r.ok() && r.status == status;
}

} // namespace kc::controller
