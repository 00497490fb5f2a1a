#pragma once

// Patch documents: RFC 7386 JSON merge patch, RFC 6902 JSON patch, and a
// strategic merge patch that merges the lists kubectl merges by key.

#include "k8s/sim/util.hpp"

#include <optional>
#include <string>

namespace kc::sim {

/// Applies a JSON merge patch to `target` (null deletes).
void merge_patch(json::value& target, const json::value& patch);

/// Applies a strategic merge patch: like a merge patch, but lists of
/// objects with a known merge key (name, containerPort, type, ...) are
/// merged by that key; `$patch: delete|replace` directives are honoured.
void strategic_merge_patch(json::value& target, const json::value& patch);

/// Applies a JSON patch; returns an error message on failure.
std::optional<std::string> json_patch(json::value& target,
                                      const json::value& patch);

} // namespace kc::sim
