#pragma once

// Structured logging on spdlog. One line per event on stderr, either text
//   2026-11-28T16:00:00.123Z INFO  actor=pinger/default/p1 key=default/p1 up
// or, with --log-format json, one JSON object per line
//   {"ts":"2026-11-28T16:00:00.123Z","level":"info","actor":"pinger/default/p1",
//    "msg":"up","key":"default/p1"}
// Use the macros; they test the level before formatting anything:
//   KC_INFO(self->name(), "target up after {} probes", n);
//   KC_DEBUG("admin", {{"key", key}, {"reconcile_id", 17}}, "requeue in {}",
//   d);

#include <spdlog/fmt/fmt.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace kc::telemetry {

enum class log_format { text, json };

/// "text" or "json"; nullopt otherwise.
std::optional<log_format> parse_log_format(std::string_view s);

/// -v N: 0 → info, 1 → debug, 2 and more → trace.
spdlog::level::level_enum level_for_verbosity(int verbosity);

struct log_options {
  log_format format = log_format::text;
  int verbosity = 0;
  /// Where lines go; stderr when null (tests pass an ostream sink).
  spdlog::sink_ptr sink;
};

/// Configures the process logger (and spdlog's default logger, so plain
/// spdlog::info calls get the same format). Call it early, before threads log.
void init_logging(const log_options& opts);

/// One key=value of context; the value is formatted with fmt.
struct log_field {
  template <class T>
  log_field(std::string_view k, const T& v)
    : key(k), value(fmt::format("{}", v)) {}
  std::string_view key;
  std::string value;
};

/// True if a message at `lvl` would be written.
bool log_enabled(spdlog::level::level_enum lvl) noexcept;

/// Writes one event; `msg` is already formatted.
void log_event(spdlog::level::level_enum lvl, std::string_view component,
               std::initializer_list<log_field> fields, std::string_view msg);

/// The component text for a name, or for anything with a `->name()`
/// (an actor pointer: pass `self`).
template <class T>
auto component_name(const T& x) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>)
    return std::string_view{x};
  else
    return std::string{x->name()}; // lives until the end of the log call
}

template <class... Ts>
void log_fmt(spdlog::level::level_enum lvl, std::string_view component,
             std::initializer_list<log_field> fields,
             fmt::format_string<Ts...> f, Ts&&... xs) {
  log_event(lvl, component, fields, fmt::format(f, std::forward<Ts>(xs)...));
}

template <class... Ts>
void log_fmt(spdlog::level::level_enum lvl, std::string_view component,
             fmt::format_string<Ts...> f, Ts&&... xs) {
  log_event(lvl, component, {}, fmt::format(f, std::forward<Ts>(xs)...));
}

} // namespace kc::telemetry

/// KC_LOG(level, component, [{{"k", v}, ...},] "fmt {}", args...)
#define KC_LOG(lvl, component, ...)                                            \
  do {                                                                         \
    if (::kc::telemetry::log_enabled(lvl))                                     \
      ::kc::telemetry::log_fmt(                                                \
          lvl, ::kc::telemetry::component_name(component), __VA_ARGS__);       \
  } while (false)

#define KC_TRACE(component, ...)                                               \
  KC_LOG(::spdlog::level::trace, component, __VA_ARGS__)
#define KC_DEBUG(component, ...)                                               \
  KC_LOG(::spdlog::level::debug, component, __VA_ARGS__)
#define KC_INFO(component, ...)                                                \
  KC_LOG(::spdlog::level::info, component, __VA_ARGS__)
#define KC_WARN(component, ...)                                                \
  KC_LOG(::spdlog::level::warn, component, __VA_ARGS__)
#define KC_ERROR(component, ...)                                               \
  KC_LOG(::spdlog::level::err, component, __VA_ARGS__)
