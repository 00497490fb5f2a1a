#pragma once

// Decoding of Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown)
// for the kinds kubectl's imperative generators create (`kubectl create
// namespace|configmap|secret|serviceaccount|service|deployment`, `kubectl
// run`): typed clients send protobuf, declarative commands send JSON.

#include "k8s/sim/util.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace kc::sim {

/// True if `content_type` is the Kubernetes protobuf media type.
bool is_k8s_protobuf(std::string_view content_type);

/// Decodes `body` into the JSON object it encodes, or returns why not
/// (unknown kind, malformed data). Unknown fields are skipped; zero values
/// are left out, as Go's `omitempty` does for most of them.
std::variant<json::object, std::string> decode_k8s_protobuf(
  std::string_view body);

} // namespace kc::sim
