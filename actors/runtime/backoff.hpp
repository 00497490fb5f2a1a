#pragma once

// Exponential backoff with optional jitter, shared by the SUPERVISOR
// (restarts), the INFORMER (800 ms → 30 s, jitter 1.0, api:W10) and the
// per-key RECONCILER (5 ms → 1000 s, api:Q3). Pure functions.

#include <caf/timespan.hpp>

#include <chrono>
#include <cstdint>

namespace kc::runtime {

/// Parameters of an exponential backoff.
struct backoff_policy {
  /// Delay after the first failure.
  caf::timespan initial = std::chrono::milliseconds{100};
  /// Upper bound of every delay (jitter included).
  caf::timespan max = std::chrono::seconds{30};
  /// Growth per consecutive failure.
  double factor = 2.0;
  /// Adds up to `jitter × delay` (client-go's jitter 1.0 doubles at most).
  double jitter = 0.0;
};

/// The INFORMER's backoff (client-go reflector: 800 ms … 30 s, jitter 1.0).
inline backoff_policy informer_backoff() {
  return {std::chrono::milliseconds{800}, std::chrono::seconds{30}, 2.0, 1.0};
}

/// The per-key reconcile backoff (client-go: 5 ms × 2^n, capped at 1000 s).
inline backoff_policy reconcile_backoff() {
  return {std::chrono::milliseconds{5}, std::chrono::seconds{1000}, 2.0, 0.0};
}

/// The delay after `failures` consecutive failures (1 = the first);
/// `unit_random` in [0, 1) scales the jitter. 0 failures → 0.
caf::timespan backoff_delay(const backoff_policy& p, uint32_t failures,
                            double unit_random = 0.0);

} // namespace kc::runtime
