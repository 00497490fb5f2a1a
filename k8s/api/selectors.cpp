#include "k8s/api/selectors.hpp"

#include "k8s/api/name_rules.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>

namespace kc::k8s {

namespace json = boost::json;

// -- label selectors (apimachinery pkg/labels/selector.go) -------------------

namespace {

enum class tok {
  end,
  closed_par,
  comma,
  not_exists,
  double_equals,
  equals,
  greater,
  identifier,
  in,
  less,
  not_equals,
  not_in,
  open_par,
};

struct item {
  tok t;
  std::string lit;
};

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>'
         || c == '<';
}

bool keyword(const std::string& s, tok& t) {
  static const std::pair<const char*, tok> table[]
    = {{")", tok::closed_par}, {",", tok::comma},      {"!", tok::not_exists},
       {"==", tok::double_equals}, {"=", tok::equals}, {">", tok::greater},
       {"in", tok::in},         {"<", tok::less},      {"!=", tok::not_equals},
       {"notin", tok::not_in},  {"(", tok::open_par}};
  for (auto& [k, v] : table)
    if (s == k) {
      t = v;
      return true;
    }
  return false;
}

std::vector<item> lex(const std::string& s) {
  std::vector<item> out;
  std::size_t pos = 0;
  while (true) {
    while (pos < s.size() && is_ws(s[pos]))
      ++pos;
    if (pos >= s.size() || s[pos] == '\0') {
      out.push_back({tok::end, ""});
      return out;
    }
    std::string buf;
    tok t = tok::identifier;
    if (is_special(s[pos])) {
      // Longest special-symbol sequence that still forms a token.
      std::string last;
      tok last_t = tok::end;
      while (pos < s.size() && is_special(s[pos])) {
        buf += s[pos];
        tok k;
        if (keyword(buf, k)) {
          last = buf;
          last_t = k;
          ++pos;
        } else {
          break;
        }
      }
      out.push_back({last_t, last});
      continue;
    }
    while (pos < s.size() && s[pos] != '\0' && !is_special(s[pos])
           && !is_ws(s[pos]))
      buf += s[pos++];
    if (!keyword(buf, t))
      t = tok::identifier;
    out.push_back({t, buf});
  }
}

/// In a values context `in` and `notin` are plain identifiers.
tok as_value(tok t) {
  return t == tok::in || t == tok::not_in ? tok::identifier : t;
}

using req = label_selector::requirement;

struct parser {
  std::vector<item> items;
  std::size_t pos = 0;

  item peek() const {
    auto it = items[pos];
    it.t = as_value(it.t);
    return it;
  }
  item next(bool values = true) {
    auto it = items[pos];
    if (pos + 1 < items.size())
      ++pos;
    if (values)
      it.t = as_value(it.t);
    return it;
  }

  /// Returns an error message or "" and fills `r`.
  std::string requirement(req& r) {
    bool not_exists = false;
    auto it = next();
    if (it.t == tok::not_exists) {
      not_exists = true;
      it = next();
    }
    if (it.t != tok::identifier)
      return "found '" + it.lit + "', expected: identifier";
    if (auto errs = is_qualified_name(it.lit); !errs.empty())
      return "<nil>: Invalid value: \"" + it.lit + "\": "
             + join_messages(errs);
    r.key = it.lit;
    auto la = peek().t;
    if (not_exists || la == tok::end || la == tok::comma) {
      r.operation = not_exists ? req::op::not_exists : req::op::exists;
      return {};
    }
    auto op = next(false);
    switch (op.t) {
      case tok::in: r.operation = req::op::in; break;
      case tok::not_in: r.operation = req::op::not_in; break;
      case tok::equals:
      case tok::double_equals: r.operation = req::op::equals; break;
      case tok::not_equals: r.operation = req::op::not_equals; break;
      case tok::greater: r.operation = req::op::greater_than; break;
      case tok::less: r.operation = req::op::less_than; break;
      default:
        return "found '" + op.lit
               + "', expected: in, notin, =, ==, !=, gt, lt";
    }
    std::set<std::string> values;
    if (r.operation == req::op::in || r.operation == req::op::not_in) {
      if (auto err = value_set(values); !err.empty())
        return err;
    } else {
      auto la2 = peek();
      if (la2.t == tok::end || la2.t == tok::comma) {
        values.insert("");
      } else {
        auto v = next();
        if (v.t != tok::identifier)
          return "found '" + v.lit + "', expected: identifier";
        values.insert(v.lit);
      }
    }
    r.values.assign(values.begin(), values.end());
    return check(r);
  }

  std::string value_set(std::set<std::string>& s) {
    auto open = next();
    if (open.t != tok::open_par)
      return "found '" + open.lit + "' expected: '('";
    auto la = peek();
    if (la.t == tok::closed_par) {
      next();
      s.insert("");
      return {};
    }
    if (la.t != tok::identifier && la.t != tok::comma)
      return "found '" + la.lit + "', expected: ',', ')' or identifier";
    for (std::size_t guard = 0; guard <= items.size(); ++guard) {
      auto it = next();
      if (it.t == tok::identifier) {
        s.insert(it.lit);
        auto la2 = peek();
        if (la2.t == tok::comma)
          continue;
        if (la2.t == tok::closed_par)
          break;
        return "found '" + la2.lit + "', expected: ',' or ')'";
      }
      if (it.t == tok::comma) {
        if (s.empty())
          s.insert("");
        auto la2 = peek();
        if (la2.t == tok::closed_par) {
          s.insert("");
          break;
        }
        if (la2.t == tok::comma) {
          next();
          s.insert("");
        }
        continue;
      }
      return "found '" + it.lit + "', expected: ',', or identifier";
    }
    if (next().t != tok::closed_par)
      return "found '" + la.lit + "', expected: ')'";
    return {};
  }

  /// NewRequirement's value checks.
  static std::string check(const req& r) {
    std::vector<std::string> errs;
    bool ordered = r.operation == req::op::greater_than
                   || r.operation == req::op::less_than;
    for (std::size_t i = 0; i < r.values.size(); ++i) {
      auto& v = r.values[i];
      auto idx = "values[" + std::to_string(i) + "]";
      if (ordered) {
        long long n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc{} || p != v.data() + v.size() || v.empty())
          errs.push_back(idx + ": Invalid value: \"" + v
                         + "\": for 'Gt', 'Lt' operators, the value must be "
                           "an integer");
      }
      if (auto m = is_valid_label_value(v); !m.empty())
        errs.push_back(idx + "[" + r.key + "]: Invalid value: \"" + v
                       + "\": " + join_messages(m));
    }
    if (errs.empty())
      return {};
    if (errs.size() == 1)
      return errs.front();
    std::string out = "[";
    for (std::size_t i = 0; i < errs.size(); ++i)
      out += (i ? ", " : "") + errs[i];
    return out + "]";
  }
};

} // namespace

std::variant<label_selector, std::string>
label_selector::parse(const std::string& text) {
  parser p{lex(text)};
  label_selector sel;
  for (std::size_t guard = 0; guard <= p.items.size(); ++guard) {
    auto la = p.peek();
    if (la.t == tok::end)
      break;
    if (la.t != tok::identifier && la.t != tok::not_exists)
      return "found '" + la.lit
             + "', expected: !, identifier, or 'end of string'";
    requirement r;
    if (auto err = p.requirement(r); !err.empty())
      return "unable to parse requirement: " + err;
    sel.requirements_.push_back(std::move(r));
    auto sep = p.next();
    if (sep.t == tok::end)
      break;
    if (sep.t != tok::comma)
      return "found '" + sep.lit + "', expected: ',' or 'end of string'";
    auto la2 = p.peek();
    if (la2.t != tok::identifier && la2.t != tok::not_exists)
      return "found '" + la2.lit + "', expected: identifier after ','";
  }
  std::stable_sort(sel.requirements_.begin(), sel.requirements_.end(),
                   [](auto& a, auto& b) { return a.key < b.key; });
  return sel;
}

bool label_selector::matches(const json::object* labels) const {
  for (auto& r : requirements_) {
    const json::string* value = nullptr;
    if (labels)
      if (auto it = labels->find(r.key); it != labels->end())
        value = it->value().if_string();
    auto has = [&](const json::string& v) {
      return std::find(r.values.begin(), r.values.end(), std::string_view(v))
             != r.values.end();
    };
    bool ok = false;
    switch (r.operation) {
      case requirement::op::equals:
      case requirement::op::in: ok = value && has(*value); break;
      case requirement::op::not_equals:
      case requirement::op::not_in: ok = !value || !has(*value); break;
      case requirement::op::exists: ok = value != nullptr; break;
      case requirement::op::not_exists: ok = value == nullptr; break;
      case requirement::op::greater_than:
      case requirement::op::less_than: {
        if (!value || r.values.size() != 1)
          break;
        long long have = 0;
        long long want = 0;
        auto [p1, e1]
          = std::from_chars(value->data(), value->data() + value->size(), have);
        auto& w = r.values.front();
        auto [p2, e2] = std::from_chars(w.data(), w.data() + w.size(), want);
        if (e1 != std::errc{} || e2 != std::errc{}
            || p1 != value->data() + value->size())
          break;
        ok = r.operation == requirement::op::greater_than ? have > want
                                                          : have < want;
        break;
      }
    }
    if (!ok)
      return false;
  }
  return true;
}

} // namespace kc::k8s
