#include "cmd/debugger_metrics.hpp"

namespace kc::cmd::debugger {

namespace {

const std::vector<std::string> labels = {"node", "category", "check"};

} // namespace

check_metrics::check_metrics(telemetry::registry& reg, std::string node)
  : node_(std::move(node)),
    duration_(reg.add_histogram_family(
        "kubecombo_check_duration_seconds",
        "Wall time of the last runs of a check.", labels,
        telemetry::exponential_buckets(0.01, 2.5, 10))),
    exit_status_(
        reg.add_gauge_family("kubecombo_check_exit_status",
                             "Exit status of the check's last run (128+N when "
                             "killed by signal N, -1 when not run).",
                             labels)),
    status_(reg.add_gauge_family(
        "kubecombo_check_status",
        "Status of the check's last run: 0 ok, 1 problem, 2 unknown.", labels)),
    last_success_(
        reg.add_gauge_family("kubecombo_check_last_success_timestamp_seconds",
                             "Unix time of the check's last ok run.", labels)),
    runs_(reg.add_counter_family("kubecombo_check_runs_total",
                                 "Check runs by status.",
                                 {"node", "category", "check", "status"})) {}

void check_metrics::record(const checks::check_result& r) {
  const std::vector<std::string> key = {node_, r.spec.category, r.spec.name};
  duration_.with(key)->observe(r.duration);
  exit_status_.with(key)->set(r.term_signal != 0 ? 128 + r.term_signal
                                                 : r.exit_code);
  status_.with(key)->set(static_cast<double>(static_cast<int>(r.status)));
  if (r.status == checks::check_status::ok)
    last_success_.with(key)->set_to_current_time();
  runs_
      .with({node_, r.spec.category, r.spec.name, checks::to_string(r.status)})
      ->inc();
}

} // namespace kc::cmd::debugger
