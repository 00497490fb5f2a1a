#pragma once

// Parsers for the text formats of Debugger and Pinger fields. None of them
// throws: each returns nothing and, through `why`, the reason (up:W6).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kc::k8s::kubecombo {

/// A Kubernetes resource quantity ("500m", "1", "1.5Gi", "2e3") in
/// thousandths of its base unit, rounded up like apimachinery's MilliValue.
/// Fails on bad syntax ("1C"), a negative sign and values above 2^53 milli.
std::optional<int64_t> parse_quantity_milli(std::string_view text,
                                            std::string* why = nullptr);

/// A Go duration made of number+unit pairs ("30s", "1m30s", "250ms"),
/// positive, in milliseconds.
std::optional<int64_t> parse_duration_ms(std::string_view text,
                                         std::string* why = nullptr);

/// A run instant: RFC 3339 ("2026-11-28T16:00:00Z", offsets and fractions
/// allowed) or epoch seconds ("1795881600"), as epoch seconds.
std::optional<int64_t> parse_run_at(std::string_view text,
                                    std::string* why = nullptr);

/// The whitespace-separated fields of a cron expression (views into `text`).
std::vector<std::string_view> cron_fields(std::string_view text);

/// A 5-field cron expression (minute hour day-of-month month day-of-week;
/// '*', lists, ranges, steps, 3-letter month and day names). Returns "" when
/// valid, else the reason.
std::string check_cron(std::string_view text);

/// The kube-ovn rate of qosBandwidth: a positive integer (Mbit/s).
std::string check_bandwidth(std::string_view text);

/// Trims ASCII blanks at both ends.
std::string_view trim(std::string_view s);

} // namespace kc::k8s::kubecombo
