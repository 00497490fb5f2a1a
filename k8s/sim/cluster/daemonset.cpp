// The DaemonSet controller (pkg/controller/daemon): one pod per eligible
// node, pinned with a required node affinity on metadata.name like the real
// controller (the scheduler binds it), RollingUpdate with maxUnavailable or
// OnDelete, and the status counters.

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/cluster/node_match.hpp"
#include "k8s/sim/cluster/workloads.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <map>

namespace kc::sim::cluster {

namespace {

const char* component = "daemonset-controller";

/// util.ReplaceDaemonSetPodNodeNameNodeAffinity.
void pin_to_node(json::object& spec, const std::string& node) {
  auto& aff = spec["affinity"];
  if (!aff.is_object())
    aff = json::object{};
  auto& na = aff.as_object()["nodeAffinity"];
  if (!na.is_object())
    na = json::object{};
  json::object req{{"key", "metadata.name"},
                   {"operator", "In"},
                   {"values", json::array{json::string(node)}}};
  na.as_object()["requiredDuringSchedulingIgnoredDuringExecution"]
    = json::object{{"nodeSelectorTerms",
                    json::array{json::object{
                      {"matchFields", json::array{std::move(req)}}}}}};
}

/// nodeShouldRunDaemonPod: selector, required affinity, taints (with the
/// tolerations the controller adds); unschedulable nodes still run them.
/// A pod already there may continue running unless a NoExecute taint is
/// not tolerated.
struct placement {
  bool run = false;
  bool keep = false;
};
placement should_run(const json::object& pod_spec, const json::object& node) {
  json::object spec = pod_spec;
  add_daemon_tolerations(spec);
  if (!matches_node_selector_and_affinity(spec, node))
    return {};
  auto tols = k8s::arr_at(spec, "tolerations");
  if (untolerated_taint(tols, node).empty())
    return {true, true};
  return {false, untolerated_taint(tols, node, true).empty()};
}

bool is_updated(const json::object& pod, const std::string& hash,
                int64_t generation) {
  auto labels = obj_path(pod, "metadata.labels");
  if (!labels)
    return false;
  auto gen = str_at(*labels, "pod-template-generation");
  return str_at(*labels, "controller-revision-hash") == hash
         || (!gen.empty() && gen == std::to_string(generation));
}

/// Status counters (only written when they differ).
struct counts {
  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0,
          available = 0;
};

} // namespace

std::string daemon_pod_node(const json::object& pod) {
  auto n = node_of(pod);
  if (!n.empty())
    return n;
  auto req = obj_path(pod, "spec.affinity.nodeAffinity."
                           "requiredDuringSchedulingIgnoredDuringExecution");
  auto terms = req ? k8s::arr_at(*req, "nodeSelectorTerms") : nullptr;
  if (!terms)
    return {};
  for (auto& t : *terms) {
    auto fields = t.is_object() ? k8s::arr_at(t.as_object(), "matchFields")
                                : nullptr;
    if (!fields)
      continue;
    for (auto& f : *fields)
      if (auto fo = f.if_object(); fo && str_at(*fo, "key") == "metadata.name"
                                   && str_at(*fo, "operator") == "In")
        if (auto vals = k8s::arr_at(*fo, "values");
            vals && vals->size() == 1 && vals->front().is_string())
          return std::string(vals->front().as_string());
  }
  return {};
}

void reconcile_daemonset(context& ctx, const stored_ptr& ds) {
  auto& o = ds->obj;
  if (is_deleting(o))
    return;
  auto spec = obj_at(o, "spec");
  auto tmpl = spec ? obj_at(*spec, "template") : nullptr;
  auto tmpl_spec = tmpl ? obj_at(*tmpl, "spec") : nullptr;
  if (!tmpl_spec)
    return;
  auto generation = int_at(o, "metadata.generation", 1);
  auto min_ready = int_at(*spec, "minReadySeconds");
  auto hash = template_hash(*tmpl);
  auto strategy = obj_at(*spec, "updateStrategy");
  bool on_delete = strategy && str_at(*strategy, "type") == "OnDelete";

  // Active pods by node; failed pods are deleted (and replaced).
  std::map<std::string, std::vector<stored_ptr>> by_node;
  for (auto& p : ctx.owned_pods(meta_str(o, "uid"))) {
    if (is_deleting(p->obj))
      continue;
    if (is_terminal(p->obj)) {
      remove(ctx.cp, "Pod", p->ns, p->name, meta_str(p->obj, "uid"));
      continue;
    }
    by_node[daemon_pod_node(p->obj)].push_back(p);
  }
  // Updated pods first, then oldest first: the one to keep is in front.
  for (auto& [node, pods] : by_node)
    std::stable_sort(pods.begin(), pods.end(), [&](auto& a, auto& b) {
      bool ua = is_updated(a->obj, hash, generation);
      bool ub = is_updated(b->obj, hash, generation);
      if (ua != ub)
        return ua;
      return meta_str(a->obj, "creationTimestamp")
             < meta_str(b->obj, "creationTimestamp");
    });

  counts c;
  std::vector<std::string> create_on;
  std::vector<stored_ptr> to_delete;
  int64_t unavailable = 0;
  std::vector<stored_ptr> old_unavailable, old_candidates;
  std::map<std::string, placement> where;
  for (auto& n : ctx.nodes)
    where[n->name] = should_run(*tmpl_spec, n->obj);
  for (auto& [node, pods] : by_node) {
    auto& pl = where[node];
    if (pl.run || pods.empty())
      continue;
    ++c.misscheduled;
    if (!pl.keep)
      to_delete.insert(to_delete.end(), pods.begin(), pods.end());
  }
  for (auto& n : ctx.nodes) {
    if (!where[n->name].run)
      continue;
    ++c.desired;
    auto it = by_node.find(n->name);
    if (it == by_node.end() || it->second.empty()) {
      create_on.push_back(n->name);
      ++unavailable;
      continue;
    }
    auto& pods = it->second;
    to_delete.insert(to_delete.end(), pods.begin() + 1, pods.end());
    auto& p = pods.front()->obj;
    ++c.current;
    bool updated = is_updated(p, hash, generation);
    bool avail = is_available(p, min_ready, ctx.now);
    c.ready += is_ready(p);
    c.available += avail;
    c.updated += updated;
    if (updated) {
      unavailable += !avail;
    } else if (!avail) {
      old_unavailable.push_back(pods.front());
      ++unavailable;
    } else {
      old_candidates.push_back(pods.front());
    }
  }
  if (!on_delete) {
    auto ru = strategy ? obj_at(*strategy, "rollingUpdate") : nullptr;
    auto max_unavailable = scaled(ru ? ru->if_contains("maxUnavailable")
                                     : nullptr,
                                  c.desired, true, 1);
    if (max_unavailable < 1)
      max_unavailable = 1;
    auto remaining = std::max<int64_t>(max_unavailable - unavailable, 0);
    to_delete.insert(to_delete.end(), old_unavailable.begin(),
                     old_unavailable.end());
    for (auto& p : old_candidates)
      if (remaining-- > 0)
        to_delete.push_back(p);
  }
  for (auto& p : to_delete) {
    auto r = remove(ctx.cp, "Pod", p->ns, p->name, meta_str(p->obj, "uid"));
    if (succeeded(r))
      record_event(ctx.cp, o, "Normal", "SuccessfulDelete",
                   "Deleted pod: " + p->name, component);
  }
  for (auto& node : create_on) {
    auto pod = pod_from_template(o, *tmpl);
    auto& labels = metadata_of(pod)["labels"].as_object();
    labels["controller-revision-hash"] = hash;
    labels["pod-template-generation"] = std::to_string(generation);
    auto& ps = pod["spec"].as_object();
    add_daemon_tolerations(ps);
    pin_to_node(ps, node);
    auto r = create(ctx.cp, "Pod", ds->ns, pod);
    if (succeeded(r))
      record_event(ctx.cp, o, "Normal", "SuccessfulCreate",
                   "Created pod: " + meta_str(json::parse(r.body).as_object(),
                                              "name"),
                   component);
  }

  json::object status = obj_at(o, "status") ? *obj_at(o, "status")
                                             : json::object{};
  json::object before = status;
  status["currentNumberScheduled"] = c.current;
  status["desiredNumberScheduled"] = c.desired;
  status["numberMisscheduled"] = c.misscheduled;
  status["numberReady"] = c.ready;
  status["observedGeneration"] = generation;
  status["updatedNumberScheduled"] = c.updated;
  status["numberAvailable"] = c.available;
  if (c.desired - c.available > 0)
    status["numberUnavailable"] = c.desired - c.available;
  else
    status.erase("numberUnavailable");
  // Go's omitempty.
  for (auto k : {"numberAvailable", "updatedNumberScheduled"})
    if (int_at(status, k) == 0)
      status.erase(k);
  if (status == before)
    return;
  json::object next = o;
  next["status"] = std::move(status);
  put_status(ctx.cp, "DaemonSet", next);
}

} // namespace kc::sim::cluster
