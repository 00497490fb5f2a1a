// `kubecombo pinger` (CONTRACT.md): job mode (ADR 0021) and server mode
// (cmd/pinger_server: engines plus the agent's actor tree, ADR 0022).
#include "cmd/commands.hpp"
#include "cmd/pinger_server.hpp"
#include "cmd/pinger_session.hpp"
#include "probes/default_route.hpp"
#include "telemetry/logging.hpp"

#include <cmath>
#include <cstdlib>
#include <iostream>

namespace kc::cmd {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "500ms", "1s", "1.5s", "2m", or a plain number of seconds.
std::optional<double> parse_duration(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !std::isfinite(v) || v <= 0)
    return std::nullopt;
  std::string unit(end);
  if (unit.empty() || unit == "s")
    return v;
  if (unit == "ms")
    return v / 1e3;
  if (unit == "us" || unit == "µs")
    return v / 1e6;
  if (unit == "m")
    return v * 60;
  return std::nullopt;
}

std::chrono::nanoseconds to_ns(double seconds) {
  return std::chrono::nanoseconds{static_cast<int64_t>(seconds * 1e9)};
}

} // namespace

int run_pinger(const arguments& args) {
  std::string lists[4]
      = {env("PING"), env("TCP_PING"), env("UDP_PING"), env("DNS")};
  double interval = 5, timeout = 0;
  std::string mode = "server", ds_namespace = env("POD_NAMESPACE"), ds_name,
              kubeconfig, gateway;
  int64_t exit_code = 1, port = 8080, count = 1, udp_echo_port = 0;
  bool enable_metrics = parse_bool(env("ENABLE_METRICS")).value_or(false);
  bool node_ip_check = false, legacy_metrics = false;
  probes::health_config health;
  int64_t fail_threshold = health.fail_threshold,
          recover_threshold = health.recover_threshold;

  flag_set flags("pinger", "Probes peers, gateway and targets (ICMP, TCP, "
                           "UDP, DNS). Job mode: one round, exit 0 if every "
                           "target answered, else --exit-code.");
  flags.add("ping", &lists[0], "ICMP targets: host,... or @FILE [env PING]");
  flags.add("tcpping", &lists[1], "TCP targets: host:port,... [env TCP_PING]");
  flags.add("udpping", &lists[2], "UDP targets: host:port,... [env UDP_PING]");
  flags.add("dnslookup", &lists[3],
            "DNS names: name or name@server[:port],... [env DNS]");
  flags.add_custom("interval", "SECONDS", "seconds between rounds [5]",
                   [&](const std::string& v) -> std::string {
                     auto d = parse_duration(v);
                     if (!d)
                       return "must be a positive number of seconds";
                     interval = *d;
                     return "";
                   });
  flags.add("mode", &mode, "server or job [server]");
  flags.add("exit-code", &exit_code, "job mode exit code on failure [1]", 0,
            255);
  flags.add("enable-metrics", &enable_metrics,
            "serve /metrics on --port (server mode) [env ENABLE_METRICS]");
  flags.add("port", &port, "port of /metrics and /healthz [8080]", 0, 65535);
  flags.add("ds-namespace", &ds_namespace, "namespace of the peer DaemonSet");
  flags.add("ds-name", &ds_name, "name of the peer DaemonSet");
  flags.add("enable-node-ip-check", &node_ip_check, "also probe node IPs");
  flags.add("kubeconfig", &kubeconfig, "kubeconfig (default: in-cluster)");
  flags.add("count", &count, "probes per target per interval [1]", 1, 1000);
  flags.add_custom("timeout", "DURATION",
                   "per-probe timeout, e.g. 500ms [min(1s, interval/count)]",
                   [&](const std::string& v) -> std::string {
                     auto d = parse_duration(v);
                     if (!d)
                       return "must be a duration like 500ms or 2s";
                     timeout = *d;
                     return "";
                   });
  flags.add("gateway", &gateway, "gateway to probe: IP or auto");
  flags.add("legacy-metrics", &legacy_metrics,
            "also export upstream's metric names");
  flags.add("udp-echo-port", &udp_echo_port,
            "answer UDP probes of peers on this port (0: off) [0]", 0, 65535);
  flags.add("fail-threshold", &fail_threshold,
            "consecutive failures before a target is down [3]", 1, 1000);
  flags.add("recover-threshold", &recover_threshold,
            "consecutive successes before it is up again [2]", 1, 1000);
  flags.add_custom("loss-threshold", "RATIO",
                   "down when the loss since the last change exceeds this "
                   "(0..1, over >= 10 probes; 1 = off) [0.5]",
                   [&](const std::string& v) -> std::string {
                     char* end = nullptr;
                     double d = std::strtod(v.c_str(), &end);
                     if (end == v.c_str() || *end != '\0' || !(d >= 0) || d > 1)
                       return "must be a ratio between 0 and 1";
                     health.loss_threshold = d;
                     return "";
                   });
  if (auto rc = flags.parse(args))
    return *rc;
  if (!flags.positional().empty())
    return usage_error("pinger", "unexpected argument \""
                                     + flags.positional().front() + "\"");
  if (mode != "server" && mode != "job")
    return usage_error("pinger",
                       "--mode must be server or job, not \"" + mode + "\"");
  bool job = mode == "job";
  if (gateway == "auto") {
    if (auto gw = probes::default_gateway()) {
      gateway = *gw;
    } else {
      std::cerr << "kubecombo pinger: --gateway auto: no IPv4 default route "
                   "in /proc/net/route; not probing a gateway\n";
      gateway.clear();
    }
  }
  if (!gateway.empty())
    lists[0] += (lists[0].empty() ? "" : ",") + gateway;
  health.fail_threshold = static_cast<uint32_t>(fail_threshold);
  health.recover_threshold = static_cast<uint32_t>(recover_threshold);

  // Job mode: count probes per target within one round of ≤ 1 s (plus the
  // timeout); server mode: count probes per target per interval, forever.
  session_config cfg;
  double per_probe = interval / static_cast<double>(count);
  if (timeout == 0)
    timeout = std::min(1.0, per_probe);
  if (job)
    per_probe = std::max(timeout,
                         std::min(interval, 1.0) / static_cast<double>(count));
  cfg.sched = {to_ns(per_probe), to_ns(std::min(timeout, per_probe)),
               job ? static_cast<uint64_t>(count) : 0};
  if (job)
    cfg.stats.window = static_cast<uint32_t>(count);

  telemetry::init_logging({});
  boost::asio::io_context io;
  pinger_session session(io, cfg);
  const probes::protocol protos[]
      = {probes::protocol::icmp, probes::protocol::tcp, probes::protocol::udp,
         probes::protocol::dns};
  for (int i = 0; i < 4; ++i) {
    auto parsed = probes::parse_target_list(protos[i], lists[i]);
    for (auto& err : parsed.errors) {
      std::cerr << "kubecombo pinger: " << err << '\n';
      session.add_invalid(err);
    }
    for (auto& spec : parsed.good)
      if (auto err = session.add(spec); !err.empty())
        std::cerr << "kubecombo pinger: " << err << '\n';
  }

  if (job) {
    bool finished = false;
    for (auto& w : session.start([&] {
           finished = true;
           io.stop();
         }))
      std::cerr << "kubecombo pinger: " << w << '\n';
    auto cap = std::chrono::duration<double>(
        per_probe * static_cast<double>(count) + timeout + 30);
    io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(cap));
    if (!finished)
      session.stop();
    bool all = session.report(std::cout);
    std::cout.flush();
    return all ? 0 : static_cast<int>(exit_code);
  }

  // Server mode: never exits because probes fail.
  pinger_server_options opts;
  opts.health = health;
  opts.udp_echo_port = udp_echo_port;
  opts.enable_metrics = enable_metrics;
  opts.legacy_metrics = legacy_metrics;
  opts.node_ip_check = node_ip_check;
  opts.port = port;
  opts.interval = per_probe * static_cast<double>(count);
  opts.kubeconfig = kubeconfig;
  opts.ds_namespace = ds_namespace;
  opts.ds_name = ds_name;
  return run_pinger_server(io, session, opts);
}

} // namespace kc::cmd
