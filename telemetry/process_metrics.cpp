// Process self-metrics from /proc/self/stat, /proc/stat and /proc/self/fd.

#include "telemetry/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kc::telemetry {

namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// The system boot time in seconds since the epoch (`btime` of /proc/stat).
std::optional<double> boot_time() {
  auto text = read_file("/proc/stat");
  if (!text)
    return std::nullopt;
  std::istringstream in{*text};
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("btime "))
      return std::stod(line.substr(6));
  return std::nullopt;
}

double open_fds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator i{"/proc/self/fd", ec}, end;
       !ec && i != end; i.increment(ec))
    ++n;
  return n;
}

double max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return 0;
  return static_cast<double>(limit.rlim_cur);
}

} // namespace

std::optional<process_stats> read_process_stats() {
  auto stat = read_file("/proc/self/stat");
  if (!stat)
    return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: fields from
  // the third on start after its last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos)
    return std::nullopt;
  std::istringstream in{stat->substr(close + 1)};
  std::vector<std::string> fields; // fields[0] is field 3 (state)
  for (std::string f; in >> f;)
    fields.push_back(f);
  if (fields.size() < 22)
    return std::nullopt;
  auto field = [&](int n) {
    return std::stod(fields[n - 3]);
  };
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  static const double boot = boot_time().value_or(0);
  process_stats result;
  try {
    result.cpu_seconds = (field(14) + field(15)) / ticks;
    result.start_time_seconds = boot + field(22) / ticks;
    result.virtual_bytes = field(23);
    result.resident_bytes = field(24) * page;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  result.open_fds = open_fds();
  result.max_fds = max_fds();
  return result;
}

void register_process_metrics(registry& reg) {
  auto add = [&](metric_type type, const char* name, const char* help,
                 double process_stats::*member) {
    reg.add_callback(type, name, help, [member] {
      auto stats = read_process_stats();
      if (!stats)
        throw std::runtime_error("no /proc/self"); // drops the series
      return (*stats).*member;
    });
  };
  add(metric_type::counter, "process_cpu_seconds_total",
      "Total user and system CPU time spent in seconds.",
      &process_stats::cpu_seconds);
  add(metric_type::gauge, "process_resident_memory_bytes",
      "Resident memory size in bytes.", &process_stats::resident_bytes);
  add(metric_type::gauge, "process_virtual_memory_bytes",
      "Virtual memory size in bytes.", &process_stats::virtual_bytes);
  add(metric_type::gauge, "process_start_time_seconds",
      "Start time of the process since unix epoch in seconds.",
      &process_stats::start_time_seconds);
  add(metric_type::gauge, "process_open_fds",
      "Number of open file descriptors.", &process_stats::open_fds);
  add(metric_type::gauge, "process_max_fds",
      "Maximum number of open file descriptors.", &process_stats::max_fds);
}

} // namespace kc::telemetry
