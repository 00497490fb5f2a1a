#include "k8s/sim/cluster/scheduler.hpp"

#include "k8s/sim/cluster/api.hpp"
#include "k8s/sim/cluster/node_match.hpp"
#include "k8s/sim/cluster/objects.hpp"
#include "k8s/sim/control_plane.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace kc::sim::cluster {

namespace {

const char* scheduler_name = "default-scheduler";

/// Replaces the PodScheduled condition; false if nothing changed.
bool put_scheduled(json::object& pod, const char* status, const char* reason,
                   const std::string& message) {
  auto& st = pod["status"];
  if (!st.is_object())
    st = json::object{};
  auto& cv = st.as_object()["conditions"];
  if (!cv.is_array())
    cv = json::array{};
  json::object c{{"type", "PodScheduled"},
                 {"status", status},
                 {"lastProbeTime", nullptr},
                 {"lastTransitionTime", now_rfc3339()}};
  if (*reason)
    c["reason"] = reason;
  if (!message.empty())
    c["message"] = message;
  for (auto& x : cv.as_array())
    if (auto xo = x.if_object(); xo && str_at(*xo, "type") == "PodScheduled") {
      if (str_at(*xo, "status") == status && str_at(*xo, "reason") == reason
          && str_at(*xo, "message") == message)
        return false;
      if (str_at(*xo, "status") == status)
        c["lastTransitionTime"] = xo->at("lastTransitionTime");
      x = std::move(c);
      return true;
    }
  cv.as_array().push_back(std::move(c));
  return true;
}

bool wants_us(const json::object& pod) {
  auto spec = obj_at(pod, "spec");
  if (!spec || !str_at(*spec, "nodeName").empty() || !is_active(pod))
    return false;
  auto s = str_at(*spec, "schedulerName");
  return s.empty() || s == scheduler_name;
}

const k8s::resource_type& binding_type() {
  static const k8s::resource_type t = [] {
    k8s::resource_type b;
    b.version = "v1";
    b.resource = "bindings";
    b.kind = "Binding";
    return b;
  }();
  return t;
}

api_response conflict(control_plane& cp, const std::string& name,
                      const std::string& why) {
  auto st = k8s::status_conflict(*cp.registry.find("", "v1", "pods"), name);
  st.body["message"] = "Operation cannot be fulfilled on pods/binding \""
                       + name + "\": " + why;
  if (auto d = st.body.if_contains("details"); d && d->is_object())
    d->as_object()["kind"] = "pods/binding";
  return from_status(st);
}

} // namespace

api_response bind_pod(control_plane& cp, const std::string& ns,
                      const std::string& name, const std::string& node,
                      const std::string& uid) {
  std::optional<api_response> failure;
  stored_ptr bound;
  cp.objects.transact([&](txn& tx) {
    auto cur = tx.get("pods", ns, name);
    if (!cur || (!uid.empty() && meta_str(cur->obj, "uid") != uid)) {
      failure = from_status(
        k8s::status_not_found(*cp.registry.find("", "v1", "pods"), name));
      return;
    }
    if (is_deleting(cur->obj)) {
      failure = conflict(cp, name, "pod " + name
                                     + " is being deleted, cannot be "
                                       "assigned to a host");
      return;
    }
    auto have = node_of(cur->obj);
    if (!have.empty()) {
      failure = conflict(cp, name, "pod " + name
                                     + " is already assigned to node \""
                                     + have + "\"");
      return;
    }
    json::object next = cur->obj;
    auto& spec = next["spec"];
    if (!spec.is_object())
      spec = json::object{};
    spec.as_object()["nodeName"] = node;
    put_scheduled(next, "True", "", "");
    bound = tx.put("pods", std::move(next));
  });
  if (failure)
    return std::move(*failure);
  auto r = from_status(k8s::status_success());
  r.code = 201;
  record_event(cp, bound->obj, "Normal", "Scheduled",
               "Successfully assigned " + ns + "/" + name + " to " + node,
               scheduler_name);
  return r;
}

api_response serve_binding(control_plane& cp, const api_request& req,
                           const std::string& ns, const std::string& name) {
  boost::system::error_code ec;
  auto v = json::parse(req.body, ec);
  if (ec || !v.is_object())
    return from_status(k8s::status_bad_request(
      "the body of the request was in an unknown format - accepted media "
      "types include: application/json"));
  auto& b = v.as_object();
  auto body_name = meta_str(b, "name");
  if (!body_name.empty() && body_name != name)
    return from_status(k8s::status_bad_request(
      "name in URL does not match name in Binding object"));
  auto target = obj_at(b, "target");
  auto node = target ? str_at(*target, "name") : std::string{};
  auto kind = target ? str_at(*target, "kind") : std::string{};
  if (node.empty() || (!kind.empty() && kind != "Node"))
    return from_status(k8s::status_invalid(
      binding_type(), name,
      {{"FieldValueRequired", "target.name", "Required value"}}));
  return bind_pod(cp, ns, name, node, meta_str(b, "uid"));
}

void scheduler::observe_pod(const std::string& key, const stored_object* o) {
  if (auto it = assigned_.find(key); it != assigned_.end()) {
    --per_node_[it->second];
    assigned_.erase(it);
  }
  if (!o) {
    pending_.erase(key);
    unschedulable_.erase(key);
    reported_.erase(key);
    retry_all(); // freed capacity
    return;
  }
  auto node = node_of(o->obj);
  if (!node.empty() && !is_terminal(o->obj)) {
    assigned_[key] = node;
    ++per_node_[node];
  }
  if (wants_us(o->obj)) {
    if (!unschedulable_.count(key))
      pending_.insert(key);
  } else {
    pending_.erase(key);
    unschedulable_.erase(key);
    reported_.erase(key);
  }
}

void scheduler::retry_all() {
  pending_.insert(unschedulable_.begin(), unschedulable_.end());
  unschedulable_.clear();
}

void scheduler::reset() {
  assigned_.clear();
  per_node_.clear();
  pending_.clear();
  unschedulable_.clear();
  reported_.clear();
}

int scheduler::run() {
  if (pending_.empty())
    return 0;
  uint64_t rev = 0;
  auto nodes = cp_.objects.list("nodes", "", rev);
  int bound = 0;
  auto keys = std::move(pending_);
  pending_.clear();
  for (auto& key : keys) {
    auto slash = key.find('/');
    auto pod = cp_.objects.get("pods", key.substr(0, slash),
                               key.substr(slash + 1));
    if (!pod || !wants_us(pod->obj))
      continue;
    auto spec = obj_at(pod->obj, "spec");
    std::vector<fit_result> results;
    const stored_object* best = nullptr;
    int best_count = 0;
    for (auto& n : nodes) {
      results.push_back(fit(*spec, n->obj));
      if (!results.back().fits())
        continue;
      int c = per_node_[n->name];
      if (!best || c < best_count) {
        best = n.get();
        best_count = c;
      }
    }
    if (!best) {
      mark_unschedulable(pod, unschedulable_message(results));
      unschedulable_.insert(key);
      continue;
    }
    auto r = bind_pod(cp_, pod->ns, pod->name, best->name,
                      meta_str(pod->obj, "uid"));
    if (succeeded(r)) {
      ++bound;
      // Count it now; the watch event re-counts it (observe_pod).
      assigned_[key] = best->name;
      ++per_node_[best->name];
    }
  }
  return bound;
}

void scheduler::mark_unschedulable(const stored_ptr& pod,
                                   const std::string& msg) {
  auto key = pod->ns + '/' + pod->name;
  cp_.objects.transact([&](txn& tx) {
    auto cur = tx.get("pods", pod->ns, pod->name);
    if (!cur || cur->rev != pod->rev)
      return;
    json::object next = cur->obj;
    if (put_scheduled(next, "False", "Unschedulable", msg))
      tx.put("pods", std::move(next));
  });
  auto& last = reported_[key];
  if (last == msg)
    return;
  last = msg;
  record_event(cp_, pod->obj, "Warning", "FailedScheduling", msg,
               scheduler_name);
}

} // namespace kc::sim::cluster
