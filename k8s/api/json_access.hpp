#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace kc::k8s {

/// The object at `key`, or null.
const boost::json::object* obj_at(const boost::json::object& o,
                                  std::string_view key);
boost::json::object* obj_at(boost::json::object& o, std::string_view key);

/// The array at `key`, or null.
const boost::json::array* arr_at(const boost::json::object& o,
                                 std::string_view key);

/// The string at `key`, or "".
std::string str_at(const boost::json::object& o, std::string_view key);

/// The boolean at `key`, or false.
bool bool_at(const boost::json::object& o, std::string_view key);

/// The integer at `key` (signed or unsigned JSON number), or 0.
std::int64_t int_at(const boost::json::object& o, std::string_view key);

} // namespace kc::k8s
