#include "k8s/sim/cluster/node_match.hpp"

#include "k8s/sim/cluster/objects.hpp"

#include <algorithm>
#include <map>

namespace kc::sim::cluster {

namespace {

bool has_value(const json::object& req, const std::string& v) {
  auto vals = k8s::arr_at(req, "values");
  return vals && std::any_of(vals->begin(), vals->end(),
                             [&](const json::value& x) {
                               return x.is_string() && x.as_string() == v;
                             });
}

/// One NodeSelectorRequirement against a value that may be absent.
bool requirement_ok(const json::object& req, const std::string* have) {
  auto op = str_at(req, "operator");
  if (op == "In")
    return have && has_value(req, *have);
  if (op == "NotIn")
    return !have || !has_value(req, *have);
  if (op == "Exists")
    return have != nullptr;
  if (op == "DoesNotExist")
    return have == nullptr;
  auto vals = k8s::arr_at(req, "values");
  if ((op == "Gt" || op == "Lt") && have && vals && vals->size() == 1
      && vals->front().is_string()) {
    try {
      auto a = std::stoll(*have);
      auto b = std::stoll(std::string(vals->front().as_string()));
      return op == "Gt" ? a > b : a < b;
    } catch (...) {
      return false;
    }
  }
  return false;
}

/// A NodeSelectorTerm: all its matchExpressions and matchFields hold; an
/// empty term matches nothing (nodeaffinity semantics).
bool term_matches(const json::object& term, const json::object& node) {
  auto exprs = k8s::arr_at(term, "matchExpressions");
  auto fields = k8s::arr_at(term, "matchFields");
  if ((!exprs || exprs->empty()) && (!fields || fields->empty()))
    return false;
  auto labels = obj_path(node, "metadata.labels");
  if (exprs)
    for (auto& e : *exprs) {
      auto eo = e.if_object();
      if (!eo)
        return false;
      std::string value;
      const std::string* have = nullptr;
      if (labels)
        if (auto v = labels->if_contains(str_at(*eo, "key"));
            v && v->is_string()) {
          value = std::string(v->as_string());
          have = &value;
        }
      if (!requirement_ok(*eo, have))
        return false;
    }
  if (fields)
    for (auto& f : *fields) {
      auto fo = f.if_object();
      if (!fo || str_at(*fo, "key") != "metadata.name")
        return false;
      auto name = meta_str(node, "name");
      if (!requirement_ok(*fo, &name))
        return false;
    }
  return true;
}

bool tolerates(const json::object& tol, const json::object& taint) {
  auto effect = str_at(tol, "effect");
  if (!effect.empty() && effect != str_at(taint, "effect"))
    return false;
  auto key = str_at(tol, "key");
  auto op = str_at(tol, "operator");
  if (key.empty())
    return op == "Exists";
  if (key != str_at(taint, "key"))
    return false;
  if (op == "Exists")
    return true;
  return str_at(tol, "value") == str_at(taint, "value");
}

} // namespace

bool matches_node_selector_and_affinity(const json::object& spec,
                                        const json::object& node) {
  if (auto sel = obj_at(spec, "nodeSelector")) {
    auto labels = obj_path(node, "metadata.labels");
    for (auto& [k, v] : *sel) {
      auto have = labels ? labels->if_contains(k) : nullptr;
      if (!have || *have != v)
        return false;
    }
  }
  auto req = obj_path(spec, "affinity.nodeAffinity."
                            "requiredDuringSchedulingIgnoredDuringExecution");
  if (!req)
    return true;
  auto terms = k8s::arr_at(*req, "nodeSelectorTerms");
  if (!terms)
    return true;
  return std::any_of(terms->begin(), terms->end(), [&](const json::value& t) {
    return t.is_object() && term_matches(t.as_object(), node);
  });
}

std::string untolerated_taint(const json::array* tolerations,
                              const json::object& node,
                              bool no_execute_only) {
  auto spec = obj_at(node, "spec");
  auto taints = spec ? k8s::arr_at(*spec, "taints") : nullptr;
  if (!taints)
    return {};
  for (auto& t : *taints) {
    auto to = t.if_object();
    if (!to)
      continue;
    auto effect = str_at(*to, "effect");
    if (effect != "NoExecute" && (no_execute_only || effect != "NoSchedule"))
      continue;
    bool ok = tolerations
              && std::any_of(tolerations->begin(), tolerations->end(),
                             [&](const json::value& x) {
                               return x.is_object()
                                      && tolerates(x.as_object(), *to);
                             });
    if (!ok)
      return "{" + str_at(*to, "key") + ": " + str_at(*to, "value") + "}";
  }
  return {};
}

fit_result fit(const json::object& spec, const json::object& node) {
  auto node_spec = obj_at(node, "spec");
  if (node_spec && k8s::bool_at(*node_spec, "unschedulable")) {
    // NodeUnschedulable: tolerated by node.kubernetes.io/unschedulable.
    json::object taint{{"key", "node.kubernetes.io/unschedulable"},
                       {"effect", "NoSchedule"}};
    auto tols = k8s::arr_at(spec, "tolerations");
    bool ok = tols && std::any_of(tols->begin(), tols->end(),
                                  [&](const json::value& x) {
                                    return x.is_object()
                                           && tolerates(x.as_object(), taint);
                                  });
    if (!ok)
      return {"node(s) were unschedulable"};
  }
  auto wanted = str_at(spec, "nodeName");
  if (!wanted.empty() && wanted != meta_str(node, "name"))
    return {"node(s) didn't match the requested node name"};
  if (!matches_node_selector_and_affinity(spec, node))
    return {"node(s) didn't match Pod's node affinity/selector"};
  auto taint = untolerated_taint(k8s::arr_at(spec, "tolerations"), node);
  if (!taint.empty())
    return {"node(s) had untolerated taint " + taint};
  return {};
}

std::string unschedulable_message(const std::vector<fit_result>& per_node) {
  if (per_node.empty())
    return "no nodes available to schedule pods";
  std::map<std::string, int> counts;
  for (auto& r : per_node)
    if (!r.fits())
      ++counts[r.reason];
  // framework.FitError.Error(): reasons sorted as "<count> <reason>" text.
  std::vector<std::string> parts;
  for (auto& [reason, n] : counts)
    parts.push_back(std::to_string(n) + " " + reason);
  std::sort(parts.begin(), parts.end());
  auto total = std::to_string(per_node.size());
  std::string msg = "0/" + total + " nodes are available: ";
  for (std::size_t i = 0; i < parts.size(); ++i)
    msg += (i ? ", " : "") + parts[i];
  msg += ". preemption: 0/" + total + " nodes are available: " + total
         + " Preemption is not helpful for scheduling.";
  return msg;
}

void add_daemon_tolerations(json::object& spec) {
  auto& tv = spec["tolerations"];
  if (!tv.is_array())
    tv = json::array{};
  auto& tols = tv.as_array();
  auto add = [&](const char* key, const char* effect) {
    for (auto& t : tols)
      if (auto to = t.if_object(); to && str_at(*to, "key") == key
                                   && str_at(*to, "effect") == effect)
        return;
    tols.push_back(json::object{{"key", key},
                                {"operator", "Exists"},
                                {"effect", effect}});
  };
  add("node.kubernetes.io/not-ready", "NoExecute");
  add("node.kubernetes.io/unreachable", "NoExecute");
  add("node.kubernetes.io/disk-pressure", "NoSchedule");
  add("node.kubernetes.io/memory-pressure", "NoSchedule");
  add("node.kubernetes.io/pid-pressure", "NoSchedule");
  add("node.kubernetes.io/unschedulable", "NoSchedule");
  if (k8s::bool_at(spec, "hostNetwork"))
    add("node.kubernetes.io/network-unavailable", "NoSchedule");
}

} // namespace kc::sim::cluster
