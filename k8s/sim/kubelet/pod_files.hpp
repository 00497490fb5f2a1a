#pragma once

// The files and environment of a pod in the process kubelet (ADR 0071):
// volumes materialised under the pod's directory (ConfigMap, Secret,
// downwardAPI and projected volumes as files with items and modes,
// emptyDir, hostPath mapped under the node's directory, the ServiceAccount
// token/CA/namespace), and each container's environment (env, envFrom,
// downward API fieldRefs, KUBERNETES_SERVICE_HOST/PORT).

#include "k8s/sim/kubelet/spawn.hpp"
#include "k8s/sim/util.hpp"

#include <map>
#include <string>
#include <vector>

namespace kc::sim {

class control_plane;

/// Where a pod lives and how it is reached.
struct pod_place {
  std::string pod_dir;
  std::string node_dir;
  std::string ip;
  /// host:port of the API server as pods reach it.
  std::string api_host;
  std::string api_port;
};

/// A reason a real kubelet reports ("" = fine).
struct pod_problem {
  std::string reason;
  std::string message;
};

/// Writes or refreshes the pod's volumes (a missing ConfigMap/Secret:
/// reason "FailedMount", the volume manager's message; the containers
/// then wait in ContainerCreating, ADR 0075) (only files whose content changed
/// are rewritten). Fills `dirs` (volume name → host path).
pod_problem sync_volumes(control_plane& cp, const json::object& pod,
                         const pod_place& place,
                         std::map<std::string, std::string>& dirs);

/// The bind mounts of `container` (volumeMounts plus the ServiceAccount
/// directory unless automount is off or the path is taken).
pod_problem container_mounts(const json::object& pod,
                             const json::object& container,
                             const std::map<std::string, std::string>& dirs,
                             std::vector<kubelet_spawn::bind_mount>& out);

/// The environment of `container` ("NAME=value").
pod_problem container_env(control_plane& cp, const json::object& pod,
                          const json::object& container,
                          const pod_place& place,
                          std::vector<std::string>& out);

/// The value of a downward-API fieldPath ("" if unknown).
std::string field_value(const json::object& pod, const std::string& path,
                        const std::string& ip);

} // namespace kc::sim
