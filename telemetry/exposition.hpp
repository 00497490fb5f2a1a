#pragma once

// Building blocks of the Prometheus text format 0.0.4, shared by the
// registry's families. Internal to kc_telemetry (and its tests).

#include "telemetry/metrics.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kc::telemetry::detail {

/// Appends `v` as Prometheus parses it: shortest round-trip form, `+Inf`,
/// `-Inf`, `NaN`.
void append_value(std::string& out, double v);
void append_value(std::string& out, uint64_t v);

/// Escapes `\`, `"` and newline (label values).
void append_label_value(std::string& out, std::string_view v);

/// Escapes `\` and newline (HELP text).
void append_help(std::string& out, std::string_view v);

/// `# HELP name help\n# TYPE name type\n`.
void append_header(std::string& out, std::string_view name,
                   std::string_view help, metric_type type);

/// `a="x",b="y"` (no braces); empty when there are no labels.
std::string label_pairs(const std::vector<std::string>& names,
                        const std::vector<std::string>& values);

/// `name{pairs} value\n`, or `name value\n` without labels.
template <class Value>
void append_sample(std::string& out, std::string_view name,
                   std::string_view suffix, std::string_view pairs,
                   Value value) {
  out.append(name).append(suffix);
  if (!pairs.empty())
    out.append("{").append(pairs).append("}");
  out.push_back(' ');
  append_value(out, value);
  out.push_back('\n');
}

/// True if `s` is well-formed UTF-8.
bool valid_utf8(std::string_view s);
/// `s` with each ill-formed byte replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

} // namespace kc::telemetry::detail
