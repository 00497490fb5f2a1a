#include "actors/runtime/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace kc::runtime {

caf::timespan backoff_delay(const backoff_policy& p, uint32_t failures,
                            double unit_random) {
  if (failures == 0)
    return caf::timespan{0};
  auto max = static_cast<double>(p.max.count());
  // Exponent capped so that pow() never overflows.
  auto exponent = std::min<double>(failures - 1, 200.0);
  auto base = static_cast<double>(p.initial.count())
              * std::pow(std::max(p.factor, 1.0), exponent);
  base = std::min(base, max);
  auto jitter = std::clamp(unit_random, 0.0, 1.0) * std::max(p.jitter, 0.0);
  auto total = std::min(base * (1.0 + jitter), max);
  return caf::timespan{static_cast<caf::timespan::rep>(total)};
}

} // namespace kc::runtime
