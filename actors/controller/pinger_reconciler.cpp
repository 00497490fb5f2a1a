#include "actors/controller/pinger_reconciler.hpp"

#include "actors/controller/api_calls.hpp"
#include "actors/controller/pinger_status.hpp"
#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/spec.hpp"
#include "k8s/api/kubecombo/validate.hpp"

#include <boost/json.hpp>
#include <caf/send.hpp>

#include <chrono>

namespace kc::controller {

namespace json = boost::json;
namespace kk = k8s::kubecombo;
using k8s::obj_at;
using k8s::str_at;

namespace {

constexpr auto sync_recheck = std::chrono::milliseconds{200};

class pinger_reconciler
  : public runtime::reconciler,
    public std::enable_shared_from_this<pinger_reconciler> {
public:
  pinger_reconciler(object_key key, pinger_deps deps)
    : key_(std::move(key)), deps_(std::move(deps)) {}

  void reconcile(runtime::reconcile_request req) override {
    for (auto& flag : deps_.synced)
      if (flag && !flag->load()) {
        req.done(reconcile_result::after(sync_recheck));
        return;
      }
    if (!req.snapshot) { // gone: nothing of ours to clean up
      degraded_.clear();
      req.done(reconcile_result::ok());
      return;
    }
    auto& pinger = *req.snapshot;
    auto meta = kk::meta_of(pinger);
    auto errors = kk::validate_pinger(kk::parse_pinger_spec(pinger));
    std::vector<agent_summary> agents;
    for (auto& name : deps_.agents->pods(key_))
      if (auto pod = deps_.cache->get(pinger_agents_kind, {key_.ns, name});
          pod && runs_pinger(*pod, key_.name))
        agents.push_back(read_agent_summary(*pod));
    auto s = rollup_pinger(meta.generation,
                           errors.empty() ? "" : kk::describe(errors),
                           std::move(agents));
    events(s, meta.uid, pinger);
    auto old = obj_at(pinger, "status");
    if (same_pinger_status(s, old)) {
      req.done(reconcile_result::ok());
      return;
    }
    json::object body{
      {"status", render_pinger_status(s, old, now_rfc3339())}};
    auto r = ref_of("pingers", key_.ns, key_.name);
    r.subresource = "status";
    auto done = std::move(req.done);
    call(*deps_.api,
         k8s::make_patch(r, k8s::patch_type::merge, json::serialize(body)),
         [done](k8s::http_result w) {
           if (w.ok() || failed_with(w, 404))
             done(reconcile_result::ok());
           else
             done(reconcile_result::failed("status: " + w.error.to_string()));
         });
  }

private:
  // A Warning when Degraded turns True or changes reason (not per count);
  // the first pass starts from the status (a restart repeats nothing).
  void events(const pinger_status& s, const std::string& uid,
              const json::object& pinger) {
    if (!known_) {
      known_ = true;
      auto c = find_condition(obj_at(pinger, "status"), "Degraded");
      if (c && str_at(*c, "status") == "True")
        degraded_ = str_at(*c, "reason");
    }
    auto now = s.degraded.status ? s.degraded.reason : std::string{};
    auto rec = deps_.recorder ? deps_.recorder->get() : recorder_actor{};
    if (!now.empty() && now != degraded_ && rec) {
      event_request ev;
      ev.kind = "Pinger";
      ev.api_version = kk::api_version;
      ev.ns = key_.ns;
      ev.name = key_.name;
      ev.uid = uid;
      auto md = obj_at(pinger, "metadata");
      ev.resource_version = md ? str_at(*md, "resourceVersion") : "";
      ev.type = "Warning";
      ev.reason = s.degraded.reason;
      ev.message = s.degraded.message;
      caf::anon_send(rec, std::move(ev));
    }
    degraded_ = now;
  }

  object_key key_;
  pinger_deps deps_;
  bool known_ = false;
  std::string degraded_;
};

} // namespace

void agent_index::set(const object_key& pod, const std::string& pinger) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = pinger_of_.find(pod);
  if (it != pinger_of_.end()) {
    if (it->second == pinger)
      return;
    auto set = by_pinger_.find({pod.ns, it->second});
    if (set != by_pinger_.end()) {
      set->second.erase(pod.name);
      if (set->second.empty())
        by_pinger_.erase(set);
    }
    pinger_of_.erase(it);
  }
  if (pinger.empty())
    return;
  pinger_of_.emplace(pod, pinger);
  by_pinger_[{pod.ns, pinger}].insert(pod.name);
}

std::vector<std::string> agent_index::pods(const object_key& pinger) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = by_pinger_.find(pinger);
  if (it == by_pinger_.end())
    return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<object_key> map_pinger_event(object_cache& cache,
                                         agent_index& agents,
                                         const resource_event& ev) {
  auto previous = cache.apply(ev);
  if (ev.kind == pinger_specs_kind)
    return {ev.key};
  std::vector<object_key> out;
  if (ev.kind != pinger_agents_kind)
    return out;
  agents.set(ev.key, ev.snapshot ? pinger_of_pod(*ev.snapshot) : "");
  // The Pinger of the new and of the last state (a delete has only the
  // latter; env cannot change on a Pod, but be safe).
  for (auto obj : {ev.snapshot.get(), previous.get()})
    if (obj)
      if (auto name = pinger_of_pod(*obj); !name.empty()
          && (out.empty() || out.front().name != name))
        out.push_back({ev.key.ns, name});
  return out;
}

runtime::reconciler_factory pinger_reconciler_factory(pinger_deps deps) {
  return [deps](const object_key& key) {
    return std::make_shared<pinger_reconciler>(key, deps);
  };
}

} // namespace kc::controller
