#pragma once

// The transport-neutral request and response of the control plane: the HTTP
// session fills an api_request, the handlers return an api_response.

#include "k8s/api/status.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kc::sim {

class watch_stream;

/// One HTTP request, decoded.
struct api_request {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  std::string accept;
  std::string content_type;
  std::string body;
  /// True once the credentials were accepted (or with insecure HTTP).
  bool authenticated = false;
  /// The (possibly impersonated) user, uid and groups (authn.hpp).
  std::string user;
  std::string uid;
  std::vector<std::string> groups;
  /// Impersonate-* headers: lower-case name, value.
  std::vector<std::pair<std::string, std::string>> impersonate;

  /// The first value of query parameter `name`, or null.
  const std::string* param(std::string_view name) const {
    for (auto& [k, v] : query)
      if (k == name)
        return &v;
    return nullptr;
  }

  /// The value of `name`, or `fallback`.
  std::string param_or(std::string_view name, std::string fallback) const {
    auto p = param(name);
    return p ? *p : fallback;
  }
};

/// One HTTP response: a body, or a watch stream to pump.
struct api_response {
  unsigned code = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Non-null for WATCH: the session streams it instead of `body`.
  std::shared_ptr<watch_stream> watch;
  /// Non-empty for `follow` log streams and similar: plain body then close.
  bool close = false;
};

/// A response carrying a Status (api:S1).
api_response from_status(const k8s::api_status& st);

/// Splits a target into path and decoded query parameters.
void split_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& query);

} // namespace kc::sim
