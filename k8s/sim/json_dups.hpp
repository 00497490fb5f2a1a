#pragma once

// Duplicate keys in a JSON text (strict decoding, api:O2). Boost.JSON keeps
// the last duplicate silently, so the raw text is scanned once more.

#include <string>
#include <string_view>
#include <vector>

namespace kc::sim {

/// Dotted paths of keys that occur twice in one object of the valid JSON
/// text `text` (e.g. "data", "metadata.name"), in order of appearance.
std::vector<std::string> duplicate_keys(std::string_view text);

} // namespace kc::sim
