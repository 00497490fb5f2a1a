#include "actors/controller/debugger_status.hpp"

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <ctime>

namespace kc::controller {

namespace json = boost::json;
using k8s::arr_at;
using k8s::int_at;
using k8s::obj_at;
using k8s::str_at;

namespace {

const char* text(bool b) {
  return b ? "True" : "False";
}

condition make(const char* type, bool status, std::string reason,
               std::string message) {
  return {type, status, std::move(reason), std::move(message)};
}

std::string pods(int64_t n) {
  return std::to_string(n) + (n == 1 ? " pod" : " pods");
}

debugger_status daemonset_status(int64_t generation, const json::object& ds) {
  debugger_status s;
  s.observed_generation = generation;
  static const json::object none;
  auto st = obj_at(ds, "status");
  auto& status = st ? *st : none;
  auto md = obj_at(ds, "metadata");
  auto gen = md ? int_at(*md, "generation") : 0;
  s.desired = int_at(status, "desiredNumberScheduled");
  s.ready = int_at(status, "numberReady");
  auto updated = int_at(status, "updatedNumberScheduled");
  if (!st || int_at(status, "observedGeneration") < gen) {
    s.ready_cond = make("Ready", false, "RollingOut",
                        "waiting for the DaemonSet controller");
    s.progressing = make("Progressing", true, "RollingOut",
                         "the DaemonSet controller has not seen generation "
                           + std::to_string(gen) + " yet");
  } else if (s.desired == 0) {
    s.ready_cond = make("Ready", false, "NoNodes",
                        "no node matches the selector and tolerations");
    s.progressing = make("Progressing", false, "NoNodes",
                         "nothing to roll out: no node matches");
  } else if (s.ready >= s.desired && updated >= s.desired) {
    s.ready_cond = make("Ready", true, "PodsReady",
                        pods(s.ready) + " of " + std::to_string(s.desired)
                          + " ready");
    s.progressing = make("Progressing", false, "RolledOut",
                         "every node runs the current template");
  } else {
    s.ready_cond = make("Ready", false, "PodsNotReady",
                        pods(s.ready) + " of " + std::to_string(s.desired)
                          + " ready");
    s.progressing = make("Progressing", true, "RollingOut",
                         std::to_string(updated) + " of "
                           + std::to_string(s.desired)
                           + " nodes run the current template");
  }
  return s;
}

bool pod_ready(const json::object& status) {
  if (auto conds = arr_at(status, "conditions"))
    for (auto& c : *conds)
      if (auto o = c.if_object(); o && str_at(*o, "type") == "Ready")
        return str_at(*o, "status") == "True";
  return false;
}

debugger_status pod_status(int64_t generation, const json::object& pod) {
  debugger_status s;
  s.observed_generation = generation;
  s.desired = 1;
  static const json::object none;
  auto st = obj_at(pod, "status");
  auto& status = st ? *st : none;
  auto phase = str_at(status, "phase");
  if (phase == "Running" && pod_ready(status)) {
    s.ready = 1;
    s.ready_cond = make("Ready", true, "PodReady", "the pod is running and ready");
    s.progressing = make("Progressing", false, "PodReady", "the pod is ready");
  } else if (phase == "Succeeded") {
    s.ready = 1;
    s.ready_cond = make("Ready", true, "Completed",
                        "the pod ran its scripts and completed; see its log");
    s.progressing = make("Progressing", false, "Completed", "the pod completed");
  } else if (phase == "Failed") {
    auto why = str_at(status, "message");
    s.ready_cond = make("Ready", false, "PodFailed", "the pod failed");
    s.progressing = make("Progressing", false, "PodFailed", "the pod failed");
    s.degraded = make("Degraded", true, "PodFailed",
                      why.empty() ? "the pod failed; see its log" : why);
  } else {
    auto p = phase.empty() ? std::string{"Pending"} : phase;
    s.ready_cond = make("Ready", false, "PodNotReady", "the pod is " + p);
    s.progressing = make("Progressing", true, "PodStarting", "the pod is " + p);
  }
  return s;
}

bool same_condition(const condition& c, const json::object* old) {
  return old && str_at(*old, "status") == text(c.status)
         && str_at(*old, "reason") == c.reason
         && str_at(*old, "message") == c.message;
}

} // namespace

debugger_status degraded_status(int64_t generation, const std::string& reason,
                                const std::string& message) {
  debugger_status s;
  s.observed_generation = generation;
  s.ready_cond = make("Ready", false, reason, "the Debugger is degraded");
  s.progressing = make("Progressing", false, reason,
                       "waiting for the Debugger or its references to change");
  s.degraded = make("Degraded", true, reason, message);
  return s;
}

debugger_status progressing_status(int64_t generation,
                                   const std::string& reason,
                                   const std::string& message) {
  debugger_status s;
  s.observed_generation = generation;
  s.ready_cond = make("Ready", false, reason, message);
  s.progressing = make("Progressing", true, reason, message);
  return s;
}

debugger_status observed_status(int64_t generation,
                                const json::object& workload) {
  return str_at(workload, "kind") == "DaemonSet"
           ? daemonset_status(generation, workload)
           : pod_status(generation, workload);
}

const json::object* find_condition(const json::object* status,
                                   const std::string& type) {
  auto conds = status ? arr_at(*status, "conditions") : nullptr;
  if (conds)
    for (auto& c : *conds)
      if (auto o = c.if_object(); o && str_at(*o, "type") == type)
        return o;
  return nullptr;
}

bool same_status(const debugger_status& s, const json::object* old) {
  if (!old || int_at(*old, "observedGeneration") != s.observed_generation
      || int_at(*old, "desired") != s.desired
      || int_at(*old, "ready") != s.ready)
    return false;
  for (auto c : {&s.ready_cond, &s.progressing, &s.degraded})
    if (!same_condition(*c, find_condition(old, c->type)))
      return false;
  return true;
}

json::object render_condition(const condition& c, int64_t generation,
                              const json::object* old, const std::string& now) {
  auto prev = find_condition(old, c.type);
  auto since = prev && str_at(*prev, "status") == text(c.status)
                   && !str_at(*prev, "lastTransitionTime").empty()
                 ? str_at(*prev, "lastTransitionTime")
                 : now;
  return json::object{{"type", c.type},
                      {"status", text(c.status)},
                      {"observedGeneration", generation},
                      {"lastTransitionTime", since},
                      {"reason", c.reason},
                      {"message", c.message}};
}

json::object render_status(const debugger_status& s, const json::object* old,
                           const std::string& now) {
  json::array conds;
  for (auto c : {&s.ready_cond, &s.progressing, &s.degraded})
    conds.push_back(render_condition(*c, s.observed_generation, old, now));
  return json::object{{"observedGeneration", s.observed_generation},
                      {"desired", s.desired},
                      {"ready", s.ready},
                      {"conditions", std::move(conds)}};
}

std::string now_rfc3339() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace kc::controller
