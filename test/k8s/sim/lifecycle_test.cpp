// kc-test-labels: integration
// Deletion lifecycle of the control plane (ADR 0005): finalizers and
// deletionTimestamp (api:C5), DeleteOptions (api:A4), garbage collection in
// the three propagation modes (api:C6), namespace termination, graceful pod
// deletion.

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <thread>

namespace json = boost::json;
using kc::test::sim_client;
using namespace std::chrono_literals;

namespace {

struct fixture {
  fixture() {
    srv = kc::test::started_server();
  }
  std::unique_ptr<kc::sim::server> srv;
};

const std::string cms = "/api/v1/namespaces/default/configmaps";

std::string str(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (auto p : path) {
    if (!cur->is_object() || !cur->as_object().contains(p))
      return "<missing>";
    cur = &cur->as_object().at(p);
  }
  return cur->is_string() ? std::string(cur->as_string())
                          : json::serialize(*cur);
}

/// Polls `pred` for up to 10 s.
bool eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 200; ++i) {
    if (pred())
      return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::string cm(const std::string& name, const std::string& extra_md = "") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")"
         + name + "\"" + extra_md + R"(},"data":{"a":"1"}})";
}

std::string owner_ref(const json::value& owner, bool block = false) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","name":")"
         + str(owner, {"metadata", "name"}) + R"(","uid":")"
         + str(owner, {"metadata", "uid"}) + "\""
         + (block ? R"(,"blockOwnerDeletion":true)" : "") + "}";
}

const std::map<std::string, std::string> merge{
  {"Content-Type", "application/merge-patch+json"}};

} // namespace

BOOST_FIXTURE_TEST_SUITE(lifecycle, fixture)

BOOST_AUTO_TEST_CASE(finalizers_hold_deletion) {
  sim_client c{*srv};
  BOOST_REQUIRE(
    c.request("POST", cms, cm("f1", R"(,"finalizers":["example.com/a"])"))
      .status
    == 201u);
  auto del = c.request("DELETE", cms + "/f1");
  BOOST_TEST(del.status == 200u);
  BOOST_TEST(str(del.json(), {"metadata", "deletionTimestamp"}) != "<missing>");
  BOOST_TEST(str(del.json(), {"metadata", "deletionGracePeriodSeconds"})
             == "0");
  auto got = c.get(cms + "/f1");
  BOOST_TEST(got.status == 200u);
  // No new finalizers on a deleting object: 422 with the exact Status.
  auto add = c.request(
    "PATCH", cms + "/f1",
    R"({"metadata":{"finalizers":["example.com/a","example.com/b"]}})", merge);
  BOOST_TEST(add.status == 422u);
  BOOST_TEST(str(add.json(), {"message"})
             == "ConfigMap \"f1\" is invalid: metadata.finalizers: Forbidden: "
                "no new finalizers can be added if the object is being "
                "deleted, found new finalizers []string{\"example.com/b\"}");
  BOOST_TEST(str(add.json(), {"reason"}) == "Invalid");
  // The watch sees the last finalizer go as DELETED.
  auto rv = str(got.json(), {"metadata", "resourceVersion"});
  auto rm = c.request("PATCH", cms + "/f1",
                      R"({"metadata":{"finalizers":null}})", merge);
  BOOST_TEST(rm.status == 200u);
  BOOST_TEST(c.get(cms + "/f1").status == 404u);
  auto lines = c.watch(cms + "?watch=1&resourceVersion=" + rv, 1, 2s);
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(lines[0].find("\"DELETED\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(delete_options) {
  sim_client c{*srv};
  auto made = c.request("POST", cms, cm("d1")).json();
  // Preconditions: exact 409.
  auto bad = c.request("DELETE", cms + "/d1",
                       R"({"preconditions":{"uid":"nope"}})");
  BOOST_TEST(bad.status == 409u);
  BOOST_TEST(str(bad.json(), {"message"})
             == "Operation cannot be fulfilled on configmaps \"d1\": "
                "Precondition failed: UID in precondition: nope, UID in "
                "object meta: "
                  + str(made, {"metadata", "uid"}));
  auto badrv = c.request("DELETE", cms + "/d1",
                         R"({"preconditions":{"resourceVersion":"1"}})");
  BOOST_TEST(badrv.status == 409u);
  BOOST_TEST(str(badrv.json(), {"reason"}) == "Conflict");
  // dryRun deletes nothing, in the body and the query.
  BOOST_TEST(c.request("DELETE", cms + "/d1", R"({"dryRun":["All"]})").status
             == 200u);
  BOOST_TEST(c.request("DELETE", cms + "/d1?dryRun=All").status == 200u);
  BOOST_TEST(c.get(cms + "/d1").status == 200u);
  auto badpol = c.request("DELETE", cms + "/d1?propagationPolicy=Sideways");
  BOOST_TEST(badpol.status == 422u);
  BOOST_TEST(c.request("DELETE", cms + "/d1",
                       R"({"preconditions":{"uid":")"
                         + str(made, {"metadata", "uid"}) + "\"}}")
               .status
             == 200u);
  BOOST_TEST(c.get(cms + "/d1").status == 404u);
}

BOOST_AUTO_TEST_CASE(gc_background) {
  sim_client c{*srv};
  auto owner = c.request("POST", cms, cm("bg-owner")).json();
  BOOST_REQUIRE(c.request("POST", cms,
                          cm("bg-dep", R"(,"ownerReferences":[)"
                                         + owner_ref(owner) + "]"))
                  .status
                == 201u);
  BOOST_TEST(c.request("DELETE", cms + "/bg-owner",
                       R"({"propagationPolicy":"Background"})")
               .status
             == 200u);
  BOOST_TEST(c.get(cms + "/bg-owner").status == 404u);
  BOOST_TEST(eventually([&] { return c.get(cms + "/bg-dep").status == 404u; }));
  // A dependent whose owner uid never existed is collected too.
  BOOST_REQUIRE(
    c.request("POST", cms,
              cm("bg-dangling",
                 R"(,"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap",)"
                 R"("name":"x","uid":"00000000-0000-0000-0000-000000000001"}])"))
      .status
    == 201u);
  BOOST_TEST(eventually(
    [&] { return c.get(cms + "/bg-dangling").status == 404u; }));
}

BOOST_AUTO_TEST_CASE(gc_foreground) {
  sim_client c{*srv};
  auto owner = c.request("POST", cms, cm("fg-owner")).json();
  // The dependent's own finalizer keeps it (and so the owner) for a while.
  BOOST_REQUIRE(c.request("POST", cms,
                          cm("fg-dep", R"(,"finalizers":["example.com/x"],)"
                                       R"("ownerReferences":[)"
                                         + owner_ref(owner, true) + "]"))
                  .status
                == 201u);
  auto del = c.request("DELETE", cms + "/fg-owner?propagationPolicy=Foreground");
  BOOST_TEST(del.status == 200u);
  BOOST_TEST(str(del.json(), {"metadata", "finalizers"})
             == R"(["foregroundDeletion"])");
  BOOST_TEST(eventually([&] {
    return str(c.get(cms + "/fg-dep").json(),
               {"metadata", "deletionTimestamp"})
           != "<missing>";
  }));
  BOOST_TEST(c.get(cms + "/fg-owner").status == 200u);
  c.request("PATCH", cms + "/fg-dep", R"({"metadata":{"finalizers":null}})",
            merge);
  BOOST_TEST(eventually([&] { return c.get(cms + "/fg-owner").status == 404u; }));
  BOOST_TEST(c.get(cms + "/fg-dep").status == 404u);
}

BOOST_AUTO_TEST_CASE(gc_orphan) {
  sim_client c{*srv};
  auto owner = c.request("POST", cms, cm("or-owner")).json();
  BOOST_REQUIRE(c.request("POST", cms,
                          cm("or-dep", R"(,"ownerReferences":[)"
                                         + owner_ref(owner) + "]"))
                  .status
                == 201u);
  auto del = c.request("DELETE", cms + "/or-owner",
                       R"({"propagationPolicy":"Orphan"})");
  BOOST_TEST(str(del.json(), {"metadata", "finalizers"}) == R"(["orphan"])");
  BOOST_TEST(eventually([&] { return c.get(cms + "/or-owner").status == 404u; }));
  auto dep = c.get(cms + "/or-dep");
  BOOST_TEST(dep.status == 200u);
  BOOST_TEST(str(dep.json(), {"metadata", "ownerReferences"}) == "<missing>");
}

BOOST_AUTO_TEST_CASE(namespace_termination) {
  sim_client c{*srv};
  BOOST_REQUIRE(c.request("POST", "/api/v1/namespaces",
                          R"({"metadata":{"name":"doomed"}})")
                  .status
                == 201u);
  const std::string in = "/api/v1/namespaces/doomed/configmaps";
  BOOST_REQUIRE(
    c.request("POST", in, cm("held", R"(,"finalizers":["example.com/x"])"))
      .status
    == 201u);
  auto del = c.request("DELETE", "/api/v1/namespaces/doomed");
  BOOST_TEST(del.status == 200u);
  BOOST_TEST(str(del.json(), {"status", "phase"}) == "Terminating");
  BOOST_TEST(str(del.json(), {"spec", "finalizers"}) == R"(["kubernetes"])");
  auto denied = c.request("POST", in, cm("late"));
  BOOST_TEST(denied.status == 403u);
  BOOST_TEST(str(denied.json(), {"message"})
             == "configmaps \"late\" is forbidden: unable to create new "
                "content in namespace doomed because it is being terminated");
  BOOST_TEST(denied.body.find("\"NamespaceTerminating\"") != std::string::npos);
  BOOST_TEST(eventually([&] {
    return str(c.get(in + "/held").json(), {"metadata", "deletionTimestamp"})
           != "<missing>";
  }));
  BOOST_TEST(c.get("/api/v1/namespaces/doomed").status == 200u);
  c.request("PATCH", in + "/held", R"({"metadata":{"finalizers":null}})", merge);
  BOOST_TEST(eventually(
    [&] { return c.get("/api/v1/namespaces/doomed").status == 404u; }));
}

BOOST_AUTO_TEST_CASE(graceful_pod_deletion) {
  sim_client c{*srv};
  const std::string pods = "/api/v1/namespaces/default/pods";
  auto pod = [](const std::string& name, const std::string& spec_extra) {
    return R"({"metadata":{"name":")" + name
           + R"("},"spec":{"containers":[{"name":"c","image":"busybox"}])"
           + spec_extra + "}}";
  };
  // Unbound: deleted at once.
  BOOST_REQUIRE(c.request("POST", pods, pod("p0", "")).status == 201u);
  c.request("DELETE", pods + "/p0");
  BOOST_TEST(c.get(pods + "/p0").status == 404u);
  // Bound to a node no kubelet runs: kept for the grace period.
  BOOST_REQUIRE(
    c.request("POST", pods, pod("p1", R"(,"nodeName":"nowhere")")).status
    == 201u);
  auto del = c.request("DELETE", pods + "/p1");
  BOOST_TEST(str(del.json(), {"metadata", "deletionGracePeriodSeconds"})
             == "30");
  BOOST_TEST(c.get(pods + "/p1").status == 200u);
  // The kubelet's final DELETE with grace 0 removes it.
  c.request("DELETE", pods + "/p1", R"({"gracePeriodSeconds":0})");
  BOOST_TEST(c.get(pods + "/p1").status == 404u);
  // Without a kubelet, the grace period ends it.
  BOOST_REQUIRE(c.request("POST", pods,
                          pod("p2", R"(,"nodeName":"nowhere",)"
                                    R"("terminationGracePeriodSeconds":1)"))
                  .status
                == 201u);
  c.request("DELETE", pods + "/p2");
  BOOST_TEST(c.get(pods + "/p2").status == 200u);
  BOOST_TEST(eventually([&] { return c.get(pods + "/p2").status == 404u; }));
}

BOOST_AUTO_TEST_SUITE_END()
