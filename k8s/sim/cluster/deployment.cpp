// The Deployment controller (pkg/controller/deployment): one ReplicaSet per
// pod template (name "<deployment>-<pod-template-hash>"), RollingUpdate with
// maxSurge/maxUnavailable or Recreate, old ReplicaSets pruned to
// revisionHistoryLimit, and status with the Available/Progressing
// conditions kubectl rollout status reads.

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/cluster/deployment_status.hpp"
#include "k8s/sim/cluster/workloads.hpp"
#include "k8s/sim/control_plane.hpp"

#include <algorithm>

namespace kc::sim::cluster {

namespace {

const char* component = "deployment-controller";
const char* rev_key = "deployment.kubernetes.io/revision";

struct rs_view {
  stored_ptr rs;
  int64_t spec = 0, status = 0, ready = 0, available = 0;
};

/// A ReplicaSet's counts. Its status lags behind a scale-down until the
/// ReplicaSet controller acted, so availability is capped at spec.replicas
/// (otherwise a second scale-down could take more pods than allowed).
rs_view view(const stored_ptr& rs) {
  auto spec = int_at(rs->obj, "spec.replicas", 1);
  return {rs, spec, int_at(rs->obj, "status.replicas"),
          int_at(rs->obj, "status.readyReplicas"),
          std::min(spec, int_at(rs->obj, "status.availableReplicas"))};
}

/// The template without the pod-template-hash label (EqualIgnoreHash).
json::value strip_hash(const json::object& tmpl) {
  json::object t = tmpl;
  if (auto md = obj_at(t, "metadata"))
    if (auto l = obj_at(*md, "labels")) {
      l->erase("pod-template-hash");
      if (l->empty())
        md->erase("labels");
    }
  return t;
}

int64_t revision_of(const json::object& o) {
  auto a = obj_path(o, "metadata.annotations");
  uint64_t n = 0;
  return a && parse_u64(str_at(*a, rev_key), n) ? static_cast<int64_t>(n) : 0;
}

/// Scales `v.rs` to `to` (PUT of the ReplicaSet); updates the view.
void scale(context& ctx, const json::object& d, rs_view& v, int64_t to,
           int64_t max_replicas) {
  if (v.spec == to)
    return;
  json::object next = v.rs->obj;
  next["spec"].as_object()["replicas"] = to;
  auto& md = metadata_of(next);
  if (!md["annotations"].is_object())
    md["annotations"] = json::object{};
  auto& ann = md["annotations"].as_object();
  ann["deployment.kubernetes.io/desired-replicas"]
    = std::to_string(int_at(d, "spec.replicas", 1));
  ann["deployment.kubernetes.io/max-replicas"] = std::to_string(max_replicas);
  if (!succeeded(put(ctx.cp, "ReplicaSet", next)))
    return;
  record_event(ctx.cp, d, "Normal", "ScalingReplicaSet",
               std::string(to > v.spec ? "Scaled up" : "Scaled down")
                 + " replica set " + v.rs->name + " from "
                 + std::to_string(v.spec) + " to " + std::to_string(to),
               component);
  v.spec = to;
  v.available = std::min(v.available, to);
}

} // namespace

void reconcile_deployment(context& ctx, const stored_ptr& dp) {
  auto& d = dp->obj;
  auto spec = obj_at(d, "spec");
  auto tmpl = spec ? obj_at(*spec, "template") : nullptr;
  if (!tmpl || is_deleting(d))
    return;
  auto replicas = int_at(*spec, "replicas", 1);
  auto strategy = obj_at(*spec, "strategy");
  bool recreate = strategy && str_at(*strategy, "type") == "Recreate";
  auto ru = strategy ? obj_at(*strategy, "rollingUpdate") : nullptr;
  json::value pct25 = "25%";
  auto surge = recreate ? 0
                        : scaled(ru && ru->if_contains("maxSurge")
                                   ? ru->if_contains("maxSurge")
                                   : &pct25,
                                 replicas, true, 0);
  auto unav = recreate ? 0
                       : scaled(ru && ru->if_contains("maxUnavailable")
                                  ? ru->if_contains("maxUnavailable")
                                  : &pct25,
                                replicas, false, 0);
  if (!recreate && surge == 0 && unav == 0)
    unav = 1;
  auto collisions = int_at(d, "status.collisionCount");
  auto hash = template_hash(strip_hash(*tmpl), collisions);
  auto want = strip_hash(*tmpl);

  uint64_t rev = 0;
  std::vector<rs_view> olds;
  std::optional<rs_view> cur;
  int64_t max_rev = 0;
  for (auto& rs : ctx.cp.objects.list("replicasets.apps", dp->ns, rev)) {
    auto owner = controller_of(rs->obj);
    if (!owner || owner->uid != meta_str(d, "uid") || is_deleting(rs->obj))
      continue;
    max_rev = std::max(max_rev, revision_of(rs->obj));
    auto t = obj_path(rs->obj, "spec.template");
    if (!cur && t && strip_hash(*t) == want)
      cur = view(rs);
    else
      olds.push_back(view(rs));
  }
  std::sort(olds.begin(), olds.end(), [](auto& a, auto& b) {
    return meta_str(a.rs->obj, "creationTimestamp")
           < meta_str(b.rs->obj, "creationTimestamp");
  });
  auto sum = [&](auto field) {
    int64_t n = cur ? (*cur).*field : 0;
    for (auto& o : olds)
      n += o.*field;
    return n;
  };
  int64_t old_specs = 0, old_pods = 0;
  for (auto& o : olds) {
    old_specs += o.spec;
    old_pods += o.status;
  }
  bool paused = spec && k8s::bool_at(*spec, "paused");
  std::string created;
  if (!paused) {
    if (recreate)
      for (auto& o : olds)
        scale(ctx, d, o, 0, replicas);
    bool may_create = !recreate || (old_specs == 0 && old_pods == 0);
    if (!cur && may_create) {
      int64_t initial = recreate ? replicas
                                 : std::clamp<int64_t>(replicas + surge
                                                         - sum(&rs_view::spec),
                                                       0, replicas);
      json::object t = *tmpl;
      auto& tmd = t["metadata"];
      if (!tmd.is_object())
        tmd = json::object{};
      auto& tl = tmd.as_object()["labels"];
      if (!tl.is_object())
        tl = json::object{};
      tl.as_object()["pod-template-hash"] = hash;
      json::object sel = spec->contains("selector") && spec->at("selector").is_object()
                           ? spec->at("selector").as_object()
                           : json::object{};
      auto& ml = sel["matchLabels"];
      if (!ml.is_object())
        ml = json::object{};
      ml.as_object()["pod-template-hash"] = hash;
      json::object rs_spec{{"replicas", initial},
                           {"selector", std::move(sel)},
                           {"template", std::move(t)}};
      if (auto mr = spec->if_contains("minReadySeconds"))
        rs_spec["minReadySeconds"] = *mr;
      auto labels = obj_path(*tmpl, "metadata.labels");
      json::object labels_out = labels ? *labels : json::object{};
      labels_out["pod-template-hash"] = hash;
      json::object rs{
        {"apiVersion", "apps/v1"},
        {"kind", "ReplicaSet"},
        {"metadata",
         json::object{
           {"name", dp->name + "-" + hash},
           {"namespace", dp->ns},
           {"labels", std::move(labels_out)},
           {"annotations",
            json::object{{"deployment.kubernetes.io/desired-replicas",
                          std::to_string(replicas)},
                         {"deployment.kubernetes.io/max-replicas",
                          std::to_string(replicas + surge)},
                         {rev_key, std::to_string(max_rev + 1)}}},
           {"ownerReferences", json::array{controller_ref(d)}}}},
        {"spec", std::move(rs_spec)}};
      auto r = create(ctx.cp, "ReplicaSet", dp->ns, rs);
      if (succeeded(r)) {
        created = dp->name + "-" + hash;
        record_event(ctx.cp, d, "Normal", "ScalingReplicaSet",
                     "Scaled up replica set " + created + " from 0 to "
                       + std::to_string(initial),
                     component);
      }
    } else if (cur && recreate && may_create) {
      scale(ctx, d, *cur, replicas, replicas);
    } else if (cur && !recreate) {
      // reconcileNewReplicaSet
      int64_t to = cur->spec > replicas
                     ? replicas
                     : cur->spec
                         + std::min(std::max<int64_t>(
                                      replicas + surge - sum(&rs_view::spec), 0),
                                    replicas - cur->spec);
      scale(ctx, d, *cur, to, replicas + surge);
      // reconcileOldReplicaSets
      auto min_available = replicas - unav;
      auto new_unavailable = cur->spec - cur->available;
      auto max_down = sum(&rs_view::spec) - min_available - new_unavailable;
      if (old_specs > 0 && max_down > 0) {
        int64_t cleaned = 0;
        for (auto& o : olds) {
          auto unhealthy = o.spec - o.available;
          if (cleaned >= max_down || o.spec == 0 || unhealthy <= 0)
            continue;
          auto down = std::min(max_down - cleaned, unhealthy);
          scale(ctx, d, o, o.spec - down, replicas + surge);
          cleaned += down;
        }
        auto budget = sum(&rs_view::available) - min_available;
        int64_t done = 0;
        for (auto& o : olds) {
          if (done >= budget || o.spec == 0)
            continue;
          auto down = std::min(o.spec, budget - done);
          scale(ctx, d, o, o.spec - down, replicas + surge);
          done += down;
        }
      }
    }
    // Prune old ReplicaSets without pods beyond revisionHistoryLimit.
    auto limit = int_at(*spec, "revisionHistoryLimit", 10);
    std::vector<rs_view*> idle;
    for (auto& o : olds)
      if (o.spec == 0 && o.status == 0)
        idle.push_back(&o);
    for (std::size_t i = 0;
         static_cast<int64_t>(idle.size() - i) > limit; ++i)
      remove(ctx.cp, "ReplicaSet", dp->ns, idle[i]->rs->name,
             meta_str(idle[i]->rs->obj, "uid"));
  }
  write_deployment_status(ctx, dp, cur ? cur->rs->name : created,
                          cur ? cur->status : 0, sum(&rs_view::spec),
                          sum(&rs_view::status), sum(&rs_view::ready),
                          sum(&rs_view::available), unav, !created.empty());
}

} // namespace kc::sim::cluster
