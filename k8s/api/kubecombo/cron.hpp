#pragma once

// 5-field cron schedules evaluated in UTC (minute hour day-of-month month
// day-of-week; '*', lists, ranges, steps, 3-letter names; Vixie-cron day
// rule: when both day fields are restricted, either may match). The syntax
// is checked by check_cron (formats.hpp); this file finds fire instants.

#include <cstdint>
#include <optional>
#include <string_view>

namespace kc::k8s::kubecombo {

/// The first fire instant strictly after `after` (epoch seconds), searched
/// up to ~5 years ahead; nullopt when the expression is invalid or never
/// fires in that span (e.g. "0 0 30 2 *").
std::optional<int64_t> next_cron(std::string_view expr, int64_t after);

/// The latest fire instant in (`after`, `until`], looking back at most
/// `window` seconds from `until`; nullopt when there is none.
std::optional<int64_t> last_cron_in(std::string_view expr, int64_t after,
                                    int64_t until, int64_t window = 86400);

} // namespace kc::k8s::kubecombo
