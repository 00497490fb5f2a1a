#include "actors/controller/api_calls.hpp"

#include "k8s/api/kubecombo/spec.hpp"

namespace kc::controller {

k8s::resource_ref ref_of(const std::string& resource, const std::string& ns,
                         const std::string& name) {
  k8s::resource_ref r;
  r.resource = resource;
  r.ns = ns;
  r.name = name;
  if (resource == "daemonsets") {
    r.group = "apps";
  } else if (resource == "debuggers" || resource == "pingers") {
    r.group = k8s::kubecombo::api_group;
  } else if (resource == "roles" || resource == "rolebindings"
             || resource == "clusterrolebindings") {
    r.group = "rbac.authorization.k8s.io";
  }
  if (resource == "clusterrolebindings") {
    r.namespaced = false;
    r.ns.clear();
  }
  return r;
}

std::string resource_of_kind(const std::string& kind) {
  if (kind == "Pod")
    return "pods";
  if (kind == "DaemonSet")
    return "daemonsets";
  if (kind == "ServiceAccount")
    return "serviceaccounts";
  if (kind == "Role")
    return "roles";
  if (kind == "RoleBinding")
    return "rolebindings";
  if (kind == "ClusterRoleBinding")
    return "clusterrolebindings";
  return "";
}

void call(k8s::api_client& api, k8s::api_request req, on_result fn) {
  api.send(std::move(req), 0,
           [fn = std::move(fn)](uint64_t, k8s::http_result r) {
             fn(std::move(r));
           });
}

} // namespace kc::controller
