#include "actors/controller/agent_rbac.hpp"

#include "actors/controller/api_calls.hpp"
#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/workload.hpp"
#include "telemetry/logging.hpp"

#include <boost/json.hpp>

namespace kc::controller {

namespace json = boost::json;
using k8s::obj_at;
using k8s::str_at;

namespace {

struct rbac_job : std::enable_shared_from_this<rbac_job> {
  std::shared_ptr<k8s::api_client> api;
  std::vector<json::object> desired;
  on_done done;
  size_t next = 0;

  k8s::resource_ref ref(const json::object& obj) const {
    auto md = obj_at(obj, "metadata");
    return ref_of(resource_of_kind(str_at(obj, "kind")),
                  md ? str_at(*md, "namespace") : "",
                  md ? str_at(*md, "name") : "");
  }

  void step() {
    if (next >= desired.size()) {
      done("");
      return;
    }
    auto self = shared_from_this();
    call(*api, k8s::make_get(ref(desired[next])),
         [self](k8s::http_result r) { self->observed(std::move(r)); });
  }

  // The result of a write (or of the GET when nothing needs writing).
  void finished(const k8s::http_result& r, const char* verb) {
    auto& obj = desired[next];
    if (!r.ok()) {
      auto what = std::string{verb} + " " + str_at(obj, "kind") + " "
                  + ref(obj).name + ": " + r.error.to_string();
      if (str_at(obj, "kind") != "ClusterRoleBinding") {
        done(what);
        return;
      }
      KC_WARN("debuggers", "{} (agents cannot read Nodes)", what);
    }
    ++next;
    step();
  }

  void observed(k8s::http_result r) {
    auto self = shared_from_this();
    auto& obj = desired[next];
    auto cont = [self](const char* verb) {
      return [self, verb](k8s::http_result w) { self->finished(w, verb); };
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
    for (auto field : {"metadata", "rules", "roleRef", "subjects"}) {
      auto d = obj.find(field);
      if (d == obj.end())
        continue;
      auto o = r.object->find(field);
      auto diff = k8s::kubecombo::first_difference(
        d->value(), o == r.object->end() ? nullptr : &o->value(), field);
      if (diff.empty())
        continue;
      auto update = obj;
      auto md = obj_at(*r.object, "metadata");
      update["metadata"].as_object()["resourceVersion"]
        = md ? str_at(*md, "resourceVersion") : "";
      call(*api, k8s::make_update(ref(obj), update), cont("update"));
      return;
    }
    finished(r, "get");
  }
};

} // namespace

void ensure_agent_rbac(std::shared_ptr<k8s::api_client> api,
                       std::vector<json::object> desired, on_done done) {
  auto job = std::make_shared<rbac_job>();
  job->api = std::move(api);
  job->desired = std::move(desired);
  job->done = std::move(done);
  job->step();
}

std::string rbac_fingerprint(const std::vector<json::object>& desired) {
  std::string text;
  for (auto& o : desired)
    text += json::serialize(o) + "\n";
  return text;
}

} // namespace kc::controller
