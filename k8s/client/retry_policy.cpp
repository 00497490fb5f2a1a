#include "k8s/client/retry_policy.hpp"

#include <algorithm>
#include <cstdint>
#include <random>

namespace kc::k8s {

double random_unit() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>{0.0, 1.0}(rng);
}

std::chrono::milliseconds retry_backoff(int retries_done,
                                        std::chrono::milliseconds cap,
                                        double unit) {
  using std::chrono::milliseconds;
  auto step = milliseconds{200 * (int64_t{1} << std::clamp(retries_done, 0, 16))};
  step = std::min({step, milliseconds{10'000}, cap});
  unit = std::clamp(unit, 0.0, 1.0);
  return milliseconds{
    static_cast<milliseconds::rep>(step.count() * (0.5 + unit / 2))};
}

std::optional<std::chrono::milliseconds>
retry_delay(const api_error& e, bool replayable, int retries_done,
            int max_retries, std::chrono::milliseconds cap, double unit) {
  if (!replayable || retries_done >= max_retries)
    return std::nullopt;
  if (e.http_status != 429 && e.http_status < 500)
    return std::nullopt;
  if (!e.retry_after) {
    // client-go retries only with Retry-After. A 429 is a rejection before
    // any work, so it is safe to replay: back off with jitter (ADR 0033).
    if (e.http_status == 429)
      return retry_backoff(retries_done, cap, unit);
    return std::nullopt; // a 5xx may have been applied: no retry
  }
  auto wait = std::chrono::milliseconds(std::chrono::seconds(*e.retry_after));
  return std::min(wait, cap);
}

token_bucket::token_bucket(double qps, int burst)
  : qps_(qps), burst_(std::max(1, burst)), tokens_(std::max(1, burst)) {
}

token_bucket::clock::duration token_bucket::reserve(clock::time_point now) {
  if (qps_ <= 0)
    return clock::duration::zero();
  if (!started_) {
    started_ = true;
    last_ = now;
  }
  if (now > last_) {
    std::chrono::duration<double> dt = now - last_;
    tokens_ = std::min(burst_, tokens_ + dt.count() * qps_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0)
    return clock::duration::zero();
  std::chrono::duration<double> wait(-tokens_ / qps_);
  return std::chrono::duration_cast<clock::duration>(wait);
}

} // namespace kc::k8s
