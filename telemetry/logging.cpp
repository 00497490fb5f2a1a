// Structured logging: text (logfmt-like) or JSON lines, on spdlog.

#include "telemetry/logging.hpp"

#include "telemetry/exposition.hpp"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <chrono>
#include <ctime>

namespace kc::telemetry {

namespace {

constexpr const char* kc_logger_name = "kc";

std::atomic<log_format> current_format{log_format::text};

std::string_view level_text(spdlog::level::level_enum lvl) {
  switch (lvl) {
    case spdlog::level::trace:
      return "TRACE";
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO ";
    case spdlog::level::warn:
      return "WARN ";
    case spdlog::level::err:
      return "ERROR";
    case spdlog::level::critical:
      return "FATAL";
    default:
      return "OFF  ";
  }
}

std::string_view level_json(spdlog::level::level_enum lvl) {
  switch (lvl) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "fatal";
    default:
      return "off";
  }
}

void append_timestamp(spdlog::memory_buf_t& out,
                      spdlog::log_clock::time_point t) {
  using namespace std::chrono;
  auto since = t.time_since_epoch();
  auto secs = duration_cast<seconds>(since);
  auto millis = duration_cast<milliseconds>(since - secs).count();
  std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  fmt::format_to(std::back_inserter(out),
                 "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, millis);
}

/// A JSON string literal with quotes; ill-formed UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view raw) {
  auto s
      = detail::valid_utf8(raw) ? std::string{raw} : detail::sanitize_utf8(raw);
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          fmt::format_to(std::back_inserter(out), "\\u{:04x}",
                         static_cast<unsigned>(c));
        else
          out.push_back(c);
    }
  }
  out.push_back('"');
}

/// A text value: bare if it is a plain token, otherwise quoted and escaped.
void append_text_value(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\\'
        || static_cast<unsigned char>(c) < 0x20)
      plain = false;
  if (plain)
    out.append(v);
  else
    append_json_string(out, v);
}

/// The message on one line: newlines become "\n".
void append_text_message(std::string& out, std::string_view msg) {
  for (char c : msg) {
    if (c == '\n')
      out.append("\\n");
    else if (c == '\r')
      out.append("\\r");
    else
      out.push_back(c);
  }
}

/// Everything but the timestamp and level, rendered in the current format.
std::string render_body(log_format format, std::string_view component,
                        std::initializer_list<log_field> fields,
                        std::string_view msg) {
  std::string out;
  out.reserve(64 + msg.size());
  if (format == log_format::json) {
    out.append("\"actor\":");
    append_json_string(out, component);
    out.append(",\"msg\":");
    append_json_string(out, msg);
    for (const auto& f : fields) {
      out.push_back(',');
      append_json_string(out, f.key);
      out.push_back(':');
      append_json_string(out, f.value);
    }
  } else {
    out.append("actor=");
    append_text_value(out, component);
    for (const auto& f : fields) {
      out.push_back(' ');
      out.append(f.key).push_back('=');
      append_text_value(out, f.value);
    }
    out.push_back(' ');
    append_text_message(out, msg);
  }
  return out;
}

/// Adds timestamp and level. Lines from our logger arrive with a rendered
/// body; lines from any other spdlog logger are rendered here, with the
/// logger's name as the component.
class line_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    auto format = current_format.load(std::memory_order_relaxed);
    std::string_view name{msg.logger_name.data(), msg.logger_name.size()};
    std::string_view payload{msg.payload.data(), msg.payload.size()};
    std::string body;
    if (name != kc_logger_name) {
      body = render_body(format, name.empty() ? "-" : name, {}, payload);
      payload = body;
    }
    if (format == log_format::json) {
      dest.append(std::string_view{"{\"ts\":\""});
      append_timestamp(dest, msg.time);
      dest.append(std::string_view{"\",\"level\":\""});
      dest.append(level_json(msg.level));
      dest.append(std::string_view{"\","});
      dest.append(payload);
      dest.append(std::string_view{"}\n"});
    } else {
      append_timestamp(dest, msg.time);
      dest.push_back(' ');
      dest.append(level_text(msg.level));
      dest.push_back(' ');
      dest.append(payload);
      dest.push_back('\n');
    }
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<line_formatter>();
  }
};

std::shared_ptr<spdlog::logger>& kc_logger() {
  static auto instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(std::make_unique<line_formatter>());
    auto result = std::make_shared<spdlog::logger>(kc_logger_name, sink);
    result->set_level(spdlog::level::info);
    return result;
  }();
  return instance;
}

} // namespace

std::optional<log_format> parse_log_format(std::string_view s) {
  if (s == "text")
    return log_format::text;
  if (s == "json")
    return log_format::json;
  return std::nullopt;
}

spdlog::level::level_enum level_for_verbosity(int verbosity) {
  if (verbosity <= 0)
    return spdlog::level::info;
  if (verbosity == 1)
    return spdlog::level::debug;
  return spdlog::level::trace;
}

void init_logging(const log_options& opts) {
  current_format.store(opts.format);
  auto sink = opts.sink ? opts.sink
                        : std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<line_formatter>());
  sink->set_level(spdlog::level::trace);
  auto level = level_for_verbosity(opts.verbosity);
  auto& logger = kc_logger();
  logger->sinks().assign({sink});
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  // Plain spdlog::info(...) calls elsewhere: same sink, same format.
  auto fallback = std::make_shared<spdlog::logger>("", sink);
  fallback->set_level(level);
  spdlog::set_default_logger(fallback);
}

bool log_enabled(spdlog::level::level_enum lvl) noexcept {
  return kc_logger()->should_log(lvl);
}

void log_event(spdlog::level::level_enum lvl, std::string_view component,
               std::initializer_list<log_field> fields, std::string_view msg) {
  auto body = render_body(current_format.load(std::memory_order_relaxed),
                          component, fields, msg);
  kc_logger()->log(lvl, spdlog::string_view_t{body.data(), body.size()});
}

} // namespace kc::telemetry
