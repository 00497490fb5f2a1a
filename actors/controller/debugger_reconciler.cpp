#include "actors/controller/debugger_reconciler.hpp"

#include "actors/controller/agent_rbac.hpp"
#include "actors/controller/api_calls.hpp"
#include "actors/controller/debugger_mapping.hpp"
#include "actors/controller/debugger_runs.hpp"
#include "actors/controller/debugger_status.hpp"
#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/spec.hpp"
#include "k8s/api/kubecombo/validate.hpp"
#include "k8s/api/kubecombo/workload.hpp"
#include "telemetry/logging.hpp"

#include <boost/json.hpp>
#include <caf/send.hpp>

#include <chrono>

namespace kc::controller {

namespace json = boost::json;
namespace kk = k8s::kubecombo;
using k8s::obj_at;
using k8s::str_at;
using kc::reconcile_result;

namespace {

/// How long a pass waits for a terminating workload before looking again
/// (the informer's DELETED event normally comes first).
constexpr auto terminating_recheck = std::chrono::seconds{5};

/// How often a pass looks again while the informers are still listing.
constexpr auto sync_recheck = std::chrono::milliseconds{200};

std::string reference_reason(const k8s::field_error& e) {
  bool missing = e.reason == "FieldValueNotFound";
  if (e.field == "spec.configMap")
    return missing ? "ConfigMapMissing" : "ConfigMapInvalid";
  return missing ? "PingerMissing" : "PingerInvalid";
}

bool terminating(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  return md && md->contains("deletionTimestamp");
}

std::string rv_of(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  return md ? str_at(*md, "resourceVersion") : "";
}

std::string uid_of(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  return md ? str_at(*md, "uid") : "";
}

/// One reconcile pass; it continues on the api_client's thread after each
/// call. Passes of one key never overlap (the RECONCILER runs one at a
/// time), so the owner's memory is touched by one pass at a time.
struct pass : std::enable_shared_from_this<pass> {
  std::shared_ptr<debugger_reconciler> owner;
  runtime::reconcile_request req;
  snapshot_ptr debugger;
  kk::object_meta meta;
  kk::debugger_spec spec;
  snapshot_ptr pinger;
  snapshot_ptr config_map;

  k8s::api_client& api() {
    return *owner->deps().api;
  }
  object_cache& cache() {
    return *owner->deps().cache;
  }
  debugger_memory& mem() {
    return owner->memory();
  }
  const std::string& ns() const {
    return owner->key().ns;
  }
  const std::string& name() const {
    return owner->key().name;
  }
  std::string log_name() const {
    return "debugger/" + to_string(owner->key());
  }

  void record(const char* type, const std::string& reason,
              const std::string& message) {
    auto& link = owner->deps().recorder;
    auto rec = link ? link->get() : recorder_actor{};
    if (!rec)
      return;
    event_request ev;
    ev.kind = "Debugger";
    ev.api_version = kk::api_version;
    ev.ns = ns();
    ev.name = name();
    ev.uid = meta.uid;
    ev.resource_version = debugger ? rv_of(*debugger) : "";
    ev.type = type;
    ev.reason = reason;
    ev.message = message;
    caf::anon_send(rec, std::move(ev));
  }

  void fail(std::string message) {
    req.done(reconcile_result::failed(std::move(message)));
  }

  void start() {
    for (auto& flag : owner->deps().synced)
      if (flag && !flag->load()) {
        req.done(reconcile_result::after(sync_recheck));
        return;
      }
    if (!req.snapshot) {
      gone();
      return;
    }
    debugger = req.snapshot;
    req.done = with_inspection_runs(owner, debugger, std::move(req.done));
    meta = kk::meta_of(*debugger);
    spec = kk::parse_debugger_spec(*debugger);
    remember();
    auto errors = kk::validate_debugger(meta, spec);
    if (!errors.empty()) {
      finish(degraded_status(meta.generation, "InvalidSpec",
                             "invalid spec: " + kk::describe(errors)),
             reconcile_result::ok());
      return;
    }
    if (!spec.pinger.empty())
      pinger = cache().get(pingers_kind, {ns(), spec.pinger});
    if (spec.uses_config_map())
      config_map = cache().get(configmaps_kind, {ns(), spec.config_map});
    errors = kk::validate_references(spec, pinger.get(), config_map.get());
    if (!errors.empty()) {
      finish(degraded_status(meta.generation, reference_reason(errors.front()),
                             kk::describe(errors)),
             reconcile_result::ok());
      return;
    }
    rbac();
  }

  // Events on transitions only: start from what the status already says
  // (a restarted controller repeats no Event).
  void remember() {
    auto& m = mem();
    if (m.known)
      return;
    m.known = true;
    auto status = obj_at(*debugger, "status");
    if (auto c = find_condition(status, "Ready"))
      m.ready = str_at(*c, "status") == "True";
    if (auto c = find_condition(status, "Degraded");
        c && str_at(*c, "status") == "True")
      m.degraded = str_at(*c, "reason") + ": " + str_at(*c, "message");
  }

  // The Debugger is gone; its objects go with it through their owner
  // references (GC). The agent RBAC has no owner (ADR 0104): the pass of
  // the namespace's last Debugger deletes it (a failure retries the pass).
  void gone() {
    mem() = debugger_memory{};
    auto& rbac = owner->deps().rbac;
    if (!rbac || !cache().list(debuggers_kind, ns()).empty()) {
      req.done(reconcile_result::ok());
      return;
    }
    auto self = shared_from_this();
    rbac->release(ns(), [self](std::string error) {
      if (error.empty())
        self->req.done(reconcile_result::ok());
      else
        self->fail("delete the agent RBAC: " + error);
    });
  }

  // Once per namespace, not per pass: at once when already ensured.
  void rbac() {
    auto& rbac = owner->deps().rbac;
    if (!rbac) {
      workload();
      return;
    }
    auto self = shared_from_this();
    rbac->ensure(ns(), [self](std::string error) {
      if (!error.empty()) {
        self->fail("agent RBAC: " + error);
        return;
      }
      self->workload();
    });
  }

  // After a workloadType switch the other kind's workload goes (up:W5).
  void workload() {
    auto stale_kind = kk::stale_workload_kind(spec);
    auto stale = cache().get(resource_of_kind(stale_kind), owner->key());
    if (!stale || !kk::controlled_by(*stale, *debugger) || terminating(*stale)) {
      apply();
      return;
    }
    k8s::request_options o;
    o.precondition_uid = uid_of(*stale);
    o.propagation_policy = "Background";
    auto self = shared_from_this();
    call(api(),
         k8s::make_delete(ref_of(resource_of_kind(stale_kind), ns(), name()),
                          o),
         [self, stale_kind](k8s::http_result r) {
           if (!r.ok() && r.status != 404) {
             self->fail("delete the old " + stale_kind + ": "
                        + r.error.to_string());
             return;
           }
           self->record("Normal", "Deleted",
                        "deleted the " + stale_kind + " " + self->name()
                          + ": workloadType is now "
                          + self->spec.workload_type);
           self->apply();
         });
  }

  void apply() {
    auto want = kk::make_desired_workload(
      {debugger.get(), pinger.get(), config_map.get()});
    auto resource = resource_of_kind(want.kind);
    auto observed = cache().get(resource, owner->key());
    auto diff = kk::diff_workload(want, observed.get());
    using action = kk::workload_diff::action;
    auto self = shared_from_this();
    auto gen = meta.generation;
    switch (diff.what) {
      case action::none:
        mem().replacing = false;
        finish(observed_status(gen, *observed), reconcile_result::ok());
        return;
      case action::conflict:
        finish(degraded_status(gen, "WorkloadConflict", diff.reason),
               reconcile_result::ok());
        return;
      case action::wait:
        finish(progressing_status(gen, "Terminating", diff.reason),
               reconcile_result::after(terminating_recheck));
        return;
      case action::create:
        call(api(), k8s::make_create(ref_of(resource, ns()), want.object),
             [self, kind = want.kind](k8s::http_result r) {
               if (!r.ok()) {
                 self->fail("create " + kind + ": " + r.error.to_string());
                 return;
               }
               if (!self->mem().replacing)
                 self->record("Normal", "Created",
                              "created " + kind + " " + self->name());
               self->mem().replacing = false;
               // No status write here: the watch event of the new object
               // wakes the next pass, which reports what it observes.
               self->req.done(reconcile_result::ok());
             });
        return;
      case action::update: {
        auto obj = want.object;
        obj["metadata"].as_object()["resourceVersion"] = rv_of(*observed);
        call(api(), k8s::make_update(ref_of(resource, ns(), name()), obj),
             [self, kind = want.kind, why = diff.reason](k8s::http_result r) {
               if (!r.ok()) {
                 self->fail("update " + kind + ": " + r.error.to_string());
                 return;
               }
               auto msg = "updated " + kind + " " + self->name() + ": " + why;
               self->record("Normal", "Updated", msg);
               self->req.done(reconcile_result::ok()); // as after a create
             });
        return;
      }
      case action::replace: {
        k8s::request_options o;
        o.precondition_uid = uid_of(*observed);
        call(api(), k8s::make_delete(ref_of(resource, ns(), name()), o),
             [self, kind = want.kind, why = diff.reason](k8s::http_result r) {
               if (!r.ok() && r.status != 404) {
                 self->fail("replace " + kind + ": " + r.error.to_string());
                 return;
               }
               auto msg = "replacing " + kind + " " + self->name()
                          + " (a Pod's spec is immutable): " + why;
               self->record("Normal", "Replaced", msg);
               self->mem().replacing = true;
               self->finish(progressing_status(self->meta.generation,
                                               "Replacing", msg),
                            reconcile_result::after(terminating_recheck));
             });
        return;
      }
    }
  }

  // Events on transitions, then the status write if anything changed.
  void finish(const debugger_status& s, reconcile_result result) {
    auto& m = mem();
    auto degraded = s.degraded.status
                      ? s.degraded.reason + ": " + s.degraded.message
                      : std::string{};
    if (!degraded.empty() && degraded != m.degraded)
      record("Warning", s.degraded.reason, s.degraded.message);
    m.degraded = degraded;
    if (s.ready_cond.status && !m.ready)
      record("Normal", "Ready", s.ready_cond.message);
    m.ready = s.ready_cond.status;
    auto old = obj_at(*debugger, "status");
    auto rv = rv_of(*debugger);
    if (m.written_over == rv && !rv.empty())
      old = &m.written; // this snapshot predates our last write
    else
      m.written = {}, m.written_over.clear();
    if (same_status(s, old)) {
      req.done(std::move(result));
      return;
    }
    auto status = render_status(s, old, now_rfc3339());
    json::object body{{"status", status}};
    auto r = ref_of("debuggers", ns(), name());
    r.subresource = "status";
    auto self = shared_from_this();
    call(api(),
         k8s::make_patch(r, k8s::patch_type::merge, json::serialize(body)),
         [self, result, rv, status = std::move(status)](k8s::http_result w) {
           if (w.ok()) {
             self->mem().written = status;
             self->mem().written_over = rv;
           }
           if (w.ok() || failed_with(w, 404))
             self->req.done(result);
           else
             self->fail("status: " + w.error.to_string());
         });
  }
};

} // namespace

debugger_reconciler::debugger_reconciler(object_key key, debugger_deps deps)
  : key_(std::move(key)), deps_(std::move(deps)) {
}

void debugger_reconciler::reconcile(runtime::reconcile_request req) {
  auto p = std::make_shared<pass>();
  p->owner = shared_from_this();
  p->req = std::move(req);
  p->start();
}

runtime::reconciler_factory debugger_reconciler_factory(debugger_deps deps) {
  return [deps](const object_key& key) {
    return std::make_shared<debugger_reconciler>(key, deps);
  };
}

} // namespace kc::controller
