#pragma once

// Base64 (standard and URL-safe) for tokens, caBundles and JSONPatches.

#include <string>
#include <string_view>

namespace kc::sim {

/// Standard base64 with padding.
std::string base64_std_encode(std::string_view in);

/// Standard base64 (padding optional, whitespace ignored); false if invalid.
bool base64_std_decode(std::string_view in, std::string& out);

/// URL-safe base64 without padding (JWT segments).
std::string base64url_encode(std::string_view in);

/// URL-safe base64 (padding optional); false if invalid.
bool base64url_decode(std::string_view in, std::string& out);

} // namespace kc::sim
