#pragma once

// In-process writes of the simulated cluster's components. They go through
// control_plane::handle like any client's request, so validation, defaults,
// admission, graceful deletion and garbage collection apply to them too;
// reads come straight from the store's immutable snapshots (ADR 0009).

#include "k8s/sim/request.hpp"
#include "k8s/sim/util.hpp"

#include <string>

namespace kc::sim {
class control_plane;
}

namespace kc::sim::cluster {

/// A request as the cluster's own components (system:kube-controller-manager
/// and friends) make it; always authenticated.
api_response call(control_plane& cp, const std::string& method,
                  const std::string& path, const std::string& body = "",
                  const std::string& content_type = "application/json");

/// True for 2xx.
inline bool succeeded(const api_response& r) {
  return r.code >= 200 && r.code < 300;
}

/// The API path of an object of `kind` ("Pod", "ReplicaSet", ...):
/// "/api/v1/namespaces/NS/pods/NAME" (name "" = the collection).
std::string path_of(const std::string& kind, const std::string& ns,
                    const std::string& name = "");

/// POST of `obj` to its collection.
api_response create(control_plane& cp, const std::string& kind,
                    const std::string& ns, const json::object& obj);

/// PUT of `obj` (with its resourceVersion) to /status.
api_response put_status(control_plane& cp, const std::string& kind,
                        const json::object& obj);

/// PUT of `obj` (with its resourceVersion).
api_response put(control_plane& cp, const std::string& kind,
                 const json::object& obj);

/// DELETE with a precondition on the uid.
api_response remove(control_plane& cp, const std::string& kind,
                     const std::string& ns, const std::string& name,
                     const std::string& uid);

/// Records a core/v1 Event about `about` like client-go's recorder.
void record_event(control_plane& cp, const json::object& about,
                  const std::string& type, const std::string& reason,
                  const std::string& message, const std::string& component);

} // namespace kc::sim::cluster
