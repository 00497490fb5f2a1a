// kc-test-labels: integration
// The client against the real control plane (`kubecombo sim` as a child
// process): CRUD, the patch flavours, /status, watch, and every auth path.

#include "k8s/client/api_client.hpp"
#include "k8s/client/client_config.hpp"
#include "k8s/client/config_error.hpp"
#include "k8s/client/kubeconfig.hpp"
#include "test/k8s/client/support/print.hpp"
#include "test/k8s/client/support/sim_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <mutex>

using namespace kc::k8s;
using namespace kc::test;
namespace json = boost::json;

namespace {

#define KC_NEED_SIM(sim)                                                        \
  if (!(sim).running()) {                                                      \
    BOOST_TEST_MESSAGE("SKIP: " << (sim).reason());                            \
    return;                                                                    \
  }

client_config context(const sim_process& sim, const std::string& name) {
  return resolve_context(load_kubeconfig({sim.kubeconfig()}, true), name);
}

resource_ref cm(const std::string& name = {}) {
  return {"", "v1", "configmaps", true, "default", name, ""};
}

std::string name_of(const http_result& r) {
  return std::string(r.object->at("metadata").as_object().at("name").as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_integration)

BOOST_AUTO_TEST_CASE(crud_patch_status_watch) {
  sim_process sim;
  KC_NEED_SIM(sim);
  api_client client(context(sim, ""));
  // Watch from the list's resourceVersion.
  auto list = client.send_sync(make_list(cm()));
  BOOST_TEST_REQUIRE(list.ok(), list.error.to_string());
  std::string rv(list.object->at("metadata").as_object().at("resourceVersion").as_string());
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<watch_event> events;
  std::optional<api_error> done;
  request_options wo;
  wo.resource_version = rv;
  auto w = client.watch(make_watch(cm(), wo), 1,
                        {[&](uint64_t, watch_event e) {
                           std::lock_guard g{mtx};
                           events.push_back(std::move(e));
                           cv.notify_all();
                         },
                         [&](uint64_t, api_error e) {
                           std::lock_guard g{mtx};
                           done = std::move(e);
                           cv.notify_all();
                         }});
  json::object obj{{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                   {"metadata", {{"name", "kc-client"}}}, {"data", {{"a", "1"}}}};
  auto created = client.send_sync(make_create(cm(), obj));
  BOOST_TEST_REQUIRE(created.ok(), created.error.to_string());
  BOOST_TEST(name_of(created) == "kc-client");
  auto again = client.send_sync(make_create(cm(), obj));
  BOOST_TEST(again.error.code == kc::ec::already_exists, again.error.to_string());
  auto got = client.send_sync(make_get(cm("kc-client")));
  BOOST_TEST_REQUIRE(got.ok());
  auto upd = *got.object;
  upd["data"].as_object()["b"] = "2";
  auto put = client.send_sync(make_update(cm("kc-client"), upd));
  BOOST_TEST_REQUIRE(put.ok(), put.error.to_string());
  auto stale = client.send_sync(make_update(cm("kc-client"), upd)); // old RV
  BOOST_TEST(stale.error.code == kc::ec::conflict, stale.error.to_string());
  auto merge = client.send_sync(
    make_patch(cm("kc-client"), patch_type::merge, R"({"data":{"c":"3"}})"));
  BOOST_TEST_REQUIRE(merge.ok(), merge.error.to_string());
  auto jp = client.send_sync(make_patch(cm("kc-client"), patch_type::json,
                                        R"([{"op":"add","path":"/data/d","value":"4"}])"));
  BOOST_TEST_REQUIRE(jp.ok(), jp.error.to_string());
  auto sp = client.send_sync(
    make_patch(cm("kc-client"), patch_type::strategic, R"({"data":{"e":"5"}})"));
  BOOST_TEST_REQUIRE(sp.ok(), sp.error.to_string());
  request_options ao;
  ao.field_manager = "kc-test";
  ao.force = true;
  auto ap = client.send_sync(make_patch(cm("kc-client"), patch_type::apply,
                                        // JSON is YAML; the sim accepts JSON apply bodies only
                                        R"({"apiVersion":"v1","kind":"ConfigMap",)"
                                        R"("metadata":{"name":"kc-client"},"data":{"f":"6"}})",
                                        ao));
  BOOST_TEST_REQUIRE(ap.ok(), ap.error.to_string());
  auto& data = ap.object->at("data").as_object();
  for (auto* k : {"a", "b", "c", "d", "e", "f"})
    BOOST_TEST(data.contains(k), k);
  request_options dopt;
  dopt.propagation_policy = "Background";
  auto del = client.send_sync(make_delete(cm("kc-client"), dopt));
  BOOST_TEST_REQUIRE(del.ok(), del.error.to_string());
  BOOST_TEST(client.send_sync(make_get(cm("kc-client"))).error.code == kc::ec::not_found);
  {
    std::unique_lock l{mtx};
    BOOST_TEST(cv.wait_for(l, std::chrono::seconds(10), [&] {
      return !events.empty() && events.back().type == watch_event_type::deleted;
    }));
    BOOST_TEST(events.front().type == watch_event_type::added);
    BOOST_TEST(events.size() >= 7u); // add, put, 4 patches, delete
  }
  w->cancel();
  {
    std::unique_lock l{mtx};
    BOOST_TEST(cv.wait_for(l, std::chrono::seconds(10), [&] { return done.has_value(); }));
  }
  // /status of a pod, with resourceVersion (CONVENTIONS rule 24).
  resource_ref pods{"", "v1", "pods", true, "default", "", ""};
  json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"},
                   {"metadata", {{"name", "kc-status"}}},
                   {"spec", {{"containers", json::array{{{"name", "c"}, {"image", "busybox"}}}}}}};
  BOOST_TEST_REQUIRE(client.send_sync(make_create(pods, pod)).ok());
  pods.name = "kc-status";
  bool written = false;
  for (int i = 0; i < 5 && !written; ++i) {
    auto cur = client.send_sync(make_get(pods));
    BOOST_TEST_REQUIRE(cur.ok());
    auto o = *cur.object;
    o["status"].as_object()["message"] = "from kc client";
    auto st = client.send_sync(make_update_status(pods, o));
    if (st.error.code == kc::ec::conflict)
      continue;
    BOOST_TEST_REQUIRE(st.ok(), st.error.to_string());
    written = true;
  }
  BOOST_TEST(written);
  client.send_sync(make_delete(pods));
}

BOOST_AUTO_TEST_CASE(auth_paths) {
  sim_process sim;
  KC_NEED_SIM(sim);
  auto ns = resource_ref{"", "v1", "namespaces", false, "", "default", ""};
  auto token_cfg = context(sim, "kubecombo");
  {
    api_client c(token_cfg);
    auto r = c.send_sync(make_get(ns));
    BOOST_TEST(r.ok(), "token: " << r.error.to_string());
  }
  {
    api_client c(context(sim, "kubecombo-cert"));
    auto r = c.send_sync(make_get(ns));
    BOOST_TEST(r.ok(), "client cert: " << r.error.to_string());
  }
  {
    auto cfg = token_cfg;
    cfg.exec = exec_config{"client.authentication.k8s.io/v1",
                           sim.dir().write("plugin",
                                           "#!/bin/sh\necho '{\"apiVersion\":"
                                           "\"client.authentication.k8s.io/v1\",\"kind\":"
                                           "\"ExecCredential\",\"status\":{\"token\":\""
                                             + token_cfg.token + "\"}}'\n",
                                           0755),
                           {}, {}, false, "Never", ""};
    cfg.token.clear();
    api_client c(cfg);
    auto r = c.send_sync(make_get(ns));
    BOOST_TEST(r.ok(), "exec: " << r.error.to_string());
  }
  {
    auto dir = sim.dir().path() + "/sa";
    sim.dir().write("sa/token", token_cfg.token + "\n");
    sim.dir().write("sa/ca.crt", token_cfg.ca_pem);
    scoped_env h("KUBERNETES_SERVICE_HOST", token_cfg.host.c_str());
    scoped_env p("KUBERNETES_SERVICE_PORT", token_cfg.port.c_str());
    config_sources src;
    src.incluster_dir = dir;
    api_client c(load_client_config(src));
    auto r = c.send_sync(make_get(ns));
    BOOST_TEST(r.ok(), "in-cluster: " << r.error.to_string());
  }
  {
    auto cfg = token_cfg;
    cfg.token = "not-a-valid-token";
    api_client c(cfg);
    auto r = c.send_sync(make_get(ns));
    BOOST_TEST(r.error.code == kc::ec::unauthorized, r.error.to_string());
    BOOST_TEST(r.error.to_string().find("kc::unauthorized (401") == 0u, r.error.to_string());
  }
}

BOOST_AUTO_TEST_SUITE_END()
