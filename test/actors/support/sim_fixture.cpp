#include "test/actors/support/sim_fixture.hpp"

#include "k8s/client/client_config.hpp"
#include "k8s/client/kubeconfig.hpp"
#include "messages/type_ids.hpp"

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>
#include <thread>

namespace kc::test {

namespace json = boost::json;

namespace {

std::string rv_of(const json::object& o) {
  auto& m = o.at("metadata").as_object();
  if (auto p = m.if_contains("resourceVersion"))
    return std::string(p->as_string());
  return {};
}

std::string key_of(const object_key& k) {
  return k.ns.empty() ? k.name : k.ns + "/" + k.name;
}

caf::behavior collector(caf::event_based_actor*, std::shared_ptr<mirror> m) {
  return {
    [m](resource_event& ev) {
      std::lock_guard guard{m->mtx};
      ++m->events;
      auto key = key_of(ev.key);
      if (ev.snapshot) {
        m->objects[key] = rv_of(*ev.snapshot);
      } else {
        m->objects.erase(key);
        m->deletes.push_back(key);
      }
    },
    [m](atom::synced, const std::string&) {
      std::lock_guard guard{m->mtx};
      m->synced = true;
    },
  };
}

void check(const k8s::http_result& r, const char* what) {
  if (!r.ok())
    throw std::runtime_error(std::string{what} + ": " + r.error.to_string());
}

} // namespace

std::map<std::string, std::string> mirror::copy() const {
  std::lock_guard guard{mtx};
  return objects;
}

uint64_t mirror::event_count() const {
  std::lock_guard guard{mtx};
  return events;
}

bool mirror::is_synced() const {
  std::lock_guard guard{mtx};
  return synced;
}

bool mirror::deleted(const std::string& key) const {
  std::lock_guard guard{mtx};
  return std::find(deletes.begin(), deletes.end(), key) != deletes.end();
}

caf::actor spawn_collector(caf::actor_system& sys, std::shared_ptr<mirror> m) {
  return sys.spawn(collector, std::move(m));
}

threaded_config::threaded_config() {
  add_message_types<caf::id_block::kc_types>();
  add_message_types<caf::id_block::kc_runtime>();
}

sim_fixture::sim_fixture(size_t max_watch_line) : sys(cfg) {
  sim::server_config sc;
  sc.nodes = 0;
  sc.fault_api = true;
  server = std::make_unique<sim::server>(sc);
  server->start();
  auto kc = k8s::load_kubeconfig({server->kubeconfig_path()}, true);
  auto cc = k8s::resolve_context(kc, "");
  cc.max_watch_line = max_watch_line;
  client = std::make_shared<k8s::api_client>(cc);
}

sim_fixture::~sim_fixture() {
  stop_actors();
  server->stop();
}

void sim_fixture::stop_actors() {
  caf::scoped_actor self{sys};
  size_t pending = 0;
  for (auto& a : tracked) {
    self->monitor(a);
    self->send_exit(a, caf::exit_reason::user_shutdown);
    ++pending;
  }
  bool timed_out = false;
  for (; pending > 0 && !timed_out; --pending)
    self->receive([](caf::down_msg&) {},
                  caf::after(std::chrono::seconds{10})
                    >> [&] { timed_out = true; });
  for (auto& a : tracked)
    self->send_exit(a, caf::exit_reason::kill);
  tracked.clear();
}

k8s::resource_ref sim_fixture::configmaps(const std::string& name) {
  return {"", "v1", "configmaps", true, "default", name, ""};
}

void sim_fixture::create(const std::string& name, const std::string& app,
                         const std::string& data) {
  json::object meta{{"name", name}, {"namespace", "default"}};
  if (!app.empty())
    meta["labels"] = json::object{{"app", app}};
  json::object obj{{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", std::move(meta)},
                   {"data", json::object{{"v", data}}}};
  check(client->send_sync(k8s::make_create(configmaps(), obj)), "create");
}

void sim_fixture::update(const std::string& name, const std::string& data) {
  json::object patch{{"data", json::object{{"v", data}}}};
  check(client->send_sync(k8s::make_patch(configmaps(name),
                                          k8s::patch_type::merge,
                                          json::serialize(patch))),
        "update");
}

void sim_fixture::remove(const std::string& name) {
  check(client->send_sync(k8s::make_delete(configmaps(name))), "delete");
}

std::map<std::string, std::string>
sim_fixture::server_list(const std::string& sel) {
  k8s::request_options o;
  o.label_selector = sel;
  auto r = client->send_sync(k8s::make_list(configmaps(), o));
  check(r, "list");
  std::map<std::string, std::string> out;
  for (auto& v : r.object->at("items").as_array()) {
    auto& m = v.as_object().at("metadata").as_object();
    out["default/" + std::string(m.at("name").as_string())]
      = rv_of(v.as_object());
  }
  return out;
}

std::map<std::string, std::string>
sim_fixture::informer_cache(const runtime::informer_actor& inf) {
  std::map<std::string, std::string> out;
  caf::scoped_actor self{sys};
  self->request(inf, std::chrono::seconds{5}, atom::get_v)
    .receive(
      [&](std::vector<resource_event>& v) {
        for (auto& ev : v)
          out[key_of(ev.key)] = rv_of(*ev.snapshot);
      },
      [&](caf::error&) { out.clear(); });
  return out;
}

bool sim_fixture::wait_for(const std::function<bool()>& pred,
                           std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return true;
}

runtime::informer_config sim_fixture::informer(std::shared_ptr<mirror> m,
                                               telemetry::registry* metrics) {
  runtime::informer_config ic;
  ic.kind = "configmaps";
  ic.resource = configmaps();
  ic.client = client;
  ic.subscribers.push_back(keep(spawn_collector(sys, std::move(m))));
  ic.metrics = metrics;
  ic.seed = 42;
  return ic;
}

} // namespace kc::test
