#include "k8s/api/kubecombo/runs.hpp"

#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/cron.hpp"
#include "k8s/api/kubecombo/formats.hpp"

#include <algorithm>
#include <ctime>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

std::string strftime_utc(int64_t at, const char* fmt) {
  auto t = static_cast<std::time_t>(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::optional<int64_t> time_at(const json::object& o, std::string_view key) {
  auto s = str_at(o, key);
  if (s.empty())
    return std::nullopt;
  return parse_run_at(s);
}

json::value time_or_null(std::optional<int64_t> t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

} // namespace

std::string run_id(int64_t at) {
  return strftime_utc(at, "%Y%m%d-%H%M%S");
}

std::string format_rfc3339(int64_t at) {
  return strftime_utc(at, "%Y-%m-%dT%H:%M:%SZ");
}

run_status parse_run_status(const json::object* status) {
  run_status s;
  if (!status)
    return s;
  if (auto c = obj_at(*status, "currentRun"); c && !str_at(*c, "id").empty())
    s.current = run_ref{str_at(*c, "id"), time_at(*c, "at").value_or(0)};
  s.next_run_at = time_at(*status, "nextRunAt");
  s.observed_run_at = time_at(*status, "observedRunAt");
  if (auto l = obj_at(*status, "lastRun"); l && !str_at(*l, "id").empty()) {
    run_record r;
    r.id = str_at(*l, "id");
    r.at = time_at(*l, "at").value_or(0);
    r.phase = str_at(*l, "phase");
    r.nodes = int_at(*l, "nodes");
    r.reported = int_at(*l, "reported");
    r.failed = int_at(*l, "failed");
    r.started_at = time_at(*l, "startedAt").value_or(0);
    r.finished_at = time_at(*l, "finishedAt").value_or(0);
    r.overview = str_at(*l, "overview");
    s.last = std::move(r);
  }
  return s;
}

json::object render_run_status(const run_status& s) {
  json::object o;
  if (s.current)
    o["currentRun"] = json::object{{"id", s.current->id},
                                   {"at", format_rfc3339(s.current->at)}};
  else
    o["currentRun"] = nullptr;
  o["nextRunAt"] = time_or_null(s.next_run_at);
  o["observedRunAt"] = time_or_null(s.observed_run_at);
  if (s.last) {
    auto& r = *s.last;
    json::object l{{"id", r.id},
                   {"at", format_rfc3339(r.at)},
                   {"phase", r.phase},
                   {"nodes", r.nodes},
                   {"reported", r.reported},
                   {"failed", r.failed},
                   {"startedAt", format_rfc3339(r.started_at)},
                   {"overview", r.overview}};
    // A merge patch must remove a finishedAt left by the previous run.
    l["finishedAt"] = r.finished_at ? json::value(format_rfc3339(r.finished_at))
                                    : json::value(nullptr);
    o["lastRun"] = std::move(l);
  } else {
    o["lastRun"] = nullptr;
  }
  return o;
}

run_plan plan_runs(const debugger_spec& spec, const run_status& status,
                   int64_t created, int64_t now) {
  run_plan p;
  auto consider = [&p](int64_t t) {
    if (!p.next || t < *p.next)
      p.next = t;
  };
  if (auto t = spec.run_at.empty() ? std::nullopt : parse_run_at(spec.run_at)) {
    bool handled = status.observed_run_at
                       ? *status.observed_run_at == *t
                       : (status.last && status.last->at == *t)
                             || (status.current && status.current->at == *t);
    if (!handled && *t <= now) {
      p.due = *t;
      p.from_run_at = true;
    } else if (!handled) {
      consider(*t);
    }
  }
  if (!spec.schedule.empty() && check_cron(spec.schedule).empty()) {
    int64_t base = created;
    if (status.last)
      base = std::max(base, status.last->at);
    if (status.current)
      base = std::max(base, status.current->at);
    if (!p.due)
      if (auto t = last_cron_in(spec.schedule, base, now))
        p.due = *t;
    if (auto t = next_cron(spec.schedule, std::max(base, now)))
      consider(*t);
  }
  return p;
}

int64_t run_deadline_seconds(const debugger_spec& spec) {
  auto ms = parse_duration_ms(spec.run_deadline);
  return ms ? std::max<int64_t>(1, (*ms + 999) / 1000) : 300;
}

int64_t created_at(const json::object& obj) {
  auto md = obj_at(obj, "metadata");
  return md ? time_at(*md, "creationTimestamp").value_or(0) : 0;
}

} // namespace kc::k8s::kubecombo
