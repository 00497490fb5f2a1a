// The default RBAC objects every cluster has (bootstrap policy, simplified).

#include "k8s/sim/rbac.hpp"
#include "k8s/sim/store.hpp"

#include <initializer_list>

namespace kc::sim {

namespace {

const char* const rbac_v1 = "rbac.authorization.k8s.io/v1";

using list = std::initializer_list<const char*>;

json::array arr(list l) {
  json::array a;
  for (auto s : l)
    a.emplace_back(s);
  return a;
}

json::object rule(list groups, list resources, list verbs) {
  return {{"apiGroups", arr(groups)},
          {"resources", arr(resources)},
          {"verbs", arr(verbs)}};
}

json::object url_rule(list urls, list verbs) {
  return {{"nonResourceURLs", arr(urls)}, {"verbs", arr(verbs)}};
}

json::object meta(const std::string& name) {
  return {{"name", name},
          {"uid", random_uuid()},
          {"creationTimestamp", now_rfc3339()},
          {"labels", json::object{{"kubernetes.io/bootstrapping",
                                   "rbac-defaults"}}},
          {"annotations",
           json::object{{"rbac.authorization.kubernetes.io/autoupdate",
                         "true"}}}};
}

json::object cluster_role(const std::string& name, json::array rules) {
  return {{"apiVersion", rbac_v1},
          {"kind", "ClusterRole"},
          {"metadata", meta(name)},
          {"rules", std::move(rules)}};
}

json::object binding(const std::string& name, list groups) {
  json::array subjects;
  for (auto g : groups)
    subjects.push_back(json::object{{"apiGroup", "rbac.authorization.k8s.io"},
                                    {"kind", "Group"},
                                    {"name", g}});
  return {{"apiVersion", rbac_v1},
          {"kind", "ClusterRoleBinding"},
          {"metadata", meta(name)},
          {"roleRef", json::object{{"apiGroup", "rbac.authorization.k8s.io"},
                                   {"kind", "ClusterRole"},
                                   {"name", name}}},
          {"subjects", std::move(subjects)}};
}

const list read = {"get", "list", "watch"};
const list write = {"create", "delete", "deletecollection", "patch", "update"};
const list core_read = {"configmaps", "endpoints", "persistentvolumeclaims",
                        "pods", "pods/log", "pods/status", "services",
                        "serviceaccounts", "events", "namespaces",
                        "replicationcontrollers", "resourcequotas",
                        "limitranges"};
const list core_write = {"configmaps", "endpoints", "persistentvolumeclaims",
                         "pods", "pods/exec", "pods/attach", "pods/portforward",
                         "services", "serviceaccounts", "secrets",
                         "replicationcontrollers"};
const list apps = {"daemonsets", "deployments", "deployments/scale",
                   "replicasets", "replicasets/scale", "statefulsets",
                   "statefulsets/scale", "controllerrevisions"};

json::array view_rules() {
  return {rule({""}, core_read, read), rule({"apps"}, apps, read),
          rule({"batch"}, {"jobs", "cronjobs"}, read),
          rule({"coordination.k8s.io"}, {"leases"}, read),
          rule({"events.k8s.io"}, {"events"}, read)};
}

json::array edit_rules() {
  auto rules = view_rules();
  rules.push_back(rule({""}, {"secrets"}, read));
  rules.push_back(rule({""}, core_write, write));
  rules.push_back(rule({""}, {"serviceaccounts/token"}, {"create"}));
  rules.push_back(rule({"apps"}, apps, write));
  rules.push_back(rule({"batch"}, {"jobs", "cronjobs"}, write));
  rules.push_back(rule({"coordination.k8s.io"}, {"leases"}, write));
  rules.push_back(rule({"", "events.k8s.io"}, {"events"}, write));
  return rules;
}

json::array admin_rules() {
  auto rules = edit_rules();
  rules.push_back(rule({"rbac.authorization.k8s.io"}, {"roles", "rolebindings"},
                       {"create", "delete", "deletecollection", "get", "list",
                        "patch", "update", "watch"}));
  rules.push_back(rule({"authorization.k8s.io"}, {"localsubjectaccessreviews"},
                       {"create"}));
  return rules;
}

} // namespace

void bootstrap_rbac(txn& tx) {
  const std::string crs = "clusterroles.rbac.authorization.k8s.io";
  const std::string crbs = "clusterrolebindings.rbac.authorization.k8s.io";
  tx.put(crs, cluster_role("cluster-admin",
                           {rule({"*"}, {"*"}, {"*"}),
                            url_rule({"*"}, {"*"})}));
  tx.put(crs, cluster_role(
                "system:discovery",
                {url_rule({"/api", "/api/*", "/apis", "/apis/*", "/healthz",
                           "/livez", "/openapi", "/openapi/*", "/readyz",
                           "/version", "/version/"},
                          {"get"})}));
  tx.put(crs, cluster_role(
                "system:basic-user",
                {rule({"authorization.k8s.io"},
                      {"selfsubjectaccessreviews", "selfsubjectrulesreviews"},
                      {"create"}),
                 rule({"authentication.k8s.io"}, {"selfsubjectreviews"},
                      {"create"})}));
  tx.put(crs, cluster_role("system:public-info-viewer",
                           {url_rule({"/healthz", "/livez", "/readyz",
                                      "/version", "/version/"},
                                     {"get"})}));
  tx.put(crs, cluster_role("view", view_rules()));
  tx.put(crs, cluster_role("edit", edit_rules()));
  tx.put(crs, cluster_role("admin", admin_rules()));
  tx.put(crbs, binding("cluster-admin", {"system:masters"}));
  tx.put(crbs, binding("system:discovery", {"system:authenticated"}));
  tx.put(crbs, binding("system:basic-user", {"system:authenticated"}));
  tx.put(crbs, binding("system:public-info-viewer",
                       {"system:authenticated", "system:unauthenticated"}));
}

} // namespace kc::sim
