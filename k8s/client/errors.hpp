#pragma once

#include "messages/error.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kc::k8s {

/// A typed API error (api:S1/S3): the kubecombo code plus what the server said.
/// `code == kc::ec::no_error` means success.
struct api_error {
  /// kubecombo error code, e.g. kc::ec::not_found.
  kc::ec code = kc::ec::no_error;
  /// HTTP status code; 0 when no response arrived (network, TLS, timeout).
  unsigned http_status = 0;
  /// Status.reason, e.g. "NotFound"; empty for non-Status bodies.
  std::string reason;
  /// Human-readable message (Status.message, the text body, or the cause).
  std::string message;
  /// Retry-After in seconds (header or details.retryAfterSeconds), if any.
  std::optional<int> retry_after;

  /// True when this holds an error.
  explicit operator bool() const { return code != kc::ec::no_error; }

  /// One line for people: "kc::not_found (404 NotFound): configmaps \"x\" not found".
  std::string to_string() const;
};

/// Maps an HTTP status (and Status.reason) to a kubecombo error code.
kc::ec code_for_status(unsigned http_status, std::string_view reason);

/// Builds the typed error of a non-2xx response from its body, JSON Status
/// or not (client-go's newUnstructuredResponseError), and its Retry-After
/// header value (may be empty).
api_error error_from_response(unsigned http_status, std::string_view body,
                              std::string_view retry_after_header);

/// Builds the typed error of a Status object (e.g. a watch ERROR event).
api_error error_from_status(const boost::json::object& status);

/// A non-HTTP failure: network, TLS, timeout or parse error.
api_error make_error(kc::ec code, std::string message);

/// Parses a Retry-After header value in delta-seconds; nullopt if absent or
/// not a non-negative integer.
std::optional<int> parse_retry_after(std::string_view header);

} // namespace kc::k8s
