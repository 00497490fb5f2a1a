#pragma once

// `--legacy-metrics` (CONTRACT: for old dashboards only; promtool rejects
// the names): upstream kube-combo's pinger series (reference §6.8) next to
// the `pinger_` ones, with upstream's bugs fixed (ADR 0025):
// P4 — DNS healthy/unhealthy are exclusive and only successes go into the
// latency histogram; P5 — src_pod_ip is POD_IP, never the pod name; P7 — a
// failed probe is never observed as latency 0; count counters add one per
// probe (we probe one packet at a time, upstream added 3 per round).
// External = ICMP flag/Pinger targets, pod = discovered peers, node = node
// InternalIPs (--enable-node-ip-check; P6: their loss is counted).

#include "probes/result.hpp"

#include <memory>
#include <string>

namespace kc::telemetry {
class registry;
}

namespace kc::cmd {

/// Upstream's pinger metric families, fed per probe on the io thread.
class legacy_metrics {
public:
  /// Registers the families; labels from NODE_NAME, HOST_IP, POD_IP.
  explicit legacy_metrics(telemetry::registry& reg);
  ~legacy_metrics();
  /// One finished probe of the target `label`; `kind` 0 = listed, 1 = a
  /// discovered pod, 2 = a node.
  void observe(probes::protocol p, const std::string& label, uint8_t kind,
               const probes::probe_result& r);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace kc::cmd
