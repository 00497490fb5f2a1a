#include "k8s/api/table_support.hpp"

#include "k8s/api/table.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <ctime>

namespace kc::k8s {

namespace json = boost::json;

const json::value* value_at(const json::object& o, std::string_view dotted) {
  const json::object* cur = &o;
  while (cur) {
    auto dot = dotted.find('.');
    auto v = cur->if_contains(dotted.substr(0, dot));
    if (!v || dot == std::string_view::npos)
      return v;
    cur = v->if_object();
    dotted = dotted.substr(dot + 1);
  }
  return nullptr;
}

std::string string_at(const json::object& o, std::string_view dotted) {
  auto v = value_at(o, dotted);
  return v && v->is_string() ? std::string(v->as_string()) : std::string{};
}

int64_t int_at(const json::object& o, std::string_view dotted,
               int64_t fallback) {
  auto v = value_at(o, dotted);
  if (!v)
    return fallback;
  if (v->is_int64())
    return v->get_int64();
  if (v->is_uint64())
    return static_cast<int64_t>(v->get_uint64());
  if (v->is_double())
    return static_cast<int64_t>(v->get_double());
  return fallback;
}

const json::array& array_at(const json::object& o, std::string_view dotted) {
  static const json::array empty;
  auto v = value_at(o, dotted);
  return v && v->is_array() ? v->as_array() : empty;
}

std::optional<std::chrono::system_clock::time_point>
parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-'
      || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':'
      || s[16] != ':')
    return std::nullopt;
  auto num = [&](std::size_t at, std::size_t len, int& out) {
    auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, out);
    return ec == std::errc{} && p == s.data() + at + len;
  };
  std::tm tm{};
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!num(0, 4, year) || !num(5, 2, mon) || !num(8, 2, day)
      || !num(11, 2, hour) || !num(14, 2, min) || !num(17, 2, sec))
    return std::nullopt;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-')
             && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!num(i + 1, 2, oh) || !num(i + 4, 2, om))
      return std::nullopt;
    offset = (s[i] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size() || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23
      || min > 59 || sec > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  auto t = timegm(&tm);
  return std::chrono::system_clock::from_time_t(t - offset);
}

std::string since(const json::object& o, std::string_view dotted,
                  std::chrono::system_clock::time_point now) {
  auto v = value_at(o, dotted);
  if (!v || !v->is_string())
    return "<unknown>";
  auto t = parse_rfc3339(v->as_string());
  if (!t)
    return "<unknown>";
  return human_duration(
    std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

printer_column name_column() {
  return {"Name", "string", "name",
          "Name must be unique within a namespace. Is required when creating "
          "resources, although some resources may allow a client to request "
          "the generation of an appropriate name automatically. Name is "
          "primarily intended for creation idempotence and configuration "
          "definition. Cannot be updated. More info: "
          "https://kubernetes.io/docs/concepts/overview/working-with-objects/"
          "names#names",
          0, ""};
}

} // namespace kc::k8s
