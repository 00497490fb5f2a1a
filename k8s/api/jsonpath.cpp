#include "k8s/api/jsonpath.hpp"

#include <charconv>
#include <optional>
#include <string>

namespace kc::k8s {

namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string_view{}
                                     : s.substr(b, e - b + 1);
}

/// Index of the ']' closing the '[' at `open`, skipping quoted text and
/// nested parentheses; npos if unbalanced.
std::size_t closing_bracket(std::string_view p, std::size_t open) {
  char quote = 0;
  int depth = 0;
  for (auto i = open + 1; i < p.size(); ++i) {
    char c = p[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ']' && depth <= 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

bool quoted(std::string_view s) {
  return s.size() >= 2 && (s.front() == '\'' || s.front() == '"')
         && s.back() == s.front();
}

/// Parses a filter literal: 'x' / "x" / number / true / false / null.
std::optional<json::value> literal(std::string_view s) {
  s = trim(s);
  if (quoted(s))
    return json::value(json::string(s.substr(1, s.size() - 2)));
  if (s == "true" || s == "false")
    return json::value(s == "true");
  if (s == "null")
    return json::value(nullptr);
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return json::value(d);
}

bool same(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number())
    return a.to_number<double>() == b.to_number<double>();
  return a == b;
}

const json::value* eval(const json::value* cur, std::string_view p);

/// `[?(@.f OP lit)]` on one element: true if it is selected.
bool selected(const json::value& elem, std::string_view expr) {
  expr = trim(expr);
  if (expr.size() < 2 || expr.front() != '(' || expr.back() != ')')
    return false;
  expr = trim(expr.substr(1, expr.size() - 2));
  if (expr.empty() || expr.front() != '@')
    return false;
  auto op = std::string_view::npos;
  bool equal = true;
  for (auto i = std::size_t{1}; i + 1 < expr.size(); ++i) {
    if ((expr[i] == '=' || expr[i] == '!') && expr[i + 1] == '=') {
      op = i;
      equal = expr[i] == '=';
      break;
    }
    if (expr[i] == '\'' || expr[i] == '"')
      break; // no operator before a literal
  }
  auto lhs = eval(&elem, trim(expr.substr(1, op == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : op - 1)));
  if (op == std::string_view::npos)
    return lhs != nullptr;
  auto rhs = literal(expr.substr(op + 2));
  if (!rhs)
    return false;
  bool eq = lhs && same(*lhs, *rhs);
  return equal ? eq : (lhs && !eq);
}

const json::value* eval(const json::value* cur, std::string_view p) {
  std::size_t i = 0;
  while (cur && i < p.size()) {
    if (p[i] == '.') {
      ++i;
      std::string key;
      while (i < p.size() && p[i] != '.' && p[i] != '[') {
        if (p[i] == '\\' && i + 1 < p.size())
          ++i;
        key += p[i++];
      }
      if (key.empty())
        continue;
      auto o = cur->if_object();
      cur = o ? o->if_contains(key) : nullptr;
      continue;
    }
    if (p[i] != '[')
      return nullptr;
    auto close = closing_bracket(p, i);
    if (close == std::string_view::npos)
      return nullptr;
    auto inner = trim(p.substr(i + 1, close - i - 1));
    i = close + 1;
    if (quoted(inner)) {
      auto o = cur->if_object();
      cur = o ? o->if_contains(inner.substr(1, inner.size() - 2)) : nullptr;
      continue;
    }
    auto a = cur->if_array();
    if (!a)
      return nullptr;
    if (!inner.empty() && inner.front() == '?') {
      // The first matching element for which the rest of the path exists.
      for (auto& elem : *a)
        if (selected(elem, inner.substr(1)))
          if (auto v = eval(&elem, p.substr(i)))
            return v;
      return nullptr;
    }
    long long idx = 0;
    auto [q, ec]
        = std::from_chars(inner.data(), inner.data() + inner.size(), idx);
    if (ec != std::errc{} || q != inner.data() + inner.size())
      return nullptr;
    if (idx < 0)
      idx += static_cast<long long>(a->size());
    cur = idx >= 0 && static_cast<std::size_t>(idx) < a->size()
              ? &(*a)[static_cast<std::size_t>(idx)]
              : nullptr;
  }
  return cur;
}

} // namespace

const json::value* eval_jsonpath(const json::value& root,
                                 std::string_view path) {
  path = trim(path);
  if (path.size() >= 2 && path.front() == '{' && path.back() == '}')
    path = trim(path.substr(1, path.size() - 2));
  if (!path.empty() && path.front() == '$')
    path.remove_prefix(1);
  return eval(&root, path);
}

} // namespace kc::k8s
