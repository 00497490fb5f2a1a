#include "k8s/api/schema_walker.hpp"

#include "k8s/api/builtin_schemas.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <map>
// GCC 12 reports a false -Wmaybe-uninitialized inside <regex> under
// -fsanitize; silence it for the header only (remove with GCC >= 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

namespace kc::k8s {

namespace json = boost::json;

namespace {

/// Longest string a `pattern` is applied to (std::regex recurses per
/// character; longer values are not pattern-checked).
constexpr std::size_t max_pattern_input = 8192;

/// Maximum nesting the walker follows (hostile deep documents).
constexpr int max_depth = 128;

std::string number_text(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
    return std::to_string(static_cast<long long>(d));
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc{} ? std::string(buf, p) : std::string("NaN");
}

std::string type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "null";
}

bool type_ok(const json::value& v, std::string_view type) {
  if (type == "object")
    return v.is_object();
  if (type == "array")
    return v.is_array();
  if (type == "string")
    return v.is_string();
  if (type == "boolean")
    return v.is_bool();
  if (type == "integer")
    return v.is_int64() || v.is_uint64();
  if (type == "number")
    return v.is_number();
  return true;
}

double as_double(const json::value& v) {
  if (v.is_int64())
    return static_cast<double>(v.get_int64());
  if (v.is_uint64())
    return static_cast<double>(v.get_uint64());
  if (v.is_double())
    return v.get_double();
  return 0;
}

bool flag(const json::object& s, std::string_view key) {
  auto v = s.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

/// Compiled patterns, bounded cache. Null if the pattern does not compile.
const std::regex* compiled(const std::string& pattern) {
  static thread_local std::map<std::string, std::unique_ptr<std::regex>> cache;
  if (auto it = cache.find(pattern); it != cache.end())
    return it->second.get();
  if (cache.size() > 256)
    cache.clear();
  std::unique_ptr<std::regex> re;
  try {
    re = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
  }
  return cache.emplace(pattern, std::move(re)).first->second.get();
}

struct walker {
  bool full;
  validation_result& out;

  void invalid(const std::string& path, const json::value& v,
               const std::string& detail, const char* reason
                                          = "FieldValueInvalid") {
    out.errors.push_back(
      {reason, path, "Invalid value: " + format_value(v) + ": " + detail});
  }

  static std::string child(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  void walk(json::value& v, const json::object* s, const std::string& path,
            int depth) {
    s = resolve_schema_ref(s);
    if (!s || depth > max_depth)
      return;
    if (v.is_null()) {
      if (full && !flag(*s, "nullable") && s->if_contains("type"))
        check_type(v, *s, path);
      return;
    }
    if (flag(*s, "x-kubernetes-int-or-string")) {
      if (!full && !v.is_int64() && !v.is_uint64() && !v.is_string())
        out.decode_errors.push_back(
          {go_path(path), json_type(v), "intstr.IntOrString"});
      if (full && !v.is_int64() && !v.is_uint64() && !v.is_string())
        invalid(path, json::string(type_name(v)),
                path + " in body must be of type integer-or-string: \""
                  + type_name(v) + "\"",
                "FieldValueTypeInvalid");
      if (full)
        check_scalar(v, *s, path);
      return;
    }
    if (full && !check_type(v, *s, path))
      return;
    if (!full && !decodable(v, *s, path))
      return;
    if (full)
      check_scalar(v, *s, path);
    if (auto o = v.if_object())
      walk_object(*o, *s, path, depth);
    else if (auto a = v.if_array())
      walk_array(*a, *s, path, depth);
  }

  /// Built-ins: the JSON type check a Go decoder makes (nulls decode to
  /// zero values; integers must be whole).
  bool decodable(const json::value& v, const json::object& s,
                 const std::string& path) {
    auto t = s.if_contains("type");
    if (!t || !t->is_string() || type_ok(v, t->as_string()))
      return true;
    out.decode_errors.push_back({go_path(path), json_type(v), go_type(s)});
    return false;
  }

  static std::string go_path(const std::string& path) {
    std::string out;
    int depth = 0;
    for (char c : path) {
      depth += c == '[' ? 1 : c == ']' ? -1 : 0;
      if (depth == 0 && c != ']')
        out += c;
    }
    return out;
  }

  static std::string json_type(const json::value& v) {
    switch (v.kind()) {
      case json::kind::bool_: return "bool";
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_: return "number";
      case json::kind::string: return "string";
      case json::kind::array: return "array";
      default: return "object";
    }
  }

  static std::string go_type(const json::object& s) {
    auto t = s.if_contains("type");
    std::string_view type = t && t->is_string() ? std::string_view(t->as_string())
                                                  : std::string_view();
    if (type == "integer")
      return "int64";
    if (type == "number")
      return "float64";
    if (type == "boolean")
      return "bool";
    if (type == "string")
      return "string";
    if (type == "array") {
      auto items = s.if_contains("items");
      auto is = items && items->is_object()
                  ? resolve_schema_ref(&items->as_object())
                  : nullptr;
      return "[]" + (is ? go_type(*is) : std::string("interface {}"));
    }
    auto ap = s.if_contains("additionalProperties");
    if (ap && ap->is_object()) {
      auto as = resolve_schema_ref(&ap->as_object());
      return "map[string]" + (as ? go_type(*as) : std::string("string"));
    }
    return "struct";
  }

  bool check_type(const json::value& v, const json::object& s,
                  const std::string& path) {
    auto t = s.if_contains("type");
    if (!t || !t->is_string() || type_ok(v, t->as_string()))
      return true;
    auto have = type_name(v);
    invalid(path, json::string(have),
            path + " in body must be of type " + std::string(t->as_string())
              + ": \"" + have + "\"",
            "FieldValueTypeInvalid");
    return false;
  }

  void check_scalar(const json::value& v, const json::object& s,
                    const std::string& path) {
    if (auto e = s.if_contains("enum"); e && e->is_array()) {
      bool found = false;
      std::string supported;
      for (auto& x : e->as_array()) {
        found = found || x == v;
        auto text = x.is_string() ? std::string(x.as_string()) : format_value(x);
        supported += (supported.empty() ? "" : ", ") + ("\"" + text + "\"");
      }
      if (!found)
        out.errors.push_back({"FieldValueNotSupported", path,
                              "Unsupported value: " + format_value(v)
                                + ": supported values: " + supported});
    }
    if (v.is_number())
      check_bounds(v, s, path);
    if (auto str = v.if_string())
      check_string(*str, v, s, path);
    if (auto arr = v.if_array()) {
      if (auto m = s.if_contains("minItems"); m && m->is_number()
                                              && arr->size() < as_double(*m))
        invalid(path, v,
                path + " in body should have at least " + format_value(*m)
                  + " items");
      if (auto m = s.if_contains("maxItems"); m && m->is_number()
                                              && arr->size() > as_double(*m))
        out.errors.push_back({"FieldValueTooMany", path,
                              "Too many: " + std::to_string(arr->size())
                                + ": must have at most " + format_value(*m)
                                + " items"});
    }
  }

  void check_bounds(const json::value& v, const json::object& s,
                    const std::string& path) {
    double d = as_double(v);
    if (auto m = s.if_contains("minimum"); m && m->is_number()) {
      bool ex = flag(s, "exclusiveMinimum");
      if (ex ? d <= as_double(*m) : d < as_double(*m))
        invalid(path, v,
                path + " in body should be greater than "
                  + (ex ? "" : "or equal to ") + format_value(*m));
    }
    if (auto m = s.if_contains("maximum"); m && m->is_number()) {
      bool ex = flag(s, "exclusiveMaximum");
      if (ex ? d >= as_double(*m) : d > as_double(*m))
        invalid(path, v,
                path + " in body should be less than "
                  + (ex ? "" : "or equal to ") + format_value(*m));
    }
  }

  /// Length in characters (UTF-8 code points), as kube-openapi counts.
  static std::size_t runes(const json::string& str) {
    std::size_t n = 0;
    for (unsigned char c : str)
      n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
  }

  void check_string(const json::string& str, const json::value& v,
                    const json::object& s, const std::string& path) {
    auto length = runes(str);
    if (auto m = s.if_contains("maxLength"); m && m->is_number()
                                             && length > as_double(*m)) {
      auto n = format_value(*m);
      out.errors.push_back({"FieldValueTooLong", path,
                            "Too long: may not be more than " + n
                              + (n == "1" ? " byte" : " bytes")});
    }
    if (auto m = s.if_contains("minLength"); m && m->is_number()
                                             && length < as_double(*m))
      invalid(path, v,
              path + " in body should be at least " + format_value(*m)
                + " chars long");
    auto p = s.if_contains("pattern");
    if (p && p->is_string() && str.size() <= max_pattern_input) {
      std::string pattern(p->as_string());
      auto re = compiled(pattern);
      if (re && !std::regex_search(str.begin(), str.end(), *re))
        invalid(path, v, path + " in body should match '" + pattern + "'");
    }
  }

  void walk_object(json::object& o, const json::object& s,
                   const std::string& path, int depth) {
    auto props_v = s.if_contains("properties");
    auto props = props_v ? props_v->if_object() : nullptr;
    auto addl = s.if_contains("additionalProperties");
    bool preserve = flag(s, "x-kubernetes-preserve-unknown-fields");
    bool embedded = flag(s, "x-kubernetes-embedded-resource");
    if (full && props)
      apply_defaults(o, *props);
    std::vector<std::string> prune;
    for (auto& [k, val] : o) {
      auto key = std::string(k);
      const json::value* ps = props ? props->if_contains(k) : nullptr;
      if (ps && ps->is_object()) {
        walk(val, &ps->as_object(), child(path, key), depth + 1);
      } else if (embedded
                 && (key == "apiVersion" || key == "kind"
                     || key == "metadata")) {
        if (key == "metadata")
          walk(val, &builtin_schemas()
                       .at("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
                       .as_object(),
               child(path, key), depth + 1);
      } else if (addl && addl->is_object()) {
        walk(val, &addl->as_object(), child(path, key), depth + 1);
      } else if (!preserve && !(addl && addl->is_bool() && addl->get_bool())) {
        prune.push_back(key);
      }
    }
    for (auto& k : prune) {
      out.unknown_fields.push_back(child(path, k));
      o.erase(k);
    }
    if (full)
      if (auto req = s.if_contains("required"); req && req->is_array())
        for (auto& r : req->as_array())
          if (auto name = r.if_string(); name && !o.contains(*name))
            out.errors.push_back({"FieldValueRequired",
                                  child(path, *name), "Required value"});
  }

  void apply_defaults(json::object& o, const json::object& props) {
    for (auto& [k, ps] : props) {
      auto pso = ps.if_object();
      if (!pso)
        continue;
      auto def = pso->if_contains("default");
      if (!def)
        continue;
      auto cur = o.if_contains(k);
      if (!cur || (cur->is_null() && !flag(*pso, "nullable")))
        o[k] = *def;
    }
  }

  void walk_array(json::array& a, const json::object& s,
                  const std::string& path, int depth) {
    auto items = s.if_contains("items");
    if (!items || !items->is_object())
      return;
    for (std::size_t i = 0; i < a.size(); ++i)
      walk(a[i], &items->as_object(), path + "[" + std::to_string(i) + "]",
           depth + 1);
  }
};

} // namespace

std::string format_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return json::serialize(v);
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::double_: return number_text(v.get_double());
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::null: return "null";
    default: return "\"" + type_name(v) + "\"";
  }
}

void walk_schema(json::value& value, const json::object& schema,
                 const std::string& path, bool full, validation_result& out) {
  walker w{full, out};
  w.walk(value, &schema, path, 0);
}

} // namespace kc::k8s
