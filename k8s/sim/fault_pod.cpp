// Pod status faults (phase, container exit code) and the description of
// the active faults (ADR 0012).

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/fault.hpp"

#include <set>

namespace kc::sim {

namespace {

const std::set<std::string>& phases() {
  static const std::set<std::string> p{"Pending", "Running", "Succeeded",
                                       "Failed", "Unknown"};
  return p;
}

/// Sets Ready / ContainersReady to False (a terminated container).
void unready(json::object& status, const std::string& now) {
  auto c = status.if_contains("conditions");
  if (!c || !c->is_array())
    return;
  for (auto& cond : c->as_array()) {
    auto o = cond.if_object();
    if (!o)
      continue;
    auto type = str_at(*o, "type");
    if ((type == "Ready" || type == "ContainersReady")
        && str_at(*o, "status") != "False") {
      (*o)["status"] = "False";
      (*o)["reason"] = "ContainersNotReady";
      (*o)["lastTransitionTime"] = now;
    }
  }
}

/// Runs `edit` on a copy of pod ns/name's status and stores it.
std::string edit_status(control_plane& cp, const std::string& ns,
                        const std::string& name,
                        const std::function<std::string(json::object& pod,
                                                        json::object& st)>&
                          edit) {
  std::string err;
  cp.objects.transact([&](txn& t) {
    auto cur = t.get("pods", ns, name);
    if (!cur) {
      err = "notfound";
      return;
    }
    json::object pod = cur->obj;
    auto& sv = pod["status"];
    if (!sv.is_object())
      sv = json::object{};
    err = edit(pod, sv.as_object());
    if (err.empty())
      t.put("pods", std::move(pod));
  });
  return err;
}

} // namespace

std::string fault_injector::set_pod_phase(const std::string& ns,
                                          const std::string& name,
                                          const std::string& phase) {
  if (!phases().count(phase))
    return "field \"phase\" must be one of Pending, Running, Succeeded, "
           "Failed, Unknown";
  return edit_status(cp_, ns, name, [&](json::object&, json::object& st) {
    st["phase"] = phase;
    return std::string();
  });
}

std::string fault_injector::set_exit_code(const std::string& ns,
                                          const std::string& name,
                                          const std::string& container,
                                          int exit_code,
                                          const std::string& phase) {
  if (!phase.empty() && !phases().count(phase))
    return "field \"phase\" must be one of Pending, Running, Succeeded, "
           "Failed, Unknown";
  return edit_status(cp_, ns, name, [&](json::object& pod,
                                         json::object& st) -> std::string {
    // The container: named, else the first of spec.containers.
    const json::object* spec_c = nullptr;
    if (auto spec = obj_at(pod, "spec"))
      if (auto cs = spec->if_contains("containers"); cs && cs->is_array())
        for (auto& c : cs->as_array())
          if (auto co = c.if_object();
              co && (container.empty() || str_at(*co, "name") == container)) {
            spec_c = co;
            break;
          }
    if (!spec_c)
      return container.empty()
               ? "field \"container\": the pod has no containers"
               : "field \"container\": the pod has no container \""
                   + container + "\"";
    auto cname = str_at(*spec_c, "name");
    auto& csv = st["containerStatuses"];
    if (!csv.is_array())
      csv = json::array{};
    json::object* cs = nullptr;
    for (auto& c : csv.as_array())
      if (auto co = c.if_object(); co && str_at(*co, "name") == cname)
        cs = co;
    if (!cs) {
      csv.as_array().push_back(json::object{
        {"name", cname},
        {"image", str_at(*spec_c, "image")},
        {"imageID", ""},
        {"ready", false},
        {"restartCount", 0},
        {"started", false}});
      cs = &csv.as_array().back().as_object();
    }
    auto now = now_rfc3339();
    std::string started = now;
    std::string id;
    if (auto state = obj_at(*cs, "state")) {
      for (auto* k : {"running", "terminated"})
        if (auto s = obj_at(*state, k)) {
          if (auto v = str_at(*s, "startedAt"); !v.empty())
            started = v;
          if (auto v = str_at(*s, "containerID"); !v.empty())
            id = v;
        }
    }
    json::object term{{"exitCode", exit_code},
                      {"reason", exit_code == 0 ? "Completed" : "Error"},
                      {"startedAt", started},
                      {"finishedAt", now}};
    if (!id.empty())
      term["containerID"] = id;
    (*cs)["state"] = json::object{{"terminated", std::move(term)}};
    (*cs)["ready"] = false;
    (*cs)["started"] = false;
    unready(st, now);
    if (!phase.empty())
      st["phase"] = phase;
    return std::string();
  });
}

json::object fault_injector::describe() const {
  std::lock_guard<std::mutex> g(mtx_);
  return describe_locked();
}

json::object fault_injector::describe_locked() const {
  auto rule_json = [](const counted_rule& r) {
    json::object o{{"hits", r.hits}};
    if (r.rule.count > 0)
      o["count"] = r.rule.count;
    else
      o["fraction"] = r.rule.fraction;
    if (!r.rule.scope.verb.empty())
      o["verb"] = r.rule.scope.verb;
    if (!r.rule.scope.resource.empty())
      o["resource"] = r.rule.scope.resource;
    if (!r.rule.scope.path_prefix.empty())
      o["pathPrefix"] = r.rule.scope.path_prefix;
    return o;
  };
  json::array errors, resets, denies;
  for (auto& r : errors_) {
    auto o = rule_json(r);
    o["code"] = r.rule.code;
    if (r.rule.retry_after >= 0)
      o["retryAfterSeconds"] = r.rule.retry_after;
    errors.push_back(std::move(o));
  }
  for (auto& r : resets_) {
    auto o = rule_json(r);
    o["watchOnly"] = r.rule.watch_only;
    resets.push_back(std::move(o));
  }
  for (auto& d : denies_) {
    json::object o{{"verb", d.verb}, {"resource", d.resource}};
    if (!d.ns.empty())
      o["namespace"] = d.ns;
    if (!d.user.empty())
      o["user"] = d.user;
    denies.push_back(std::move(o));
  }
  json::object served;
  for (auto& [code, n] : served_)
    served[code == 0 ? std::string("reset") : std::to_string(code)] = n;
  return {{"kind", "Faults"},
          {"apiVersion", "fault.kubecombo.io/v1"},
          {"errors", std::move(errors)},
          {"resets", std::move(resets)},
          {"denies", std::move(denies)},
          {"watchDelayMilliseconds", delay_ms_.load()},
          {"served", std::move(served)}};
}

} // namespace kc::sim
