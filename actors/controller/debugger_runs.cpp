#include "actors/controller/debugger_runs.hpp"

#include "actors/controller/api_calls.hpp"
#include "actors/controller/debugger_mapping.hpp"
#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/run_step.hpp"
#include "k8s/api/kubecombo/spec.hpp"

#include <boost/json.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace kc::controller {

namespace json = boost::json;
namespace kk = k8s::kubecombo;
using k8s::obj_at;
using k8s::str_at;

namespace {

/// What the step wrote for one Debugger: authoritative over a snapshot
/// older than that write (resourceVersion below `written_rv`: the cache has
/// not seen it yet); a newer snapshot wins (someone else wrote). Reset when
/// the reconciler (e.g. after a leadership change) or the Debugger's uid
/// changes, or a write failed.
struct run_memory {
  std::weak_ptr<debugger_reconciler> owner;
  std::string uid;
  std::optional<kk::run_status> status;
  uint64_t written_rv = 0;
  std::optional<kk::overview_book> book;
  std::set<std::string> deleted;
};

std::mutex registry_mutex;
std::map<object_key, std::shared_ptr<run_memory>> registry;
uint64_t registry_calls = 0;

std::shared_ptr<run_memory>
memory_for(const std::shared_ptr<debugger_reconciler>& owner,
           const std::string& uid) {
  std::lock_guard<std::mutex> guard{registry_mutex};
  if (++registry_calls % 256 == 0)
    std::erase_if(registry,
                  [](auto& kv) { return kv.second->owner.expired(); });
  auto& m = registry[owner->key()];
  if (!m || m->owner.lock() != owner || m->uid != uid) {
    m = std::make_shared<run_memory>();
    m->owner = owner;
    m->uid = uid;
  }
  return m;
}

// resourceVersion as a number (etcd revisions are; 0 when not numeric).
uint64_t rv_number(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  auto rv = md ? str_at(*md, "resourceVersion") : "";
  if (rv.empty() || rv.size() > 19
      || rv.find_first_not_of("0123456789") != rv.npos)
    return 0;
  return std::stoull(rv);
}

std::vector<const json::object*> ptrs(const std::vector<snapshot_ptr>& v) {
  std::vector<const json::object*> out;
  out.reserve(v.size());
  for (auto& s : v)
    out.push_back(s.get());
  return out;
}

reconcile_result merge(const reconcile_result& a, const reconcile_result& b) {
  if (a.outcome != reconcile_result::success)
    return a;
  if (b.outcome != reconcile_result::success)
    return b;
  auto zero = caf::timespan{0};
  if (a.requeue_after == zero)
    return b;
  if (b.requeue_after == zero)
    return a;
  return a.requeue_after < b.requeue_after ? a : b;
}

struct run_pass : std::enable_shared_from_this<run_pass> {
  std::shared_ptr<debugger_reconciler> owner;
  snapshot_ptr debugger;
  pass_done done;
  reconcile_result first;
  std::shared_ptr<run_memory> mem;
  kk::run_status before;
  kk::run_outcome out;
  int64_t now_ms = 0;
  std::vector<std::string> prune;

  k8s::api_client& api() {
    return *owner->deps().api;
  }
  const std::string& ns() const {
    return owner->key().ns;
  }
  const std::string& name() const {
    return owner->key().name;
  }

  void run(reconcile_result pass_result) {
    first = std::move(pass_result);
    auto meta = kk::meta_of(*debugger);
    mem = memory_for(owner, meta.uid);
    auto rv = rv_number(*debugger);
    before = mem->status && (rv == 0 || rv < mem->written_rv)
                 ? *mem->status
                 : kk::parse_run_status(obj_at(*debugger, "status"));
    auto& cache = *owner->deps().cache;
    auto cms = cache.list(configmaps_kind, ns());
    kk::overview_book book;
    if (before.current) {
      if (mem->book && mem->book->run == before.current->id)
        book = *mem->book;
      else
        book = kk::book_of(name(), before.current->id, ptrs(cms));
    }
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    auto pods = cache.list(pods_kind, ns());
    out = kk::step_runs(*debugger, before, std::move(book), ptrs(pods),
                        now_ms / 1000);
    std::set<std::string> keep;
    if (out.status.current)
      keep.insert(out.status.current->id);
    if (out.status.last)
      keep.insert(out.status.last->id);
    auto spec = kk::parse_debugger_spec(*debugger);
    std::set<std::string> listed;
    for (auto& cm : cms)
      if (auto md = obj_at(*cm, "metadata"))
        listed.insert(str_at(*md, "name"));
    std::erase_if(mem->deleted,
                  [&](const std::string& n) { return !listed.contains(n); });
    for (auto& n :
         kk::overviews_to_prune(name(), spec.history_limit, keep, ptrs(cms)))
      if (!mem->deleted.contains(n))
        prune.push_back(n);
    write(0);
  }

  void fail(const std::string& what, const k8s::http_result& r) {
    mem->status.reset();
    mem->book.reset();
    finish(
        reconcile_result::failed("runs: " + what + ": " + r.error.to_string()));
  }

  void write(size_t i) {
    if (i == out.writes.size()) {
      mem->book = out.book;
      write_status();
      return;
    }
    auto self = shared_from_this();
    auto& w = out.writes[i];
    if (w.create) {
      call(api(), k8s::make_create(ref_of("configmaps", ns()), w.body),
           [self, i](k8s::http_result r) {
             auto& w = self->out.writes[i];
             if (failed_with(r, 409)) { // created by an earlier pass
               w.create = false;
               w.body = json::object{{"data", w.body.at("data")}};
               self->write(i);
             } else if (!r.ok()) {
               self->fail("create ConfigMap " + w.name, r);
             } else {
               self->write(i + 1);
             }
           });
      return;
    }
    call(api(),
         k8s::make_patch(ref_of("configmaps", ns(), w.name),
                         k8s::patch_type::merge, json::serialize(w.body)),
         [self, i](k8s::http_result r) {
           if (!r.ok()) {
             self->fail("patch ConfigMap " + self->out.writes[i].name, r);
             return;
           }
           self->write(i + 1);
         });
  }

  void write_status() {
    if (out.status == before) {
      events();
      return;
    }
    json::object body{{"status", kk::render_run_status(out.status)}};
    auto r = ref_of("debuggers", ns(), name());
    r.subresource = "status";
    auto self = shared_from_this();
    call(api(),
         k8s::make_patch(r, k8s::patch_type::merge, json::serialize(body)),
         [self](k8s::http_result w) {
           if (failed_with(w, 404)) { // the Debugger is gone
             self->finish(reconcile_result::ok());
             return;
           }
           if (!w.ok()) {
             self->fail("status", w);
             return;
           }
           self->mem->status = self->out.status;
           self->mem->written_rv = w.object ? rv_number(*w.object) : 0;
           self->events();
         });
  }

  void events() {
    auto& link = owner->deps().recorder;
    auto rec = link ? link->get() : recorder_actor{};
    for (auto& e : out.events) {
      if (!rec)
        break;
      event_request ev;
      ev.kind = "Debugger";
      ev.api_version = kk::api_version;
      ev.ns = ns();
      ev.name = name();
      ev.uid = kk::meta_of(*debugger).uid;
      ev.type = e.type;
      ev.reason = e.reason;
      ev.message = e.message;
      caf::anon_send(rec, std::move(ev));
    }
    out.events.clear();
    delete_old(0);
  }

  void delete_old(size_t i) {
    if (i == prune.size()) {
      finish(reconcile_result::ok());
      return;
    }
    auto self = shared_from_this();
    call(api(), k8s::make_delete(ref_of("configmaps", ns(), prune[i])),
         [self, i](k8s::http_result r) {
           if (!r.ok() && r.status != 404) {
             self->finish(reconcile_result::failed("runs: delete ConfigMap "
                                                   + self->prune[i] + ": "
                                                   + r.error.to_string()));
             return;
           }
           self->mem->deleted.insert(self->prune[i]);
           self->delete_old(i + 1);
         });
  }

  void finish(reconcile_result mine) {
    if (mine.outcome == reconcile_result::success && out.wake_at) {
      auto ms = std::max<int64_t>(*out.wake_at * 1000 - now_ms, 0) + 50;
      mine = reconcile_result::after(std::chrono::milliseconds{ms});
    }
    auto d = std::move(done);
    d(merge(first, mine));
  }
};

} // namespace

pass_done with_inspection_runs(std::shared_ptr<debugger_reconciler> owner,
                               snapshot_ptr debugger, pass_done done) {
  if (!debugger)
    return done;
  return [owner = std::move(owner), debugger = std::move(debugger),
          done = std::move(done)](reconcile_result r) mutable {
    auto p = std::make_shared<run_pass>();
    p->owner = std::move(owner);
    p->debugger = std::move(debugger);
    p->done = std::move(done);
    p->run(std::move(r));
  };
}

} // namespace kc::controller
