// Matching of admission webhooks: rules and label selectors (ADR 0008).

#include "k8s/sim/admission.hpp"
#include "k8s/sim/util.hpp"

namespace kc::sim {

namespace {

bool resource_matches(const json::object& rule,
                      const admission_attributes& a) {
  auto it = rule.find("resources");
  if (it == rule.end() || !it->value().is_array())
    return false;
  for (auto& e : it->value().as_array()) {
    if (!e.is_string())
      continue;
    std::string_view r = e.as_string();
    auto slash = r.find('/');
    auto res = r.substr(0, slash);
    auto sub = slash == std::string_view::npos ? std::string_view{}
                                               : r.substr(slash + 1);
    if ((res == "*" || res == a.resource)
        && (sub == "*" || sub == a.subresource))
      return true;
  }
  return false;
}

const json::string* label(const json::object* labels, std::string_view key) {
  if (!labels)
    return nullptr;
  auto it = labels->find(key);
  return it != labels->end() && it->value().is_string()
           ? &it->value().as_string()
           : nullptr;
}

} // namespace

bool admission_rule_matches(const json::object& rule,
                            const admission_attributes& a) {
  if (!array_allows(rule, "operations", a.operation)
      || !array_allows(rule, "apiGroups", a.group)
      || !array_allows(rule, "apiVersions", a.version) || !resource_matches(rule, a))
    return false;
  auto scope = str_at(rule, "scope");
  if (scope == "Cluster")
    return !a.namespaced;
  if (scope == "Namespaced")
    return a.namespaced;
  return true;
}

bool label_selector_matches(const json::object* selector,
                            const json::object* labels) {
  if (!selector)
    return true;
  if (auto ml = obj_at(*selector, "matchLabels"))
    for (auto& [k, v] : *ml) {
      auto have = label(labels, k);
      if (!have || !v.is_string() || *have != v.as_string())
        return false;
    }
  auto it = selector->find("matchExpressions");
  if (it == selector->end() || !it->value().is_array())
    return true;
  for (auto& e : it->value().as_array()) {
    auto ex = e.if_object();
    if (!ex)
      return false;
    auto have = label(labels, str_at(*ex, "key"));
    auto op = str_at(*ex, "operator");
    bool in = false;
    if (auto vs = ex->find("values");
        vs != ex->end() && vs->value().is_array() && have)
      for (auto& v : vs->value().as_array())
        in = in || (v.is_string() && v.as_string() == *have);
    if ((op == "In" && !in) || (op == "NotIn" && in)
        || (op == "Exists" && !have) || (op == "DoesNotExist" && have))
      return false;
    if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist")
      return false;
  }
  return true;
}

} // namespace kc::sim
