#pragma once

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <cstdint>
#include <string>

namespace kc {

/// The error codes of kubecombo. Rendered as `kc::<name>` by render_error.
enum class ec : uint8_t {
  /// Not an error.
  no_error = 0,
  /// An unspecified failure; the context says more.
  unspecified,
  /// A flag, file or field has an invalid value.
  invalid_argument,
  /// A configuration file could not be parsed.
  invalid_configuration,
  /// The object was not found (HTTP 404).
  not_found,
  /// The object already exists (HTTP 409 AlreadyExists).
  already_exists,
  /// The object changed meanwhile (HTTP 409 Conflict); requeue silently.
  conflict,
  /// The requested resource version is too old (HTTP 410).
  expired,
  /// The server refused the credentials (HTTP 401).
  unauthorized,
  /// The server refused the operation (HTTP 403).
  forbidden,
  /// The object failed validation (HTTP 422).
  invalid,
  /// The server asked to slow down (HTTP 429).
  too_many_requests,
  /// The server failed (HTTP 5xx).
  server_error,
  /// A network or TLS failure.
  network_error,
  /// A watch line exceeded the maximum line length.
  watch_line_too_long,
  /// A JSON document could not be decoded.
  parse_error,
  /// An operation did not finish in time.
  timeout,
  /// The system lacks a capability (for example CAP_NET_RAW).
  missing_capability,
};

/// Returns the name of an error code, e.g. "conflict".
const char* to_string(ec x);

/// Renders a kubecombo error for people: `kc::conflict ("ctx", ...)`.
std::string render_error(uint8_t code, const caf::message& context);

} // namespace kc

CAF_ERROR_CODE_ENUM(kc::ec, "kc")
