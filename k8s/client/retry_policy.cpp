#include "k8s/client/retry_policy.hpp"

#include <algorithm>

namespace kc::k8s {

std::optional<std::chrono::milliseconds>
retry_delay(const api_error& e, bool replayable, int retries_done,
            int max_retries, std::chrono::milliseconds cap) {
  if (!replayable || retries_done >= max_retries)
    return std::nullopt;
  if (e.http_status != 429 && e.http_status < 500)
    return std::nullopt;
  if (!e.retry_after)
    return std::nullopt; // client-go: no Retry-After, no retry
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
