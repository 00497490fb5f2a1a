// SelfSubjectRulesReview (authorization.k8s.io/v1, `kubectl auth can-i
// --list`): the rules the requesting user has in spec.namespace, from the
// privileged-group authorizer (system:masters: everything) and RBAC, as
// pkg/registry/authorization/selfsubjectrulesreview does (ADR 0007).

#include "k8s/sim/authz.hpp"
#include "k8s/sim/handlers.hpp"

#include <boost/json/serialize.hpp>

namespace kc::sim {

namespace {

/// rule[key] if it is a non-empty array.
const json::array* non_empty(const json::object& rule, std::string_view key) {
  auto it = rule.find(key);
  if (it == rule.end() || !it->value().is_array()
      || it->value().as_array().empty())
    return nullptr;
  return &it->value().as_array();
}

json::array star() {
  return json::array{"*"};
}

} // namespace

api_response rules_review(control_plane& cp, const api_request& req,
                          json::object obj) {
  json::object spec;
  if (auto s = obj_at(obj, "spec"))
    spec = *s;
  auto ns = str_at(spec, "namespace");
  if (ns.empty())
    return from_status(k8s::status_bad_request("no namespace on request"));
  json::array resource_rules, non_resource_rules;
  if (has_group(req.groups, "system:masters")) {
    resource_rules.push_back(json::object{
      {"verbs", star()}, {"apiGroups", star()}, {"resources", star()}});
    non_resource_rules.push_back(
      json::object{{"verbs", star()}, {"nonResourceURLs", star()}});
  }
  authz_attributes a;
  a.user = req.user;
  a.groups = req.groups;
  auto found = rules_for(cp, a, ns);
  for (auto& rule : found.rules) {
    auto verbs = non_empty(rule, "verbs");
    json::array no_verbs;
    if (auto res = non_empty(rule, "resources")) {
      json::object rr{{"verbs", verbs ? *verbs : no_verbs}};
      if (auto g = non_empty(rule, "apiGroups"))
        rr["apiGroups"] = *g;
      rr["resources"] = *res;
      if (auto n = non_empty(rule, "resourceNames"))
        rr["resourceNames"] = *n;
      resource_rules.push_back(std::move(rr));
    }
    if (auto urls = non_empty(rule, "nonResourceURLs"))
      non_resource_rules.push_back(json::object{
        {"verbs", verbs ? *verbs : no_verbs}, {"nonResourceURLs", *urls}});
  }
  json::object status{{"resourceRules", std::move(resource_rules)},
                      {"nonResourceRules", std::move(non_resource_rules)},
                      {"incomplete", !found.errors.empty()}};
  if (found.errors.size() == 1) {
    status["evaluationError"] = found.errors.front();
  } else if (!found.errors.empty()) {
    std::string e = "[";
    for (std::size_t i = 0; i < found.errors.size(); ++i)
      e += (i ? ", " : "") + found.errors[i];
    status["evaluationError"] = e + "]";
  }
  auto& md = metadata_of(obj);
  if (!md.contains("creationTimestamp"))
    md["creationTimestamp"] = nullptr;
  obj["apiVersion"] = "authorization.k8s.io/v1";
  obj["kind"] = "SelfSubjectRulesReview";
  obj["spec"] = std::move(spec);
  obj["status"] = std::move(status);
  return json_text(json::serialize(obj), 201);
}

} // namespace kc::sim
