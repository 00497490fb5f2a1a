#pragma once

#include "k8s/api/resource_type.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kc::k8s {

// Helpers shared by table.cpp and builtin_tables.cpp. [added by B]

/// The value at a dotted path ("status.phase"), or null.
const boost::json::value* value_at(const boost::json::object& o,
                                   std::string_view dotted);

/// The string at a dotted path, or "".
std::string string_at(const boost::json::object& o, std::string_view dotted);

/// The integer at a dotted path, or `fallback`.
int64_t int_at(const boost::json::object& o, std::string_view dotted,
               int64_t fallback = 0);

/// The array at a dotted path, or an empty array.
const boost::json::array& array_at(const boost::json::object& o,
                                   std::string_view dotted);

/// Parses an RFC 3339 timestamp (with or without fraction / offset).
std::optional<std::chrono::system_clock::time_point>
parse_rfc3339(std::string_view text);

/// translateTimestampSince: "<unknown>" when missing, else human_duration.
std::string since(const boost::json::object& o, std::string_view dotted,
                  std::chrono::system_clock::time_point now);

/// One built-in's Table columns (always all, priorities as the apiserver
/// reports them) and the cells of one row.
struct builtin_table {
  std::vector<printer_column> columns;
  boost::json::array (*cells)(const boost::json::object& obj,
                              std::chrono::system_clock::time_point now);
};

/// The printer of a built-in kind; null for kinds with the default
/// Name + Age (or CRD) columns.
const builtin_table* find_builtin_table(const resource_type& type);

/// The Name column definition (format "name").
printer_column name_column();

} // namespace kc::k8s
