// The ReplicaSet controller (pkg/controller/replicaset): keeps
// spec.replicas active pods from the template, deletes the least valuable
// pods first (controller.ActivePods ordering), and writes status.

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/cluster/workloads.hpp"

#include <algorithm>

namespace kc::sim::cluster {

namespace {

const char* component = "replicaset-controller";

/// At most this many creates or deletes per pass (burstReplicas).
constexpr int64_t burst = 500;

int phase_rank(const json::object& pod) {
  auto st = obj_at(pod, "status");
  auto phase = st ? str_at(*st, "phase") : std::string{};
  return phase == "Pending" ? 0 : phase == "Unknown" ? 1 : phase == "Running" ? 2 : 0;
}

int64_t restarts(const json::object& pod) {
  int64_t n = 0;
  auto st = obj_at(pod, "status");
  if (auto cs = st ? k8s::arr_at(*st, "containerStatuses") : nullptr)
    for (auto& c : *cs)
      if (c.is_object())
        n = std::max(n, int_at(c.as_object(), "restartCount"));
  return n;
}

/// controller.ActivePods Less: the pod to delete first sorts first.
bool delete_first(const stored_ptr& a, const stored_ptr& b) {
  auto& x = a->obj;
  auto& y = b->obj;
  bool ax = !node_of(x).empty(), ay = !node_of(y).empty();
  if (ax != ay)
    return !ax;
  if (phase_rank(x) != phase_rank(y))
    return phase_rank(x) < phase_rank(y);
  if (is_ready(x) != is_ready(y))
    return !is_ready(x);
  if (restarts(x) != restarts(y))
    return restarts(x) > restarts(y);
  return meta_str(x, "creationTimestamp") > meta_str(y, "creationTimestamp");
}

} // namespace

json::object pod_from_template(const json::object& owner_obj,
                               const json::object& tmpl) {
  json::object md;
  if (auto tmd = obj_at(tmpl, "metadata"))
    for (auto k : {"labels", "annotations", "finalizers"})
      if (auto v = tmd->if_contains(k))
        md[k] = *v;
  if (!md.contains("labels"))
    md["labels"] = json::object{};
  md["generateName"] = meta_str(owner_obj, "name") + "-";
  md["namespace"] = meta_str(owner_obj, "namespace");
  md["ownerReferences"] = json::array{controller_ref(owner_obj)};
  auto spec = obj_at(tmpl, "spec");
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", std::move(md)},
                      {"spec", spec ? *spec : json::object{}}};
}

void reconcile_replicaset(context& ctx, const stored_ptr& rs) {
  auto& o = rs->obj;
  auto spec = obj_at(o, "spec");
  if (!spec)
    return;
  auto replicas = int_at(*spec, "replicas", 1);
  auto min_ready = int_at(*spec, "minReadySeconds");
  auto tmpl = obj_at(*spec, "template");
  std::vector<stored_ptr> active;
  for (auto& p : ctx.owned_pods(meta_str(o, "uid")))
    if (is_active(p->obj))
      active.push_back(p);
  auto diff = static_cast<int64_t>(active.size()) - replicas;
  if (!is_deleting(o) && tmpl) {
    for (int64_t i = 0; i < std::min(-diff, burst); ++i) {
      auto r = create(ctx.cp, "Pod", rs->ns, pod_from_template(o, *tmpl));
      if (!succeeded(r)) {
        record_event(ctx.cp, o, "Warning", "FailedCreate",
                     "Error creating: " + r.body, component);
        break;
      }
    }
    if (diff < 0)
      record_event(ctx.cp, o, "Normal", "SuccessfulCreate",
                   "Created " + std::to_string(std::min(-diff, burst))
                     + " pod(s)",
                   component);
    if (diff > 0) {
      std::sort(active.begin(), active.end(), delete_first);
      for (int64_t i = 0; i < std::min(diff, burst); ++i) {
        auto& p = active[static_cast<std::size_t>(i)];
        auto r = remove(ctx.cp, "Pod", p->ns, p->name, meta_str(p->obj, "uid"));
        if (succeeded(r))
          record_event(ctx.cp, o, "Normal", "SuccessfulDelete",
                       "Deleted pod: " + p->name, component);
      }
    }
  }
  // Status from the pods as observed; the writes above come back as watch
  // events and the next pass counts them.
  int64_t labeled = 0, ready = 0, available = 0;
  auto tmpl_labels = tmpl ? obj_path(*tmpl, "metadata.labels") : nullptr;
  for (auto& p : active) {
    auto labels = obj_path(p->obj, "metadata.labels");
    bool full = true;
    if (tmpl_labels)
      for (auto& [k, v] : *tmpl_labels)
        full = full && labels && labels->if_contains(k)
               && labels->at(k) == v;
    labeled += full;
    ready += is_ready(p->obj);
    available += is_available(p->obj, min_ready, ctx.now);
  }
  json::object status = obj_at(o, "status") ? *obj_at(o, "status")
                                             : json::object{};
  json::object before = status;
  status["replicas"] = static_cast<int64_t>(active.size());
  status["fullyLabeledReplicas"] = labeled;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  if (auto g = int_at(o, "metadata.generation", 0); g > 0)
    status["observedGeneration"] = g;
  for (auto k : {"fullyLabeledReplicas", "readyReplicas", "availableReplicas"})
    if (int_at(status, k) == 0)
      status.erase(k); // Go's omitempty
  if (status == before)
    return;
  json::object next = o;
  next["status"] = std::move(status);
  put_status(ctx.cp, "ReplicaSet", next);
}

} // namespace kc::sim::cluster
