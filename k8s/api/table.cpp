#include "k8s/api/table.hpp"

#include "k8s/api/jsonpath.hpp"
#include "k8s/api/table_support.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace kc::k8s {

namespace json = boost::json;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return s;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string{} : s.substr(b, e - b + 1);
}

std::string number_text(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
    return std::to_string(static_cast<long long>(d));
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc{} ? std::string(buf, p) : std::string();
}

/// cellForJSONValue / the string printing of the CRD table convertor.
json::value custom_cell(const printer_column& c, const json::value* v,
                        std::chrono::system_clock::time_point now) {
  if (!v || v->is_null())
    return nullptr;
  if (c.type == "string") {
    if (v->is_string())
      return v->as_string();
    if (v->is_bool())
      return v->get_bool() ? "true" : "false";
    if (v->is_double())
      return json::value(number_text(v->get_double()));
    return json::value(json::serialize(*v));
  }
  if (c.type == "integer") {
    if (v->is_int64() || v->is_uint64())
      return *v;
    if (v->is_double())
      return static_cast<int64_t>(v->get_double());
    return nullptr;
  }
  if (c.type == "number") {
    if (v->is_number())
      return v->is_double() ? v->get_double() : v->to_number<double>();
    return nullptr;
  }
  if (c.type == "boolean")
    return v->is_bool() ? *v : json::value(nullptr);
  if (c.type == "date" && v->is_string()) {
    auto t = parse_rfc3339(v->as_string());
    if (!t)
      return "<invalid>";
    return json::value(human_duration(
      std::chrono::duration_cast<std::chrono::seconds>(now - *t)));
  }
  return nullptr;
}

json::object column_json(const printer_column& c) {
  return {{"name", c.name},
          {"type", c.type},
          {"format", c.format},
          {"description", c.description},
          {"priority", c.priority}};
}

/// Name + Age for kinds without a printer.
const std::vector<printer_column>& default_columns() {
  static const std::vector<printer_column> cols{
    name_column(),
    {"Age", "date", "", "CreationTimestamp is a timestamp representing the "
                        "server time when this object was created.",
     0, ".metadata.creationTimestamp"}};
  return cols;
}

json::object row_object(const json::object& obj, include_object include) {
  if (include == include_object::object)
    return obj;
  json::object meta;
  if (auto m = obj.if_contains("metadata"); m && m->is_object())
    meta = m->as_object();
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(meta)}};
}

} // namespace

include_object parse_include_object(const std::string& text) {
  if (text == "None")
    return include_object::none;
  if (text == "Object")
    return include_object::object;
  return include_object::metadata;
}

bool wants_table(const std::string& accept) {
  std::size_t start = 0;
  while (start <= accept.size()) {
    auto comma = accept.find(',', start);
    auto range = accept.substr(
      start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? accept.size() + 1 : comma + 1;
    auto semi = range.find(';');
    auto type = lower(trim(range.substr(0, semi)));
    std::string as, g, v, q;
    while (semi != std::string::npos) {
      auto next = range.find(';', semi + 1);
      auto p = range.substr(semi + 1, next == std::string::npos
                                        ? std::string::npos
                                        : next - semi - 1);
      auto eq = p.find('=');
      if (eq != std::string::npos) {
        auto key = lower(trim(p.substr(0, eq)));
        auto val = trim(p.substr(eq + 1));
        if (key == "as")
          as = val;
        else if (key == "g")
          g = val;
        else if (key == "v")
          v = val;
        else if (key == "q")
          q = val;
      }
      semi = next;
    }
    if (q == "0")
      continue;
    if (type != "application/json" && type != "*/*"
        && type != "application/*")
      continue;
    if (as.empty())
      return false;
    if (as == "Table" && g == "meta.k8s.io" && (v == "v1" || v == "v1beta1"))
      return true;
  }
  return false;
}

std::string human_duration(std::chrono::seconds age) {
  auto seconds = age.count();
  auto str = [](long long n, const char* unit) {
    return std::to_string(n) + unit;
  };
  if (seconds < -1)
    return "<invalid>";
  if (seconds < 0)
    return "0s";
  if (seconds < 60 * 2)
    return str(seconds, "s");
  auto minutes = seconds / 60;
  if (minutes < 10) {
    auto s = seconds % 60;
    return s == 0 ? str(minutes, "m") : str(minutes, "m") + str(s, "s");
  }
  if (minutes < 60 * 3)
    return str(minutes, "m");
  auto hours = seconds / 3600;
  if (hours < 8) {
    auto m = minutes % 60;
    return m == 0 ? str(hours, "h") : str(hours, "h") + str(m, "m");
  }
  if (hours < 48)
    return str(hours, "h");
  if (hours < 24 * 8) {
    auto h = hours % 24;
    return h == 0 ? str(hours / 24, "d") : str(hours / 24, "d") + str(h, "h");
  }
  if (hours < 24 * 365 * 2)
    return str(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    auto dy = (hours / 24) % 365;
    return dy == 0 ? str(hours / 24 / 365, "y")
                   : str(hours / 24 / 365, "y") + str(dy, "d");
  }
  return str(hours / 24 / 365, "y");
}

json::object
make_table(const resource_type& type,
           const std::vector<std::shared_ptr<const json::object>>& objects,
           include_object include, bool with_columns,
           const std::string& resource_version,
           std::chrono::system_clock::time_point now) {
  auto builtin = find_builtin_table(type);
  const auto& columns = builtin ? builtin->columns
                        : !type.columns.empty() ? type.columns
                                                : default_columns();
  json::object table{{"kind", "Table"},
                     {"apiVersion", "meta.k8s.io/v1"},
                     {"metadata",
                      json::object{{"resourceVersion", resource_version}}}};
  if (with_columns) {
    json::array defs;
    for (auto& c : columns)
      defs.push_back(column_json(c));
    table["columnDefinitions"] = std::move(defs);
  }
  json::array rows;
  for (auto& ptr : objects) {
    if (!ptr)
      continue;
    auto& obj = *ptr;
    json::array cells;
    try {
      if (builtin) {
        cells = builtin->cells(obj, now);
      } else {
        json::value whole(obj);
        for (auto& c : columns) {
          if (c.format == "name" && c.json_path.empty())
            cells.push_back(json::value(string_at(obj, "metadata.name")));
          else
            cells.push_back(custom_cell(c, eval_jsonpath(whole, c.json_path), now));
        }
      }
    } catch (const std::exception&) {
      cells = json::array{json::value(string_at(obj, "metadata.name"))};
      cells.resize(columns.size());
    }
    json::object row{{"cells", std::move(cells)}};
    if (include != include_object::none)
      row["object"] = row_object(obj, include);
    rows.push_back(std::move(row));
  }
  table["rows"] = std::move(rows);
  return table;
}

} // namespace kc::k8s
