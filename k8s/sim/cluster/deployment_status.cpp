#include "k8s/sim/cluster/deployment_status.hpp"

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/control_plane.hpp"

namespace kc::sim::cluster {

void write_deployment_status(context& ctx, const stored_ptr& dp,
                             const std::string& new_rs, int64_t updated,
                             int64_t spec_total, int64_t total, int64_t ready,
                             int64_t available, int64_t max_unavailable,
                             bool created_now) {
  auto& d = dp->obj;
  auto replicas = int_at(d, "spec.replicas", 1);
  json::object status = obj_at(d, "status") ? *obj_at(d, "status")
                                             : json::object{};
  json::object before = status;
  status["observedGeneration"] = int_at(d, "metadata.generation", 1);
  auto set = [&](const char* k, int64_t v) {
    if (v > 0)
      status[k] = v;
    else
      status.erase(k); // Go's omitempty
  };
  set("replicas", total);
  set("updatedReplicas", updated);
  set("readyReplicas", ready);
  set("availableReplicas", available);
  set("unavailableReplicas", spec_total - available);
  auto& cv = status["conditions"];
  if (!cv.is_array())
    cv = json::array{};
  auto& conds = cv.as_array();
  if (available >= replicas - max_unavailable)
    set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                  "Deployment has minimum availability.", true);
  else
    set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                  "Deployment does not have minimum availability.", true);
  if (!new_rs.empty()) {
    bool complete = updated == replicas && total == replicas
                    && available == replicas;
    if (created_now)
      set_condition(conds, "Progressing", "True", "NewReplicaSetCreated",
                    "Created new replica set \"" + new_rs + "\"", true);
    else if (complete)
      set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable",
                    "ReplicaSet \"" + new_rs
                      + "\" has successfully progressed.",
                    true);
    else
      set_condition(conds, "Progressing", "True", "ReplicaSetUpdated",
                    "ReplicaSet \"" + new_rs + "\" is progressing.", true);
  }
  if (status != before) {
    json::object next = d;
    next["status"] = std::move(status);
    put_status(ctx.cp, "Deployment", next);
  }
  // The Deployment carries its current revision, like the new ReplicaSet.
  if (new_rs.empty())
    return;
  auto rs = ctx.cp.objects.get("replicasets.apps", dp->ns, new_rs);
  auto rs_ann = rs ? obj_path(rs->obj, "metadata.annotations") : nullptr;
  auto want = rs_ann ? str_at(*rs_ann, "deployment.kubernetes.io/revision")
                     : std::string{};
  auto fresh = ctx.cp.objects.get("deployments.apps", dp->ns, dp->name);
  if (want.empty() || !fresh)
    return;
  auto ann = obj_path(fresh->obj, "metadata.annotations");
  if (ann && str_at(*ann, "deployment.kubernetes.io/revision") == want)
    return;
  json::object next = fresh->obj;
  auto& md = metadata_of(next);
  if (!md["annotations"].is_object())
    md["annotations"] = json::object{};
  md["annotations"].as_object()["deployment.kubernetes.io/revision"] = want;
  put(ctx.cp, "Deployment", next);
}

} // namespace kc::sim::cluster
