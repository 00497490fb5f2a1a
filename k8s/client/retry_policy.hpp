#pragma once

#include "k8s/client/errors.hpp"

#include <chrono>
#include <optional>

namespace kc::k8s {

/// api:S3 — client-go's with_retry: a response is retried when it is a 429
/// or a 5xx that carries Retry-After, the request can be replayed and
/// fewer than `max_retries` retries were made. Returns the wait (the
/// Retry-After, capped at `cap`), or nullopt for "do not retry".
std::optional<std::chrono::milliseconds>
retry_delay(const api_error& response_error, bool replayable, int retries_done,
            int max_retries, std::chrono::milliseconds cap);

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
