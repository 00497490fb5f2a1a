#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

namespace kc::k8s {

namespace json = boost::json;

const json::object* obj_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value().if_object() : nullptr;
}

json::object* obj_at(json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value().if_object() : nullptr;
}

const json::array* arr_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() ? it->value().if_array() : nullptr;
}

std::string str_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end())
    return {};
  if (auto s = it->value().if_string())
    return std::string(*s);
  return {};
}

bool bool_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end())
    return false;
  if (auto b = it->value().if_bool())
    return *b;
  return false;
}

std::int64_t int_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end())
    return 0;
  if (auto i = it->value().if_int64())
    return *i;
  if (auto u = it->value().if_uint64())
    return static_cast<std::int64_t>(*u);
  return 0;
}

} // namespace kc::k8s
