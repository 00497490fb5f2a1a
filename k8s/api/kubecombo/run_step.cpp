#include "k8s/api/kubecombo/run_step.hpp"

#include "k8s/api/json_access.hpp"

#include <algorithm>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

std::string nodes_text(int64_t n) {
  return std::to_string(n) + (n == 1 ? " node" : " nodes");
}

// "a, b, c and 4 more".
std::string some_of(const std::vector<std::string>& names, size_t shown = 5) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < shown; ++i)
    s += (i ? ", " : "") + names[i];
  if (names.size() > shown)
    s += " and " + std::to_string(names.size() - shown) + " more";
  return s;
}

struct stepper {
  const json::object& debugger;
  debugger_spec spec;
  std::string name;
  int64_t desired = 0;
  int64_t now = 0;
  int64_t deadline_s = 300;
  const std::vector<const json::object*>& pods;
  run_outcome out;

  void wake(int64_t t) {
    if (!out.wake_at || t < *out.wake_at)
      out.wake_at = t;
  }

  void append(std::vector<overview_write> w) {
    for (auto& x : w)
      out.writes.push_back(std::move(x));
  }

  // The open run: add new reports, close it when complete or late.
  void progress() {
    auto& cur = *out.status.current;
    // A run opened by someone else (status written by hand or a tool) is
    // adopted now, with a whole deadline.
    if (!out.status.last || out.status.last->id != cur.id)
      out.status.last = run_record{cur.id, cur.at, run_running,
                                   0,      0,      0,
                                   now,    0,      overview_name(name, cur.id)};
    auto& rec = *out.status.last;
    if (out.book.run != cur.id)
      out.book = overview_book{cur.id, {}, {}, {}};
    auto deadline = rec.started_at + deadline_s;
    auto obs = observe_pods(name, cur.id, pods, &out.book);
    std::map<std::string, node_value> add;
    for (auto& [node, r] : obs.reports)
      add[node] = value_of_report(r);
    std::set<std::string> reported;
    for (auto& [node, e] : out.book.nodes)
      if (!e.timed_out)
        reported.insert(node);
    for (auto& [node, v] : add)
      reported.insert(node);
    auto expected = obs.pod_nodes;
    expected.insert(reported.begin(), reported.end());
    auto nodes
        = std::max<int64_t>(static_cast<int64_t>(expected.size()), desired);
    auto count = static_cast<int64_t>(reported.size());
    overview_header h{run_running, nodes, cur.at, rec.started_at, deadline, 0};
    std::vector<std::string> missing;
    if (nodes > 0 && count >= nodes) {
      h.phase = run_completed;
    } else if (now >= deadline) {
      h.phase = run_timed_out;
      for (auto& n : obs.pod_nodes)
        if (!reported.contains(n) && !out.book.nodes.contains(n)) {
          add[n] = timed_out_value(deadline);
          missing.push_back(n);
        }
    }
    if (h.phase != run_running)
      h.finished = now;
    append(plan_overview(out.book, debugger, add, h));
    auto c = count_book(out.book);
    rec.phase = h.phase;
    rec.nodes = std::max(nodes, c.reported + c.timed_out);
    rec.reported = c.reported;
    rec.failed = c.failed;
    rec.finished_at = h.finished;
    if (h.phase == run_running) {
      wake(deadline);
      return;
    }
    out.status.current.reset();
    auto counts = std::to_string(rec.reported) + " of " + nodes_text(rec.nodes)
                  + " reported, " + std::to_string(rec.failed)
                  + " with problems";
    if (h.phase == run_completed) {
      out.events.push_back({"Normal", "RunCompleted",
                            "run " + rec.id + " completed: " + counts
                                + "; overview ConfigMap " + rec.overview});
    } else {
      auto late = rec.nodes - rec.reported;
      out.events.push_back(
          {"Warning", "RunTimedOut",
           "run " + rec.id + " timed out at its deadline: " + counts + ", "
               + nodes_text(late) + " did not report"
               + (missing.empty() ? "" : " (" + some_of(missing) + ")")
               + "; overview ConfigMap " + rec.overview});
    }
  }

  void start(int64_t at, bool from_run_at) {
    auto id = run_id(at);
    auto obs = observe_pods(name, id, pods);
    auto nodes = std::max<int64_t>(static_cast<int64_t>(obs.pod_nodes.size()),
                                   desired);
    out.status.current = run_ref{id, at};
    out.status.last = run_record{
        id, at, run_running, nodes, 0, 0, now, 0, overview_name(name, id)};
    if (from_run_at)
      out.status.observed_run_at = at;
    out.book = overview_book{id, {}, {}, {}};
    auto deadline = now + deadline_s;
    append(plan_overview(out.book, debugger, {},
                         {run_running, nodes, at, now, deadline, 0}));
    out.events.push_back({"Normal", "RunStarted",
                          "run " + id + " started on " + nodes_text(nodes)
                              + " (" + (from_run_at ? "runAt" : "schedule")
                              + "), deadline " + format_rfc3339(deadline)
                              + "; overview ConfigMap "
                              + overview_name(name, id)});
    wake(deadline);
  }
};

} // namespace

run_outcome step_runs(const json::object& debugger, const run_status& status,
                      overview_book book,
                      const std::vector<const json::object*>& pods,
                      int64_t now) {
  stepper s{debugger,
            parse_debugger_spec(debugger),
            meta_of(debugger).name,
            0,
            now,
            300,
            pods,
            {}};
  s.deadline_s = run_deadline_seconds(s.spec);
  if (auto st = obj_at(debugger, "status"))
    s.desired = int_at(*st, "desired");
  s.out.status = status;
  s.out.book = std::move(book);
  if (s.out.status.current)
    s.progress();
  auto created = created_at(debugger);
  auto plan = plan_runs(s.spec, s.out.status, created, now);
  if (!s.out.status.current && plan.due) {
    s.start(*plan.due, plan.from_run_at);
    plan = plan_runs(s.spec, s.out.status, created, now);
  }
  s.out.status.next_run_at
      = s.out.status.current && plan.due ? plan.due : plan.next;
  if (plan.next)
    s.wake(*plan.next);
  return s.out;
}

} // namespace kc::k8s::kubecombo
