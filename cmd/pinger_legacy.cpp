#include "cmd/pinger_legacy.hpp"

#include "telemetry/metrics.hpp"

#include <cstdlib>

namespace kc::cmd {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// One ICMP result into the series with labels `l`: count (if any) + 1,
/// then the latency observed (ok) or lost + 1.
void observe_ping(const std::vector<std::string>& l, bool ok, double ms,
                  telemetry::family<telemetry::histogram>* latency,
                  telemetry::family<telemetry::counter>* lost,
                  telemetry::family<telemetry::counter>* count) {
  if (count)
    count->with(l)->inc();
  if (ok)
    latency->with(l)->observe(ms);
  else
    lost->with(l)->inc();
}

} // namespace

struct legacy_metrics::impl {
  std::string node, host_ip, pod_ip;
  telemetry::family<telemetry::gauge>*dns_healthy, *dns_unhealthy;
  telemetry::family<telemetry::histogram>*dns_latency, *pod_latency,
      *external_latency;
  telemetry::family<telemetry::counter>*pod_lost, *pod_count, *external_lost;
  telemetry::family<telemetry::histogram>* node_latency;
  telemetry::family<telemetry::counter>*node_lost, *node_count;
};

legacy_metrics::legacy_metrics(telemetry::registry& reg)
  : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  m.node = env("NODE_NAME");
  m.host_ip = env("HOST_IP");
  m.pod_ip = env("POD_IP");
  m.dns_healthy = &reg.add_gauge_family(
      "pinger_dns_healthy", "If the dns request is healthy on this node",
      {"nodeName"});
  m.dns_unhealthy = &reg.add_gauge_family(
      "pinger_dns_unhealthy", "If the dns request is unhealthy on this node",
      {"nodeName"});
  m.dns_latency = &reg.add_histogram_family(
      "pinger_dns_latency_ms",
      "The latency ms histogram the node request internal dns", {"nodeName"},
      {2, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50});
  std::vector<std::string> pod_labels{"src_node_name",  "src_node_ip",
                                      "src_pod_ip",     "target_node_name",
                                      "target_node_ip", "target_pod_ip"};
  m.pod_latency
      = &reg.add_histogram_family("pinger_pod_ping_latency_ms",
                                  "The latency ms histogram for pod peer ping",
                                  pod_labels, {.25, .5, 1, 2, 5, 10, 30});
  m.pod_lost
      = &reg.add_counter_family("pinger_pod_ping_lost_total",
                                "The lost count for pod peer ping", pod_labels);
  m.pod_count = &reg.add_counter_family("pinger_pod_ping_count_total",
                                        "The total count for pod peer ping",
                                        pod_labels);
  std::vector<std::string> node_labels{"src_node_name", "src_node_ip",
                                       "src_pod_ip", "target_node_name",
                                       "target_node_ip"};
  m.node_latency
      = &reg.add_histogram_family("pinger_node_ping_latency_ms",
                                  "The latency ms histogram for pod ping node",
                                  node_labels, {.25, .5, 1, 2, 5, 10, 30});
  m.node_lost = &reg.add_counter_family("pinger_node_ping_lost_total",
                                        "The lost count for pod ping node",
                                        node_labels);
  m.node_count = &reg.add_counter_family("pinger_node_ping_count_total",
                                         "The total count for pod ping node",
                                         node_labels);
  std::vector<std::string> ext_labels{"src_node_name", "src_node_ip",
                                      "src_pod_ip", "target_address"};
  m.external_latency = &reg.add_histogram_family(
      "pinger_external_ping_latency_ms",
      "The latency ms histogram for pod ping external address", ext_labels,
      {.25, .5, 1, 2, 5, 10, 30, 50, 100});
  m.external_lost = &reg.add_counter_family(
      "pinger_external_ping_lost_total",
      "The lost count for pod ping external address", ext_labels);
}

legacy_metrics::~legacy_metrics() = default;

void legacy_metrics::observe(probes::protocol p, const std::string& label,
                             uint8_t kind, const probes::probe_result& r) {
  auto& m = *impl_;
  bool ok = r.result == probes::outcome::ok;
  double ms = static_cast<double>(r.rtt_ns) / 1e6;
  if (p == probes::protocol::dns) {
    m.dns_healthy->with({m.node})->set(ok ? 1 : 0);
    m.dns_unhealthy->with({m.node})->set(ok ? 0 : 1);
    if (ok)
      m.dns_latency->with({m.node})->observe(ms);
    return;
  }
  if (p != probes::protocol::icmp)
    return; // upstream had no TCP/UDP series
  if (kind == 2)
    observe_ping({m.node, m.host_ip, m.pod_ip, "", label}, ok, ms,
                 m.node_latency, m.node_lost, m.node_count);
  else if (kind == 1)
    observe_ping({m.node, m.host_ip, m.pod_ip, "", "", label}, ok, ms,
                 m.pod_latency, m.pod_lost, m.pod_count);
  else
    observe_ping({m.node, m.host_ip, m.pod_ip, label}, ok, ms,
                 m.external_latency, m.external_lost, nullptr);
}

} // namespace kc::cmd
