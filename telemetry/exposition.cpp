// Prometheus text format 0.0.4: value formatting, escaping, UTF-8 checks.

#include "telemetry/exposition.hpp"

#include <charconv>
#include <cmath>

namespace kc::telemetry::detail {

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
  } else if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    // Whole numbers print as integers ("1000000", not "1e+06").
    char buf[24];
    auto [end, ec]
        = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v));
    out.append(buf, ec == std::errc{} ? end : buf);
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, ec == std::errc{} ? end : buf);
  }
}

void append_value(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, ec == std::errc{} ? end : buf);
}

void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
}

void append_help(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out.append("\\\\");
    else if (c == '\n')
      out.append("\\n");
    else
      out.push_back(c);
  }
}

void append_header(std::string& out, std::string_view name,
                   std::string_view help, metric_type type) {
  out.append("# HELP ").append(name).push_back(' ');
  append_help(out, help);
  out.append("\n# TYPE ").append(name).push_back(' ');
  switch (type) {
    case metric_type::counter:
      out.append("counter\n");
      break;
    case metric_type::gauge:
      out.append("gauge\n");
      break;
    case metric_type::histogram:
      out.append("histogram\n");
      break;
  }
}

std::string label_pairs(const std::vector<std::string>& names,
                        const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0)
      out.push_back(',');
    out.append(names[i]).append("=\"");
    append_label_value(out, values[i]);
    out.push_back('"');
  }
  return out;
}

namespace {

/// Length of the well-formed UTF-8 sequence at s[i], or 0 if ill-formed.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) {
    return static_cast<unsigned char>(s[k]);
  };
  auto cont = [&](std::size_t k) {
    return k < s.size() && (b(k) & 0xC0) == 0x80;
  };
  unsigned char c = b(i);
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2))
      return 0;
    if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F))
      return 0; // overlong or surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3))
      return 0;
    if ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F))
      return 0; // overlong or beyond U+10FFFF
    return 4;
  }
  return 0;
}

} // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto n = utf8_sequence(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto n = utf8_sequence(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

} // namespace kc::telemetry::detail
