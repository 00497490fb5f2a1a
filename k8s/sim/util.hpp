#pragma once

#include "k8s/api/json_access.hpp"

// Small helpers shared by the control plane: time stamps, ids, JSON access.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kc::sim {

namespace json = boost::json;

/// metav1.Time of `t`: RFC 3339, whole seconds, UTC (api:C8).
std::string rfc3339(std::chrono::system_clock::time_point t);

/// metav1.Time of now.
std::string now_rfc3339();

/// metav1.MicroTime of now: exactly 6 fractional digits (api:C8).
std::string now_micro();

/// Parses an RFC 3339 time (with or without fraction); epoch on failure.
std::chrono::system_clock::time_point parse_rfc3339(std::string_view text);

/// A random RFC 4122 version 4 UUID.
std::string random_uuid();

/// `n` random characters from the generateName alphabet (api:C1).
std::string random_suffix(std::size_t n);

/// `n` random lowercase hex characters.
std::string random_hex(std::size_t n);

// JSON accessors shared with the API library (k8s/api/json_access.hpp).
using k8s::obj_at;
using k8s::str_at;

/// metadata.<key> as a string, or "".
std::string meta_str(const json::object& o, std::string_view key);

/// The metadata object, created if missing.
json::object& metadata_of(json::object& o);

/// Parses a decimal uint64 (resourceVersion); false if not a number.
bool parse_u64(std::string_view text, uint64_t& out);

/// Parses a boolean like Go's strconv.ParseBool; false if invalid.
bool parse_go_bool(std::string_view text, bool& out);

/// The non-empty segments of a URL path ("/a//b/" → {"a", "b"}).
std::vector<std::string> split_path(const std::string& path);

/// True if the string array `key` of `o` contains `v` or "*" (RBAC and
/// admission rules).
bool array_allows(const json::object& o, std::string_view key,
                  const std::string& v);

} // namespace kc::sim
