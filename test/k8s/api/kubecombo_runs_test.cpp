#include "k8s/api/kubecombo/cron.hpp"
#include "k8s/api/kubecombo/formats.hpp"
#include "k8s/api/kubecombo/run_overview.hpp"
#include "k8s/api/kubecombo/run_step.hpp"
#include "k8s/api/kubecombo/runs.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>

using namespace kc::k8s::kubecombo;
namespace json = boost::json;

namespace {

int64_t at(const char* rfc) {
  auto t = parse_run_at(rfc);
  BOOST_REQUIRE(t);
  return *t;
}

json::object debugger(json::object spec, json::object status = {}) {
  return json::object{
      {"apiVersion", "vpn-gw.kubecombo.com/v1"},
      {"kind", "Debugger"},
      {"metadata", json::object{{"name", "dbg"},
                                {"namespace", "ns1"},
                                {"uid", "u-1"},
                                {"creationTimestamp", "2026-11-29T01:00:00Z"}}},
      {"spec", std::move(spec)},
      {"status", std::move(status)}};
}

json::object pod(const std::string& node, const std::string& report = "") {
  json::object md{{"name", "dbg-" + node},
                  {"namespace", "ns1"},
                  {"labels", json::object{{"debug", "dbg"}}}};
  if (!report.empty())
    md["annotations"] = json::object{{run_report_annotation, report}};
  return json::object{{"metadata", std::move(md)},
                      {"spec", json::object{{"nodeName", node}}}};
}

std::string report(const std::string& run, const std::string& node,
                   int failed = 0) {
  json::object r{{"run", run},
                 {"node", node},
                 {"phase", "Completed"},
                 {"checks", 14},
                 {"failed", failed},
                 {"unknown", 0},
                 {"summary", failed ? "disk:\n  sdb1:\n    err: \"disk full\"\n"
                                    : "disk:\n  sdb1: {}\nnet: {}\n"}};
  return json::serialize(r);
}

run_record record(const std::string& id, int64_t t) {
  run_record r;
  r.id = id;
  r.at = t;
  return r;
}

std::vector<const json::object*> ptrs(const std::vector<json::object>& v) {
  std::vector<const json::object*> out;
  for (auto& o : v)
    out.push_back(&o);
  return out;
}

// Applies writes to an in-memory set of ConfigMaps (create / merge data).
void apply_writes(std::map<std::string, json::object>& cms,
                  const std::vector<overview_write>& writes) {
  for (auto& w : writes) {
    if (w.create) {
      BOOST_TEST(!cms.contains(w.name));
      cms[w.name] = w.body;
      continue;
    }
    BOOST_REQUIRE(cms.contains(w.name));
    auto& data = cms[w.name]["data"].as_object();
    for (auto& [k, v] : w.body.at("data").as_object())
      data[k] = v;
  }
}

std::vector<const json::object*>
values(const std::map<std::string, json::object>& m) {
  std::vector<const json::object*> out;
  for (auto& [k, v] : m)
    out.push_back(&v);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(kubecombo_runs)

BOOST_AUTO_TEST_CASE(run_ids_are_utc_instants) {
  BOOST_TEST(run_id(at("2026-11-28T16:00:00Z")) == "20261128-160000");
  BOOST_TEST(run_id(at("2026-11-28T17:30:05+01:30")) == "20261128-160005");
  BOOST_TEST(format_rfc3339(1795881600) == "2026-11-28T16:00:00Z");
}

BOOST_AUTO_TEST_CASE(cron_next_instants) {
  auto t = at("2026-11-29T02:03:20Z");
  BOOST_TEST(*next_cron("* * * * *", t) == at("2026-11-29T02:04:00Z"));
  BOOST_TEST(*next_cron("* * * * *", at("2026-11-29T02:04:00Z"))
             == at("2026-11-29T02:05:00Z"));
  BOOST_TEST(*next_cron("0 3 * * *", t) == at("2026-11-29T03:00:00Z"));
  BOOST_TEST(*next_cron("*/15 * * * *", t) == at("2026-11-29T02:15:00Z"));
  BOOST_TEST(*next_cron("30 1 1 JAN *", t) == at("2027-01-01T01:30:00Z"));
  // 2026-11-29 is a Sunday: day-of-week 1 = Monday.
  BOOST_TEST(*next_cron("0 0 * * MON", t) == at("2026-11-30T00:00:00Z"));
  BOOST_TEST(*next_cron("0 0 * * 7", t) == at("2026-12-06T00:00:00Z"));
  // Both day fields restricted: either matches (Vixie cron).
  BOOST_TEST(*next_cron("0 0 15 * MON", t) == at("2026-11-30T00:00:00Z"));
  BOOST_TEST(*next_cron("0 0 29 2 *", t) == at("2028-02-29T00:00:00Z"));
  BOOST_TEST(*next_cron("5-10/5 4 * * *", t) == at("2026-11-29T04:05:00Z"));
  BOOST_TEST(!next_cron("0 0 30 2 *", t));
  BOOST_TEST(!next_cron("61 * * * *", t));
  BOOST_TEST(*last_cron_in("* * * * *", at("2026-11-29T01:00:00Z"), t)
             == at("2026-11-29T02:03:00Z"));
  BOOST_TEST(!last_cron_in("0 3 * * *", at("2026-11-29T01:00:00Z"), t));
}

BOOST_AUTO_TEST_CASE(plans_from_run_at_and_schedule) {
  auto now = at("2026-11-29T02:03:20Z"), created = at("2026-11-29T01:00:00Z");
  debugger_spec s;
  s.run_at = "2026-11-29T02:00:00Z"; // past → now
  auto p = plan_runs(s, {}, created, now);
  BOOST_TEST(p.due.value_or(0) == at("2026-11-29T02:00:00Z"));
  BOOST_TEST(p.from_run_at);
  run_status done;
  done.observed_run_at = at("2026-11-29T02:00:00Z");
  BOOST_TEST(!plan_runs(s, done, created, now).due);
  // Without observedRunAt, lastRun.at names the runAt that was run.
  run_status old;
  old.last = record("20261129-020000", at("2026-11-29T02:00:00Z"));
  BOOST_TEST(!plan_runs(s, old, created, now).due);
  s.run_at = "2026-11-29T05:00:00Z"; // future → at
  p = plan_runs(s, {}, created, now);
  BOOST_TEST(!p.due);
  BOOST_TEST(p.next.value_or(0) == at("2026-11-29T05:00:00Z"));
  s.run_at = "1795881600"; // epoch seconds, in the past
  BOOST_TEST(plan_runs(s, {}, created, now).due.value_or(0) == 1795881600);
  s.run_at = "not a time"; // ignored here; validation reports it
  BOOST_TEST(!plan_runs(s, {}, created, now).due);
  s.run_at.clear();
  s.schedule = "*/10 * * * *";
  run_status last;
  last.last = record("20261129-015000", at("2026-11-29T01:50:00Z"));
  p = plan_runs(s, last, created, now);
  BOOST_TEST(p.due.value_or(0) == at("2026-11-29T02:00:00Z"));
  BOOST_TEST(p.next.value_or(0) == at("2026-11-29T02:10:00Z"));
  last.last->at = at("2026-11-29T02:00:00Z");
  BOOST_TEST(!plan_runs(s, last, created, now).due);
  // Missed instants run once: the latest.
  last.last->at = at("2026-11-29T01:00:00Z");
  BOOST_TEST(plan_runs(s, last, created, now).due.value_or(0)
             == at("2026-11-29T02:00:00Z"));
  s.schedule = "0 0 30 2 *";
  BOOST_TEST(!plan_runs(s, last, created, now).next);
}

BOOST_AUTO_TEST_CASE(run_status_round_trips_and_patches_away_absent_fields) {
  run_status s;
  s.current = run_ref{"20261129-020000", at("2026-11-29T02:00:00Z")};
  s.next_run_at = at("2026-11-29T03:00:00Z");
  s.last = run_record{"20261129-020000",
                      at("2026-11-29T02:00:00Z"),
                      run_running,
                      3,
                      1,
                      0,
                      at("2026-11-29T02:00:05Z"),
                      0,
                      "dbg-20261129-020000"};
  auto o = render_run_status(s);
  BOOST_TEST(o.at("lastRun").at("finishedAt").is_null());
  BOOST_TEST(o.at("observedRunAt").is_null());
  BOOST_TEST(o.at("currentRun").at("at").as_string() == "2026-11-29T02:00:00Z");
  // A merge patch drops nulls: parse the patched status back.
  json::object applied;
  for (auto& [k, v] : o)
    if (!v.is_null())
      applied[k] = v;
  applied["lastRun"].as_object().erase("finishedAt");
  BOOST_TEST((parse_run_status(&applied) == s));
  run_status closed = s;
  closed.current.reset();
  BOOST_TEST(render_run_status(closed).at("currentRun").is_null());
}

BOOST_AUTO_TEST_CASE(reports_are_read_from_the_pods_annotation) {
  auto p = pod("node-a", report("20261129-020000", "ignored", 1));
  auto r = read_run_report(p);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->node == "node-a"); // spec.nodeName wins
  BOOST_TEST(r->failed == 1);
  BOOST_TEST(value_of_report(*r).failed);
  BOOST_TEST(!read_run_report(pod("node-b", "{not json")));
  BOOST_TEST(!read_run_report(pod("node-b")));
  auto other = pod("node-c", report("20261129-020000", "node-c"));
  other["metadata"].as_object()["labels"].as_object()["debug"] = "someone-else";
  std::vector<json::object> pods{p, pod("node-b"), other};
  auto obs = observe_pods("dbg", "20261129-020000", ptrs(pods));
  BOOST_TEST(obs.pod_nodes.size() == 2u);
  BOOST_TEST(obs.reports.size() == 1u);
  BOOST_TEST(
      observe_pods("dbg", "20261129-030000", ptrs(pods)).reports.empty());
}

BOOST_AUTO_TEST_CASE(a_run_starts_collects_reports_and_completes) {
  auto d = debugger(json::object{{"runAt", "2026-11-29T02:00:00Z"}},
                    json::object{{"desired", 2}});
  auto now = at("2026-11-29T02:03:20Z");
  std::vector<json::object> pods{pod("node-a"), pod("node-b")};
  auto o = step_runs(d, {}, {}, ptrs(pods), now);
  BOOST_REQUIRE(o.status.current);
  BOOST_TEST(o.status.current->id == "20261129-020000");
  BOOST_TEST(o.status.last->phase == run_running);
  BOOST_TEST(o.status.last->started_at == now);
  BOOST_TEST(o.status.last->nodes == 2);
  BOOST_TEST(o.status.observed_run_at.value_or(0)
             == at("2026-11-29T02:00:00Z"));
  BOOST_REQUIRE(o.events.size() == 1u);
  BOOST_TEST(o.events[0].reason == "RunStarted");
  BOOST_REQUIRE(o.writes.size() == 1u);
  BOOST_TEST(o.writes[0].create);
  auto& md = o.writes[0].body.at("metadata").as_object();
  BOOST_TEST(md.at("name").as_string() == "dbg-20261129-020000");
  BOOST_TEST(md.at("labels").at(run_label).as_string() == "20261129-020000");
  BOOST_TEST(md.at("labels").at(run_debugger_label).as_string() == "dbg");
  BOOST_TEST(md.at("ownerReferences").at(0).at("uid").as_string() == "u-1");
  BOOST_TEST(o.wake_at.value_or(0) == now + 300);
  std::map<std::string, json::object> cms;
  apply_writes(cms, o.writes);

  // Same inputs again: nothing to write, no Event (steady state).
  auto again = step_runs(d, o.status, o.book, ptrs(pods), now + 1);
  BOOST_TEST(again.writes.empty());
  BOOST_TEST(again.events.empty());
  BOOST_TEST((again.status == o.status));

  // node-a reports with a problem.
  pods[0] = pod("node-a", report("20261129-020000", "node-a", 1));
  auto r1 = step_runs(d, again.status, again.book, ptrs(pods), now + 5);
  BOOST_TEST(r1.events.empty());
  BOOST_REQUIRE(r1.writes.size() == 1u);
  apply_writes(cms, r1.writes);
  auto& data = cms["dbg-20261129-020000"]["data"].as_object();
  BOOST_TEST(data.at("node-a").as_string().find("disk full")
             != std::string::npos);
  BOOST_TEST(data.at("_summary").as_string().find("reported: 1\nfailed: 1")
             != std::string::npos);
  BOOST_TEST(r1.status.last->reported == 1);

  // A restarted controller rebuilds the book from the ConfigMap.
  auto book = book_of("dbg", "20261129-020000", values(cms));
  BOOST_TEST(book.nodes.size() == 1u);
  BOOST_TEST(book.summary == data.at("_summary").as_string());
  BOOST_TEST(step_runs(d, r1.status, book, ptrs(pods), now + 6).writes.empty());

  pods[1] = pod("node-b", report("20261129-020000", "node-b"));
  auto r2 = step_runs(d, r1.status, book, ptrs(pods), now + 7);
  BOOST_TEST(!r2.status.current);
  BOOST_TEST(r2.status.last->phase == run_completed);
  BOOST_TEST(r2.status.last->finished_at == now + 7);
  BOOST_TEST(r2.status.last->failed == 1);
  BOOST_TEST(r2.status.last->reported == 2);
  BOOST_REQUIRE(r2.events.size() == 1u);
  BOOST_TEST(r2.events[0].reason == "RunCompleted");
  apply_writes(cms, r2.writes);
  BOOST_TEST(data.at("_summary").as_string().starts_with("phase: Completed"));
  // The runAt that was run is not run again (also after a restart).
  auto r3 = step_runs(d, r2.status, {}, ptrs(pods), now + 60);
  BOOST_TEST(r3.writes.empty());
  BOOST_TEST(r3.events.empty());
  BOOST_TEST(!r3.wake_at);
}

BOOST_AUTO_TEST_CASE(a_node_that_never_reports_times_out_at_the_deadline) {
  auto d = debugger(
      json::object{{"runAt", "2026-11-29T02:00:00Z"}, {"runDeadline", "30s"}});
  auto now = at("2026-11-29T02:03:20Z");
  std::vector<json::object> pods{pod("node-a"), pod("node-b")};
  auto o = step_runs(d, {}, {}, ptrs(pods), now);
  BOOST_TEST(o.wake_at.value_or(0) == now + 30);
  pods[0] = pod("node-a", report("20261129-020000", "node-a"));
  auto r1 = step_runs(d, o.status, o.book, ptrs(pods), now + 29);
  BOOST_TEST(r1.status.last->phase == run_running);
  auto r2 = step_runs(d, r1.status, r1.book, ptrs(pods), now + 30);
  BOOST_TEST(!r2.status.current);
  BOOST_TEST(r2.status.last->phase == run_timed_out);
  BOOST_TEST(r2.status.last->reported == 1);
  BOOST_TEST(r2.status.last->nodes == 2);
  BOOST_REQUIRE(r2.events.size() == 1u);
  BOOST_TEST(r2.events[0].type == "Warning");
  BOOST_TEST(r2.events[0].reason == "RunTimedOut");
  BOOST_TEST(r2.events[0].message.find("node-b") != std::string::npos);
  BOOST_REQUIRE(r2.writes.size() == 1u);
  auto& data = r2.writes[0].body.at("data").as_object();
  BOOST_TEST(data.at("node-b").as_string().starts_with("_timedOut:"));
  BOOST_TEST(data.at("_summary").as_string().find("timedOut: 1")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_run_opened_by_hand_is_adopted_with_a_whole_deadline) {
  auto d = debugger(json::object{});
  run_status st;
  st.current = run_ref{"20261129-010000", at("2026-11-29T01:00:00Z")};
  auto now = at("2026-11-29T02:00:00Z");
  std::vector<json::object> pods{pod("node-a")};
  auto o = step_runs(d, st, {}, ptrs(pods), now);
  BOOST_REQUIRE(o.status.current);
  BOOST_TEST(o.status.last->phase == run_running);
  BOOST_TEST(o.status.last->started_at == now);
  BOOST_TEST(o.wake_at.value_or(0) == now + 300);
  BOOST_TEST(o.writes.size() == 1u); // the overview is created
  BOOST_TEST(o.writes[0].create);
}

BOOST_AUTO_TEST_CASE(a_run_due_while_another_is_open_starts_when_it_closes) {
  auto d = debugger(
      json::object{{"runAt", "2026-11-29T02:00:00Z"}, {"runDeadline", "1m"}});
  auto now = at("2026-11-29T02:03:20Z");
  std::vector<json::object> pods{pod("node-a")};
  auto o = step_runs(d, {}, {}, ptrs(pods), now);
  BOOST_REQUIRE(o.status.current);
  // runAt changes to another past instant while the run is open.
  d["spec"].as_object()["runAt"] = "2026-11-29T02:02:00Z";
  auto w = step_runs(d, o.status, o.book, ptrs(pods), now + 10);
  BOOST_TEST(w.status.current->id == "20261129-020000");
  BOOST_TEST(w.status.next_run_at.value_or(0) == at("2026-11-29T02:02:00Z"));
  BOOST_TEST(w.events.empty());
  // At the deadline the first closes and the second starts in one pass.
  auto n = step_runs(d, w.status, w.book, ptrs(pods), now + 60);
  BOOST_REQUIRE(n.events.size() == 2u);
  BOOST_TEST(n.events[0].reason == "RunTimedOut");
  BOOST_TEST(n.events[1].reason == "RunStarted");
  BOOST_TEST(n.status.current->id == "20261129-020200");
  BOOST_TEST(n.status.last->phase == run_running);
  BOOST_TEST(n.status.observed_run_at.value_or(0)
             == at("2026-11-29T02:02:00Z"));
  BOOST_REQUIRE(n.writes.size() == 2u); // close the old, create the new
  BOOST_TEST(!n.writes[0].create);
  BOOST_TEST(n.writes[1].create);
  BOOST_TEST(n.writes[1].name == "dbg-20261129-020200");
}

BOOST_AUTO_TEST_CASE(a_schedule_runs_on_time_and_history_is_pruned) {
  auto d = debugger(json::object{{"schedule", "* * * * *"}});
  auto now = at("2026-11-29T01:00:30Z"); // created at 01:00:00
  auto o = step_runs(d, {}, {}, {}, now);
  BOOST_TEST(!o.status.current);
  BOOST_TEST(o.status.next_run_at.value_or(0) == at("2026-11-29T01:01:00Z"));
  BOOST_TEST(o.wake_at.value_or(0) == at("2026-11-29T01:01:00Z"));
  auto r = step_runs(d, o.status, {}, {}, at("2026-11-29T01:01:00Z"));
  BOOST_REQUIRE(r.status.current);
  BOOST_TEST(r.status.current->id == "20261129-010100");
  BOOST_TEST(!r.status.observed_run_at);
  BOOST_TEST(r.status.next_run_at.value_or(0) == at("2026-11-29T01:02:00Z"));

  std::vector<json::object> cms;
  for (int m = 0; m < 8; ++m) {
    auto id = "20261129-01" + std::string(m < 10 ? "0" : "") + std::to_string(m)
              + "00";
    cms.push_back(json::object{
        {"metadata",
         json::object{{"name", "dbg-" + id},
                      {"labels", json::object{{run_debugger_label, "dbg"},
                                              {run_label, id}}}}}});
  }
  cms.push_back(json::object{
      {"metadata",
       json::object{
           {"name", "dbg-20261129-010000-1"},
           {"labels", json::object{{run_debugger_label, "dbg"},
                                   {run_label, "20261129-010000"}}}}}});
  auto gone = overviews_to_prune("dbg", 5, {"20261129-010700"}, ptrs(cms));
  std::set<std::string> g(gone.begin(), gone.end());
  BOOST_TEST(
      g
      == (std::set<std::string>{"dbg-20261129-010000", "dbg-20261129-010000-1",
                                "dbg-20261129-010100", "dbg-20261129-010200"}));
  // A run being written (not listed yet) counts towards the limit.
  gone = overviews_to_prune("dbg", 5, {"20261129-010800"}, ptrs(cms));
  BOOST_TEST(gone.size() == 5u);
}

BOOST_AUTO_TEST_CASE(
    five_thousand_nodes_stay_below_one_mebibyte_per_configmap) {
  // A typical node summary: 4 categories, 18 items, one problem (~430 B,
  // measured from `kubecombo debugger --run-once` on a build host).
  const std::string summary
      = "disk:\n  kernel-errors: {}\n  sda: {}\n  sdb1:\n    err: \"disk "
        "full\"\n"
        "  /var/lib/kubelet: {}\nnet:\n  eth0: {}\n  eth1: {}\n  bond0: {}\n"
        "  resolv.conf: {}\n  default-route: {}\n  gateway-10.0.0.1: {}\n"
        "mem:\n  hugepages: {}\n  oom-system: {}\n  oom-cgroup: {}\n"
        "  memory: {}\nsvc:\n  clock: {}\n  kubelet: {}\n  containerd: {}\n"
        "  services: {}\n";
  auto d = debugger(json::object{{"runAt", "2026-11-29T02:00:00Z"}});
  std::vector<json::object> pods;
  for (int i = 0; i < 5000; ++i) {
    auto node
        = "worker-" + std::to_string(100000 + i) + ".zone-a.example.internal";
    json::object r{{"run", "20261129-020000"},
                   {"node", node},
                   {"phase", "Completed"},
                   {"checks", 14},
                   {"failed", 1},
                   {"unknown", 0},
                   {"summary", summary}};
    pods.push_back(pod(node, json::serialize(r)));
  }
  auto now = at("2026-11-29T02:00:10Z");
  auto o = step_runs(d, {}, {}, ptrs(pods), now);
  std::map<std::string, json::object> cms;
  apply_writes(cms, o.writes);
  auto r = step_runs(d, o.status, o.book, ptrs(pods), now + 20);
  apply_writes(cms, r.writes);
  BOOST_TEST(r.status.last->phase == run_completed);
  BOOST_TEST(r.status.last->reported == 5000);
  size_t total = 0, largest = 0, keys = 0;
  for (auto& [name, cm] : cms) {
    auto bytes = json::serialize(cm).size();
    total += bytes;
    largest = std::max(largest, bytes);
    keys += cm.at("data").as_object().size();
    BOOST_TEST(bytes < 1024u * 1024u, name << " is " << bytes << " bytes");
  }
  BOOST_TEST(keys == 5001u); // every node + _summary
  BOOST_TEST(cms.size() >= 2u);
  auto& s = cms.at("dbg-20261129-020000").at("data").at("_summary").as_string();
  BOOST_TEST(s.find("parts: [\"dbg-20261129-020000-1\"") != std::string::npos);
  BOOST_TEST_MESSAGE("overview of 5,000 nodes x "
                     << summary.size() << " B summary: " << cms.size()
                     << " ConfigMaps, " << total << " bytes in all, largest "
                     << largest << " bytes (JSON)");
  // Rebuilt after a restart: nothing to write.
  auto book = book_of("dbg", "20261129-020000", values(cms));
  BOOST_TEST(book.nodes.size() == 5000u);
  auto t0 = std::chrono::steady_clock::now();
  auto closed = step_runs(d, r.status, book, ptrs(pods), now + 30);
  auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - t0)
                .count();
  BOOST_TEST(closed.writes.empty());
  BOOST_TEST_MESSAGE("a pass over 5,000 reported nodes: " << ms << " ms");
  // An open run with 4,999 reports known and one new: one small patch.
  r.status.current = run_ref{"20261129-020000", r.status.last->at};
  r.status.last->phase = run_running;
  auto partial = book;
  partial.nodes.erase(partial.nodes.begin());
  t0 = std::chrono::steady_clock::now();
  auto one = step_runs(d, r.status, partial, ptrs(pods), now + 31);
  ms = std::chrono::duration<double, std::milli>(
           std::chrono::steady_clock::now() - t0)
           .count();
  BOOST_TEST_MESSAGE("a pass adding 1 report to 4,999: "
                     << ms << " ms, " << one.writes.size() << " writes");
  BOOST_TEST(one.status.last->phase == run_completed);
}

BOOST_AUTO_TEST_SUITE_END()
