#include "actors/controller/pinger_status.hpp"

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace kc::controller {

namespace json = boost::json;
using k8s::arr_at;
using k8s::obj_at;
using k8s::str_at;

namespace {

condition make(const char* type, bool status, std::string reason,
               std::string message) {
  return {type, status, std::move(reason), std::move(message)};
}

std::string count(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// A non-negative integer field of a summary (-1 if missing or wrong).
int64_t counter(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end())
    return -1;
  if (auto i = it->value().if_int64())
    return *i >= 0 ? *i : -1;
  if (auto u = it->value().if_uint64())
    return static_cast<int64_t>(*u);
  return -1;
}

} // namespace

std::string pinger_of_pod(const json::object& pod) {
  auto spec = obj_at(pod, "spec");
  auto containers = spec ? arr_at(*spec, "containers") : nullptr;
  if (containers)
    for (auto& c : *containers) {
      auto co = c.if_object();
      auto env = co ? arr_at(*co, "env") : nullptr;
      if (env)
        for (auto& e : *env)
          if (auto eo = e.if_object();
              eo && str_at(*eo, "name") == "PINGER_NAME")
            return str_at(*eo, "value");
    }
  return "";
}

bool runs_pinger(const json::object& pod, const std::string& pinger) {
  auto md = obj_at(pod, "metadata");
  if (!md || md->contains("deletionTimestamp"))
    return false;
  auto st = obj_at(pod, "status");
  auto phase = st ? str_at(*st, "phase") : "";
  if (phase == "Succeeded" || phase == "Failed")
    return false;
  return !pinger.empty() && pinger_of_pod(pod) == pinger;
}

agent_summary read_agent_summary(const json::object& pod) {
  agent_summary a;
  auto md = obj_at(pod, "metadata");
  if (!md)
    return a;
  a.pod = str_at(*md, "name");
  auto ann = obj_at(*md, "annotations");
  auto text = ann ? str_at(*ann, pinger_summary_annotation) : "";
  if (text.empty())
    return a;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  auto o = ec ? nullptr : v.if_object();
  if (!o)
    return a;
  auto targets = counter(*o, "targets"), unhealthy = counter(*o, "unhealthy");
  if (targets < 0 || unhealthy < 0 || unhealthy > targets)
    return a;
  a.reported = true;
  a.targets = targets;
  a.unhealthy = unhealthy;
  if (auto down = arr_at(*o, "down"))
    for (auto& d : *down)
      if (auto s = d.if_string())
        a.down.emplace_back(*s);
  return a;
}

pinger_status rollup_pinger(int64_t generation, const std::string& invalid,
                            std::vector<agent_summary> agents) {
  pinger_status s;
  s.observed_generation = generation;
  std::sort(agents.begin(), agents.end(),
            [](auto& a, auto& b) { return a.pod < b.pod; });
  s.agents = static_cast<int64_t>(agents.size());
  for (auto& a : agents) {
    if (!a.reported)
      continue;
    ++s.reporting;
    s.targets += a.targets;
    s.unhealthy += a.unhealthy;
    for (auto& d : a.down)
      if (s.down.size() < max_listed_down)
        s.down.push_back(a.pod + ": " + d);
  }
  if (!invalid.empty()) {
    s.ready = make("Ready", false, "InvalidSpec", "the Pinger is invalid");
    s.progressing = make("Progressing", false, "InvalidSpec",
                         "waiting for the spec to change");
    s.degraded = make("Degraded", true, "InvalidSpec", invalid);
    return s;
  }
  if (s.agents == 0) {
    auto why = "no agent runs this Pinger (no running pod of a Debugger with "
               "enablePinger naming it)";
    s.ready = make("Ready", false, "NoAgents", why);
    s.progressing = make("Progressing", false, "NoAgents", why);
    s.degraded = make("Degraded", false, "AsExpected", "no agent reports");
    return s;
  }
  auto reported = std::to_string(s.reporting) + " of "
                  + count(s.agents, "agent", "agents") + " reported";
  if (s.reporting < s.agents) {
    s.ready = make("Ready", false, "WaitingForAgents", reported);
    s.progressing = make("Progressing", true, "WaitingForAgents", reported);
  } else {
    s.ready = make("Ready", true, "AgentsReporting",
                   count(s.agents, "agent probes ", "agents probe ")
                     + count(s.targets, "target", "targets"));
    s.progressing = make("Progressing", false, "AsExpected", reported);
  }
  if (s.unhealthy > 0) {
    std::string list;
    for (auto& d : s.down)
      list += (list.empty() ? "" : ", ") + d;
    if (static_cast<int64_t>(s.down.size()) < s.unhealthy)
      list += (list.empty() ? "" : ", ") + std::string{"..."};
    s.degraded = make("Degraded", true, "TargetsUnhealthy",
                      std::to_string(s.unhealthy) + " of "
                        + count(s.targets, "target", "targets")
                        + " down: " + list);
  } else {
    s.degraded = make("Degraded", false, "AsExpected",
                      s.reporting > 0 ? "every reported target is healthy"
                                      : "no agent reported yet");
  }
  return s;
}

json::object render_pinger_status(const pinger_status& s,
                                  const json::object* old,
                                  const std::string& now) {
  json::array conds;
  for (auto c : {&s.ready, &s.progressing, &s.degraded})
    conds.push_back(render_condition(*c, s.observed_generation, old, now));
  json::array down;
  for (auto& d : s.down)
    down.emplace_back(d);
  return json::object{{"observedGeneration", s.observed_generation},
                      {"agents", s.agents},
                      {"reportingAgents", s.reporting},
                      {"targets", s.targets},
                      {"unhealthyTargets", s.unhealthy},
                      {"downTargets", std::move(down)},
                      {"conditions", std::move(conds)}};
}

bool same_pinger_status(const pinger_status& s, const json::object* old) {
  if (!old)
    return false;
  // Changed conditions get a fresh timestamp and so never compare equal.
  auto want = render_pinger_status(s, old, "-");
  for (auto& kv : want) {
    auto it = old->find(kv.key());
    if (it == old->end() || it->value() != kv.value())
      return false;
  }
  return true;
}

} // namespace kc::controller
