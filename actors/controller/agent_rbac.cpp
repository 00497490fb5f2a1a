#include "actors/controller/agent_rbac.hpp"

#include "actors/controller/api_calls.hpp"
#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/workload.hpp"
#include "telemetry/logging.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace kc::controller {

namespace json = boost::json;
using k8s::arr_at;
using k8s::obj_at;
using k8s::str_at;

namespace {

using batch = std::vector<on_done>;

k8s::resource_ref ref(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  return ref_of(resource_of_kind(str_at(obj, "kind")),
                md ? str_at(*md, "namespace") : "",
                md ? str_at(*md, "name") : "");
}

bool cluster_scoped(const json::object& obj) {
  return str_at(obj, "kind") == "ClusterRoleBinding";
}

// One ensure (create / update / leave) or delete of every object, in
// order; `done` gets "" or the first error that matters.
struct rbac_job : std::enable_shared_from_this<rbac_job> {
  std::shared_ptr<k8s::api_client> api;
  std::vector<json::object> objects;
  bool removal = false;
  on_done done;
  size_t next = 0;

  void step() {
    if (next >= objects.size()) {
      done("");
      return;
    }
    auto self = shared_from_this();
    auto& obj = objects[next];
    if (removal) {
      call(*api, k8s::make_delete(ref(obj)),
           [self](k8s::http_result r) { self->finished(r, "delete"); });
      return;
    }
    call(*api, k8s::make_get(ref(obj)),
         [self](k8s::http_result r) { self->observed(std::move(r)); });
  }

  // The result of a write (or of the GET when nothing needs writing).
  void finished(const k8s::http_result& r, const char* verb) {
    auto& obj = objects[next];
    if (!r.ok() && !(removal && r.status == 404)) {
      auto what = std::string{verb} + " " + str_at(obj, "kind") + " "
                  + ref(obj).name + ": " + r.error.to_string();
      if (!cluster_scoped(obj)) {
        done(what);
        return;
      }
      KC_WARN("debuggers", "{} (agents cannot read Nodes)", what);
    }
    ++next;
    step();
  }

  // Owner references are left from controllers before ADR 0104: the GC
  // would delete the objects with their last old owner.
  static bool has_owners(const json::object& observed) {
    auto md = obj_at(observed, "metadata");
    auto refs = md ? arr_at(*md, "ownerReferences") : nullptr;
    return refs && !refs->empty();
  }

  void observed(k8s::http_result r) {
    auto self = shared_from_this();
    auto& obj = objects[next];
    auto cont = [self](const char* verb) {
      return [self, verb](k8s::http_result w) {
        self->finished(w, verb);
      };
    };
    if (failed_with(r, 404)) {
      call(*api, k8s::make_create(ref_of(ref(obj).resource, ref(obj).ns), obj),
           cont("create"));
      return;
    }
    if (!r.ok() || !r.object) {
      finished(r, "get");
      return;
    }
    bool differs = has_owners(*r.object);
    for (auto field : {"metadata", "rules", "roleRef", "subjects"}) {
      auto d = obj.find(field);
      if (differs || d == obj.end())
        continue;
      auto o = r.object->find(field);
      differs = !k8s::kubecombo::first_difference(
                     d->value(), o == r.object->end() ? nullptr : &o->value(),
                     field)
                     .empty();
    }
    if (!differs) {
      finished(r, "get");
      return;
    }
    auto update = obj;
    auto md = obj_at(*r.object, "metadata");
    update["metadata"].as_object()["resourceVersion"]
        = md ? str_at(*md, "resourceVersion") : "";
    call(*api, k8s::make_update(ref(obj), update), cont("update"));
  }
};

void run_all(const batch& callbacks, const std::string& error) {
  for (auto& cb : callbacks)
    if (cb)
      cb(error);
}

} // namespace

agent_rbac::agent_rbac(std::shared_ptr<k8s::api_client> api)
  : api_(std::move(api)) {}

void agent_rbac::ensure(const std::string& ns, on_done done) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& st = state_[ns];
    if (!(st.ensured && !st.busy && !st.remove)) {
      st.waiters.push_back(std::move(done));
      done = nullptr;
    }
  }
  if (done) {
    done("");
    return;
  }
  pump(ns);
}

void agent_rbac::release(const std::string& ns, on_done done) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& st = state_[ns];
    st.remove = true;
    st.removers.push_back(std::move(done));
  }
  pump(ns);
}

void agent_rbac::invalidate(const std::string& ns) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto it = state_.find(ns); it != state_.end())
    it->second.ensured = false;
}

bool agent_rbac::ensured(const std::string& ns) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = state_.find(ns);
  return it != state_.end() && it->second.ensured && !it->second.busy
         && !it->second.remove && it->second.waiters.empty();
}

// Starts the next job of `ns` unless one runs: a pending delete first, then
// an ensure for every pass that waits (waiters arriving meanwhile wait for
// the next job, which then finds everything in place with GETs only).
void agent_rbac::pump(const std::string& ns) {
  auto job = std::make_shared<rbac_job>();
  batch callbacks;
  bool ready = false;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& st = state_[ns];
    if (st.busy)
      return;
    if (st.remove) {
      st.remove = false;
      st.ensured = false;
      job->removal = true;
      callbacks.swap(st.removers);
    } else if (!st.waiters.empty()) {
      callbacks.swap(st.waiters);
      ready = st.ensured;
    } else {
      if (!st.ensured)
        state_.erase(ns); // nothing left to remember
      return;
    }
    st.busy = !ready;
  }
  if (ready) {
    run_all(callbacks, "");
    return;
  }
  job->api = api_;
  job->objects = k8s::kubecombo::desired_agent_rbac(ns, {});
  if (job->removal)
    std::reverse(job->objects.begin(), job->objects.end());
  auto self = shared_from_this();
  bool removal = job->removal;
  job->done = [self, ns, removal, callbacks](std::string error) {
    self->finished(ns, removal, error);
    run_all(callbacks, error);
    self->pump(ns);
  };
  if (removal)
    KC_INFO("debuggers", "deleting the agent RBAC of namespace {}", ns);
  job->step();
}

void agent_rbac::finished(const std::string& ns, bool removal,
                          std::string error) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& st = state_[ns];
  st.busy = false;
  if (!removal)
    st.ensured = error.empty();
}

} // namespace kc::controller
