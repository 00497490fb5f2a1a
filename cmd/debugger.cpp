// `kubecombo debugger`: the inspection agent in the `debug` container.
//
// Local modes (no Kubernetes API): `--run-once [CATEGORIES]` runs checks now
// and prints the node summary; job style (user scripts in <scripts>/custom)
// runs them once and exits with their combined result; otherwise the agent is
// a troubleshooting pod that stays up until SIGTERM. In a DaemonSet with API
// access (DEBUGGER_NAME, POD_NAME, POD_NAMESPACE, DS_NAME) the resident mode
// (cmd/debugger_resident.hpp, ADR 0045) runs the checks once per
// `status.currentRun` of its Debugger and reports on its own Pod.

#include "cmd/signals.hpp"
#include "cmd/commands.hpp"
#include "cmd/debugger_metrics.hpp"
#include "cmd/debugger_resident.hpp"
#include "cmd/debugger_run.hpp"
#include "cmd/debugger_scripts.hpp"
#include "k8s/client/client_config.hpp"
#include "probes/check_catalog.hpp"
#include "telemetry/admin_server.hpp"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

namespace kc::cmd {

namespace {

using namespace std::chrono_literals;

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string{v} : fallback;
}

// Turns SIGTERM/SIGINT into a flag and a notification (signals are blocked
// in every thread; one thread waits for them).
struct stop_signal {
  std::atomic<bool> stop{false};
  std::mutex mtx;
  std::condition_variable cv;
  int signal = 0;

  void start() {
    block_termination_signals();
    std::thread([this] {
      int sig = wait_for_termination_signal();
      {
        std::lock_guard<std::mutex> lock(mtx);
        signal = sig;
        stop = true;
      }
      cv.notify_all();
    }).detach();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mtx);
    cv.wait(lock, [this] { return stop.load(); });
  }
};

/// The API client of the resident mode: --kubeconfig, else in-cluster, else
/// $KUBECONFIG; null (one line on stdout) when none is configured. Only the
/// configuration is read here: a server that is down is retried later.
std::shared_ptr<k8s::api_client> resident_api(const std::string& kubeconfig) {
  if (kubeconfig.empty() && !std::getenv("KUBERNETES_SERVICE_HOST")
      && !std::getenv("KUBECONFIG")) {
    std::cout << "no API access (no --kubeconfig, in-cluster config or "
                 "$KUBECONFIG): local modes only"
              << std::endl;
    return nullptr;
  }
  try {
    k8s::config_sources src;
    src.explicit_path = kubeconfig;
    auto cfg = k8s::load_client_config(src);
    cfg.request_timeout = 10s; // SIGTERM waits for at most one call
    return std::make_shared<k8s::api_client>(std::move(cfg));
  } catch (const std::exception& e) {
    std::cout << "no API access (" << e.what() << "): local modes only"
              << std::endl;
    return nullptr;
  }
}

} // namespace

int run_debugger(const arguments& args) {
  flag_set flags(
      "debugger",
      "Runs node inspections (the `debug` container).\n\n"
      "Modes: with --run-once, runs the checks of CATEGORIES (default: disk "
      "net mem\n"
      "svc) now, logs one line per check on stderr, prints the node summary "
      "YAML on\n"
      "stdout and exits 0 if every check was ok, 1 otherwise. Without it: if\n"
      "<scripts-dir>/custom holds user scripts (job style), runs them once, "
      "logs one\n"
      "line per check on stdout and exits with their combined result; "
      "otherwise\n"
      "(troubleshooting pod) stays up until SIGTERM. Errlogs of failed checks "
      "go to\n"
      "<scripts-dir>/<category>/errlog/<run-id>.log.\n\n"
      "Resident mode: with DEBUGGER_NAME, POD_NAME, POD_NAMESPACE (and DS_NAME\n"
      "not empty, when set) and API access, runs every check once per\n"
      "status.currentRun of the Debugger and reports on the own Pod\n"
      "(annotation kubecombo.com/run-report).\n\n"
      "Usage: kubecombo debugger [flags] [--run-once [CATEGORIES...]]");
  std::string host_root = "/host";
  std::string scripts_dir = "/scripts";
  std::string run_id;
  std::string kubeconfig;
  int64_t port = 8090;
  int64_t concurrency = 4;
  int64_t output_cap = 64 * 1024;
  int64_t summary_max = 16 * 1024;
  bool run_once = false;
  checks::runner_options ropts;
  ropts.check_timeout = 30s;
  ropts.deadline = 5min;
  flags.add("host-root", &host_root,
            "the host's root filesystem, given to checks as HOST_ROOT [/host]");
  flags.add("scripts-dir", &scripts_dir,
            "the check library and user scripts (custom/; a custom-src/ is "
            "copied into it at start) [/scripts]");
  flags.add("port", &port,
            "port of /metrics and /healthz; 0 disables the listener [8090]", 0,
            65535);
  flags.add("run-once", &run_once,
            "run the checks of the CATEGORIES given as arguments now, print "
            "the summary, exit");
  flags.add("kubeconfig", &kubeconfig,
            "kubeconfig of the resident mode [in-cluster, else $KUBECONFIG]");
  flags.add("run-id", &run_id, "run id YYYYMMDD-HHMMSS (UTC) [now]");
  auto duration_flag = [&](const std::string& name,
                           std::chrono::milliseconds* target,
                           const std::string& help) {
    flags.add_custom(name, "DURATION", help, [target](const std::string& v) {
      return debugger::parse_duration(v, target);
    });
  };
  duration_flag(
      "check-timeout", &ropts.check_timeout,
      "per-check timeout; the check's whole process group is killed [30s]");
  duration_flag("deadline", &ropts.deadline, "deadline of the whole run [5m]");
  duration_flag("start-jitter", &ropts.start_jitter,
                "each check starts after a random delay below this [0s: none]");
  flags.add("concurrency", &concurrency, "checks running at the same time [4]",
            1, 256);
  flags.add("output-cap", &output_cap, "bytes of output kept per check [65536]",
            1024, 16 << 20);
  flags.add("summary-max-bytes", &summary_max,
            "bound of the node summary [16384]", 512, 1 << 20);
  if (auto rc = flags.parse(args))
    return *rc;
  if (!flags.positional().empty() && !run_once)
    return usage_error("debugger", "unexpected argument \""
                                       + flags.positional()[0]
                                       + "\" (categories go after --run-once)");
  if (!run_id.empty() && !checks::valid_run_id(run_id))
    return usage_error("debugger",
                       "--run-id: \"" + run_id + "\" is not YYYYMMDD-HHMMSS");
  std::vector<std::string> categories = flags.positional();
  for (auto& c : categories)
    if (c.empty()
        || c.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-")
               != std::string::npos)
      return usage_error("debugger", "not a category name: \"" + c + "\"");

  debugger::run_config cfg;
  cfg.host_root = host_root;
  cfg.scripts_dir = scripts_dir;
  cfg.run_id = run_id.empty() ? checks::run_id_now() : run_id;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  cfg.node_name = env_or("NODE_NAME", host);
  ropts.concurrency = static_cast<std::size_t>(concurrency);
  ropts.output_cap = static_cast<std::size_t>(output_cap);
  cfg.limits.max_bytes = static_cast<std::size_t>(summary_max);

  stop_signal stop;
  stop.start();
  ropts.cancel = &stop.stop;
  cfg.runner = ropts;

  // The ConfigMap's scripts (read-only at custom-src) are copied into the
  // writable custom/, where their errlogs go (ADR 0045).
  if (auto line = debugger::copy_user_scripts(scripts_dir); !line.empty())
    std::cout << line << std::endl;
  // The errlog folders exist from the agent's start.
  auto all = checks::builtin_categories;
  all.push_back("custom");
  for (auto& note : checks::ensure_errlog_dirs(scripts_dir, all))
    std::cerr << "kubecombo debugger: " << note << '\n';

  if (run_once) {
    cfg.categories
        = categories.empty() ? checks::builtin_categories : categories;
    debugger::check_metrics metrics(telemetry::global_registry(),
                                    cfg.node_name);
    auto out = debugger::run_inspection(cfg, std::cerr, &metrics);
    std::cout << out.summary_yaml << std::flush;
    return out.all_ok() ? 0 : 1;
  }

  std::unique_ptr<telemetry::admin_server> admin;
  if (port > 0) {
    telemetry::admin_routes routes;
    routes.metrics = &telemetry::global_registry();
    routes.healthz = [] {
      return telemetry::check_result{};
    };
    try {
      admin = std::make_unique<telemetry::admin_server>(
          routes, telemetry::listen_address{"", static_cast<uint16_t>(port)});
    } catch (const std::exception& e) {
      std::cerr << "kubecombo debugger: cannot serve /metrics on port " << port
                << ": " << e.what() << '\n';
      return 1;
    }
  }
  std::cout << "kubecombo debugger on node " << cfg.node_name << " (pod "
            << env_or("POD_NAMESPACE", "-") << "/" << env_or("POD_NAME", "-")
            << ", debugger " << env_or("DEBUGGER_NAME", "-") << "), host root "
            << host_root << ", scripts " << scripts_dir << std::endl;
  if (!run_once && debugger::resident_env()) {
    if (auto api = resident_api(kubeconfig)) {
      debugger::check_metrics metrics(telemetry::global_registry(),
                                      cfg.node_name);
      debugger::resident_config rcfg;
      rcfg.base = cfg;
      rcfg.debugger = env_or("DEBUGGER_NAME", "");
      rcfg.pod = env_or("POD_NAME", "");
      rcfg.ns = env_or("POD_NAMESPACE", "");
      rcfg.api = api;
      rcfg.stop = &stop.stop;
      rcfg.metrics = &metrics;
      int rc = debugger::run_resident(rcfg, std::cout);
      std::cout << "stopping on "
                << (stop.signal == SIGINT ? "SIGINT" : "SIGTERM") << std::endl;
      if (admin)
        admin->stop();
      return rc;
    }
  }
  if (checks::has_user_scripts(scripts_dir)) {
    cfg.categories = {"custom"};
    debugger::check_metrics metrics(telemetry::global_registry(),
                                    cfg.node_name);
    auto out = debugger::run_inspection(cfg, std::cout, &metrics);
    if (admin)
      admin->stop();
    return out.all_ok() ? 0 : 1;
  }
  std::cout << "no user scripts in " << scripts_dir
            << "/custom: troubleshooting pod, staying up until SIGTERM"
            << std::endl;
  stop.wait();
  std::cout << "stopping on " << (stop.signal == SIGINT ? "SIGINT" : "SIGTERM")
            << std::endl;
  if (admin)
    admin->stop();
  return 0;
}

} // namespace kc::cmd
