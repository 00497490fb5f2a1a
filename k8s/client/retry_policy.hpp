#pragma once

#include "k8s/client/errors.hpp"

#include <chrono>
#include <optional>

namespace kc::k8s {

/// A uniform random number in [0, 1) (thread-local generator).
double random_unit();

/// The wait before retry `retries_done + 1` when the server named none:
/// 200 ms × 2^retries_done, at most 10 s and `cap`, scaled by the jitter
/// factor 0.5 + unit / 2 (so retries of many clients spread out, and none
/// is shorter than half the step). `unit` in [0, 1).
std::chrono::milliseconds retry_backoff(int retries_done,
                                        std::chrono::milliseconds cap,
                                        double unit);

/// api:S3 — client-go's with_retry: a response is retried when it is a 429
/// or a 5xx that carries Retry-After, the request can be replayed and
/// fewer than `max_retries` retries were made; the wait is the Retry-After
/// (capped at `cap`), exact. A 429 without Retry-After (the server did no
/// work) is retried too, after retry_backoff(…, unit) (ADR 0033); a 5xx
/// without it is not (it may have been applied). nullopt = do not retry.
std::optional<std::chrono::milliseconds>
retry_delay(const api_error& response_error, bool replayable, int retries_done,
            int max_retries, std::chrono::milliseconds cap,
            double unit = random_unit());

/// Client-side token bucket (client-go's QPS/burst). Not thread-safe: the
/// client uses it on its own io_context thread only.
class token_bucket {
public:
  using clock = std::chrono::steady_clock;

  /// qps <= 0 disables the limit; burst >= 1.
  token_bucket(double qps, int burst);

  /// Takes one token and returns how long the caller must wait before
  /// using it (zero when a token is available now).
  clock::duration reserve(clock::time_point now);

  bool enabled() const { return qps_ > 0; }

private:
  double qps_;
  double burst_;
  double tokens_;
  clock::time_point last_;
  bool started_ = false;
};

} // namespace kc::k8s
