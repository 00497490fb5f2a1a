#include "cmd/debugger_resident.hpp"

#include "cmd/debugger_report.hpp"
#include "cmd/debugger_runs.hpp"
#include "k8s/api/kubecombo/spec.hpp"
#include "probes/check_catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <thread>

namespace kc::cmd::debugger {

namespace {

using namespace std::chrono_literals;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void say(std::ostream& log, const std::string& line) {
  log << (line + "\n") << std::flush;
}

// Sleeps up to `d`, waking early when `stop` is set.
void pause(const std::atomic<bool>& stop, std::chrono::milliseconds d) {
  for (auto until = std::chrono::steady_clock::now() + d;
       !stop && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(50ms);
}

k8s::resource_ref own_pod(const resident_config& cfg) {
  k8s::resource_ref r;
  r.resource = "pods";
  r.ns = cfg.ns;
  r.name = cfg.pod;
  return r;
}

// `reporter`: the run the own Pod's annotation names ("" none); retried with
// backoff while the API fails; nullopt when stopped first.
std::optional<std::string> reported_by_pod(const resident_config& cfg,
                                           std::ostream& log) {
  auto backoff = 500ms;
  std::string last;
  while (!*cfg.stop) {
    auto r = cfg.api->send_sync(k8s::make_get(own_pod(cfg)));
    if (r.ok() && r.object)
      return reported_run(*r.object);
    auto what = r.error.to_string();
    if (what != last)
      say(log, "reporter: cannot read pod " + cfg.ns + "/" + cfg.pod + ": "
                   + what + " (retrying with backoff up to 30s)");
    last = what;
    pause(*cfg.stop, backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 30s);
  }
  return std::nullopt;
}

// `reporter`: the merge patch of the run-report annotation, retried with
// backoff until it lands or the agent stops.
bool send_report(const resident_config& cfg, const std::string& report,
                 const std::string& run_id, std::ostream& log) {
  auto backoff = 500ms;
  std::string last;
  while (!*cfg.stop) {
    auto r = cfg.api->send_sync(k8s::make_patch(
        own_pod(cfg), k8s::patch_type::merge, report_patch(report)));
    if (r.ok()) {
      say(log, "reporter: run " + run_id + " reported on pod " + cfg.ns + "/"
                   + cfg.pod + " (" + std::to_string(report.size())
                   + " bytes)");
      return true;
    }
    auto what = r.error.to_string();
    if (what != last)
      say(log, "reporter: cannot report run " + run_id + ": " + what
                   + " (retrying with backoff up to 30s)");
    last = what;
    pause(*cfg.stop, backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 30s);
  }
  return false;
}

// The run configuration of one run: the Debugger's checkTimeout and
// runDeadline (the flags' values when absent or unreadable), built-in
// categories plus custom when user scripts are mounted.
run_config run_for(const resident_config& cfg, const boost::json::object& dbg,
                   const std::string& id, std::ostream& log) {
  run_config rc = cfg.base;
  rc.run_id = id;
  rc.categories = checks::builtin_categories;
  if (checks::has_user_scripts(rc.scripts_dir))
    rc.categories.push_back("custom");
  auto spec = k8s::kubecombo::parse_debugger_spec(dbg);
  std::chrono::milliseconds d{};
  if (auto err = parse_duration(spec.check_timeout, &d); err.empty())
    rc.runner.check_timeout = d;
  else
    say(log, "runner: spec.checkTimeout: " + err + "; using "
                 + std::to_string(rc.runner.check_timeout.count()) + "ms");
  if (auto err = parse_duration(spec.run_deadline, &d); err.empty())
    rc.runner.deadline = d;
  else
    say(log, "runner: spec.runDeadline: " + err + "; using "
                 + std::to_string(rc.runner.deadline.count()) + "ms");
  rc.runner.cancel = cfg.stop;
  return rc;
}

} // namespace

bool resident_env() {
  if (env("DEBUGGER_NAME").empty() || env("POD_NAME").empty()
      || env("POD_NAMESPACE").empty())
    return false;
  return std::getenv("DS_NAME") == nullptr || !env("DS_NAME").empty();
}

int run_resident(const resident_config& cfg, std::ostream& log) {
  say(log, "resident mode: debugger " + cfg.ns + "/" + cfg.debugger
               + ", pod " + cfg.pod + ", node " + cfg.base.node_name
               + ", API " + cfg.api->config().server);
  debugger_runs runs(cfg.api, cfg.ns, cfg.debugger, log);
  uint64_t seen = 0;
  std::string done_run;
  bool missing_logged = false;
  while (!*cfg.stop) {
    std::shared_ptr<const boost::json::object> dbg;
    auto gen = runs.wait_newer(seen, *cfg.stop, 1s, dbg);
    if (gen == seen)
      continue;
    seen = gen;
    if (!dbg) {
      missing_logged = true;
      continue;
    }
    if (missing_logged) {
      say(log, "runs: debugger " + cfg.ns + "/" + cfg.debugger + " found");
      missing_logged = false;
    }
    auto id = current_run_id(*dbg);
    if (id.empty() || id == done_run)
      continue;
    if (!checks::valid_run_id(id)) {
      say(log, "runs: ignoring status.currentRun.id \"" + id
                   + "\" (not YYYYMMDD-HHMMSS)");
      done_run = id;
      continue;
    }
    auto reported = reported_by_pod(cfg, log);
    if (!reported)
      break;
    if (*reported == id) {
      say(log, "run " + id + ": already reported by this pod, not run again");
      done_run = id;
      continue;
    }
    auto rc = run_for(cfg, *dbg, id, log);
    auto out = run_inspection(rc, log, cfg.metrics);
    if (*cfg.stop) {
      say(log, "run " + id + ": interrupted by shutdown, not reported");
      break;
    }
    auto report = bounded_run_report(std::move(out), cfg.base.node_name,
                                     cfg.base.limits);
    if (!send_report(cfg, report, id, log))
      break;
    done_run = id;
  }
  return 0;
}

} // namespace kc::cmd::debugger
