#include "cmd/debugger_run.hpp"

#include "cmd/debugger_metrics.hpp"
#include "probes/check_catalog.hpp"

#include <cctype>
#include <chrono>
#include <cstdint>

namespace kc::cmd::debugger {

std::string parse_duration(const std::string& text,
                           std::chrono::milliseconds* out) {
  if (text.empty())
    return "empty duration";
  double total_ms = 0;
  std::size_t i = 0;
  bool plain = text.find_first_not_of("0123456789.") == std::string::npos;
  while (i < text.size()) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text.substr(i), &used);
    } catch (...) {
      return "not a duration: \"" + text + "\" (use e.g. 30s, 500ms, 2m)";
    }
    i += used;
    std::string unit;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      unit += text[i++];
    double scale = unit == "ms"                             ? 1
                   : unit == "s" || (plain && unit.empty()) ? 1000
                   : unit == "m"                            ? 60000
                   : unit == "h"                            ? 3600000
                                                            : -1;
    if (scale < 0 || v < 0)
      return "not a duration: \"" + text + "\" (use e.g. 30s, 500ms, 2m)";
    total_ms += v * scale;
  }
  if (total_ms <= 0)
    return "duration must be positive: \"" + text + "\"";
  *out = std::chrono::milliseconds(static_cast<int64_t>(total_ms));
  return {};
}

run_outcome run_inspection(const run_config& cfg, std::ostream& log,
                           check_metrics* metrics) {
  run_outcome out;
  out.run_id = cfg.run_id;
  auto specs = checks::discover_checks(cfg.scripts_dir, cfg.categories);
  std::string cats;
  for (auto& c : cfg.categories)
    cats += (cats.empty() ? "" : ",") + c;
  log << "run " << cfg.run_id << ": " << specs.size() << " checks (" << cats
      << ") on node " << cfg.node_name << std::endl;
  auto opts = cfg.runner;
  auto timeout_s = (opts.check_timeout.count() + 999) / 1000;
  opts.env.insert(opts.env.end(),
                  {"HOST_ROOT=" + cfg.host_root, "NODE_NAME=" + cfg.node_name,
                   "RUN_ID=" + cfg.run_id,
                   "CHECK_TIMEOUT=" + std::to_string(timeout_s)});
  auto user_hook = cfg.runner.on_result;
  opts.on_result = [&](const checks::check_result& r) {
    if (metrics) // before the log line: whoever reads the log sees the metric
      metrics->record(r);
    log << checks::log_line(r) << std::endl;
    if (user_hook)
      user_hook(r);
  };
  auto start = std::chrono::steady_clock::now();
  out.results = checks::run_checks(specs, opts);
  for (auto& r : out.results) {
    switch (r.status) {
      case checks::check_status::ok:
        ++out.ok;
        break;
      case checks::check_status::problem:
        ++out.problem;
        break;
      case checks::check_status::unknown:
        ++out.unknown;
        break;
    }
  }
  out.errlogs = checks::write_errlogs(cfg.scripts_dir, cfg.run_id, out.results);
  out.summary_yaml = checks::node_summary_yaml(out.results, cfg.limits);
  log << "run " << cfg.run_id << " done: " << out.ok << " ok, " << out.problem
      << " problem, " << out.unknown << " unknown in "
      << checks::format_seconds(std::chrono::steady_clock::now() - start);
  for (auto& e : out.errlogs)
    log << "; errlog " << e;
  log << std::endl;
  return out;
}

} // namespace kc::cmd::debugger
