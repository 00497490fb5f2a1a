#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace kc::probes {

/// The protocols the engines speak.
enum class protocol : uint8_t { icmp, tcp, udp, dns };

/// Returns "icmp", "tcp", "udp" or "dns".
std::string_view to_string(protocol p);

/// What one probe found. Everything but `ok` is a failure.
enum class outcome : uint8_t {
  ok,          // reply, SYN-ACK, echoed datagram, DNS answer
  timeout,     // nothing before the deadline
  refused,     // TCP RST, ICMP port unreachable, DNS server port closed
  unreachable, // ICMP host/net unreachable, EHOSTUNREACH, ENETUNREACH
  nxdomain,    // DNS: the name does not exist
  servfail,    // DNS: the server failed
  dns_refused, // DNS: the server refused the query
  nodata,      // DNS: the name exists but has no A/AAAA record
  send_error,  // the probe could not be sent
  disabled,    // the engine is unavailable (e.g. no CAP_NET_RAW)
};

/// Returns a short lowercase name ("ok", "timeout", "nxdomain", ...).
std::string_view to_string(outcome o);

/// One finished probe. `slot` is the engine's index of the target.
struct probe_result {
  uint32_t slot = 0;
  outcome result = outcome::timeout;
  uint8_t ttl = 0;     // reply TTL / hop limit (ICMP), 0 if unknown
  int64_t rtt_ns = -1; // round-trip time, -1 on failure
  int64_t sent_at = 0; // CLOCK_REALTIME of the send, nanoseconds
};

/// Receives results in batches: once per interval, and at once when a
/// target's outcome flips between success and failure.
class result_sink {
public:
  virtual ~result_sink() = default;
  /// Called on the engine's io_context thread; the span is only valid
  /// during the call.
  virtual void on_results(protocol proto, std::span<const probe_result> batch)
      = 0;
};

/// Self-health counters of one engine.
struct engine_counters {
  uint64_t sent = 0;        // probes sent
  uint64_t received = 0;    // replies matched to an outstanding probe
  uint64_t late = 0;        // replies after their probe's deadline
  uint64_t foreign = 0;     // packets that were not ours
  uint64_t send_errors = 0; // failed sends
  uint64_t recv_errors = 0; // failed receives
  int64_t max_lag_ns = 0;   // worst scheduling lag seen
};

} // namespace kc::probes
