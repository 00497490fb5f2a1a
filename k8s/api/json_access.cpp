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

} // namespace kc::k8s
