#include "k8s/api/builtin_catalogue.hpp"

#include <initializer_list>
#include <memory>
#include <string>

namespace kc::k8s {

namespace {

using strings = std::vector<std::string>;

/// create, delete, deletecollection, get, list, patch, update, watch.
const strings all_verbs = {"create", "delete", "deletecollection", "get",
                           "list",   "patch",  "update",           "watch"};

/// Namespaces and services have no deletecollection on a real apiserver.
const strings verbs_without_collection
  = {"create", "delete", "get", "list", "patch", "update", "watch"};

/// Compact constructor for one catalogue entry.
resource_type_ptr make(std::string group, std::string version,
                       std::string resource, std::string singular,
                       std::string kind, bool namespaced, strings verbs,
                       strings short_names = {}, strings categories = {},
                       strings subresources = {}) {
  auto t = std::make_shared<resource_type>();
  t->group = std::move(group);
  t->version = std::move(version);
  t->resource = std::move(resource);
  t->singular = std::move(singular);
  t->list_kind = kind + "List";
  t->kind = std::move(kind);
  t->namespaced = namespaced;
  t->verbs = std::move(verbs);
  t->short_names = std::move(short_names);
  t->categories = std::move(categories);
  t->subresources = std::move(subresources);
  return t;
}

} // namespace

std::vector<resource_type_ptr> builtin_resource_types() {
  const std::string rbac = "rbac.authorization.k8s.io";
  const std::string adm = "admissionregistration.k8s.io";
  return {
    // core/v1, in the order of a real apiserver's /api/v1.
    make("", "v1", "configmaps", "configmap", "ConfigMap", true, all_verbs,
         {"cm"}),
    make("", "v1", "endpoints", "endpoints", "Endpoints", true, all_verbs,
         {"ep"}),
    make("", "v1", "events", "event", "Event", true, all_verbs, {"ev"}),
    make("", "v1", "namespaces", "namespace", "Namespace", false,
         verbs_without_collection, {"ns"}),
    make("", "v1", "nodes", "node", "Node", false, all_verbs, {"no"}),
    make("", "v1", "pods", "pod", "Pod", true, all_verbs, {"po"}, {"all"},
         {"status", "log", "exec", "binding"}),
    make("", "v1", "secrets", "secret", "Secret", true, all_verbs),
    make("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true,
         all_verbs, {"sa"}, {}, {"token"}),
    make("", "v1", "services", "service", "Service", true,
         verbs_without_collection, {"svc"}, {"all"}),
    // admissionregistration.k8s.io/v1
    make(adm, "v1", "mutatingwebhookconfigurations",
         "mutatingwebhookconfiguration", "MutatingWebhookConfiguration", false,
         all_verbs, {}, {"api-extensions"}),
    make(adm, "v1", "validatingwebhookconfigurations",
         "validatingwebhookconfiguration", "ValidatingWebhookConfiguration",
         false, all_verbs, {}, {"api-extensions"}),
    // authentication.k8s.io/v1, authorization.k8s.io/v1: create-only
    // reviews answered by the control plane (k8s/sim/access_review.cpp).
    make("authentication.k8s.io", "v1", "selfsubjectreviews", "",
         "SelfSubjectReview", false, {"create"}),
    make("authentication.k8s.io", "v1", "tokenreviews", "", "TokenReview",
         false, {"create"}),
    make("authorization.k8s.io", "v1", "localsubjectaccessreviews", "",
         "LocalSubjectAccessReview", true, {"create"}),
    make("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "",
         "SelfSubjectAccessReview", false, {"create"}),
    make("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "",
         "SelfSubjectRulesReview", false, {"create"}),
    make("authorization.k8s.io", "v1", "subjectaccessreviews", "",
         "SubjectAccessReview", false, {"create"}),
    // apiextensions.k8s.io/v1
    make("apiextensions.k8s.io", "v1", "customresourcedefinitions",
         "customresourcedefinition", "CustomResourceDefinition", false,
         all_verbs, {"crd", "crds"}, {"api-extensions"}),
    // apps/v1
    make("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true,
         all_verbs, {"ds"}, {"all"}, {"status"}),
    make("apps", "v1", "deployments", "deployment", "Deployment", true,
         all_verbs, {"deploy"}, {"all"}, {"status", "scale"}),
    make("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true,
         all_verbs, {"rs"}, {"all"}, {"status", "scale"}),
    // coordination.k8s.io/v1
    make("coordination.k8s.io", "v1", "leases", "lease", "Lease", true,
         all_verbs),
    // events.k8s.io/v1
    make("events.k8s.io", "v1", "events", "event", "Event", true, all_verbs,
         {"ev"}),
    // rbac.authorization.k8s.io/v1
    make(rbac, "v1", "clusterrolebindings", "clusterrolebinding",
         "ClusterRoleBinding", false, all_verbs),
    make(rbac, "v1", "clusterroles", "clusterrole", "ClusterRole", false,
         all_verbs),
    make(rbac, "v1", "rolebindings", "rolebinding", "RoleBinding", true,
         all_verbs),
    make(rbac, "v1", "roles", "role", "Role", true, all_verbs),
  };
}

} // namespace kc::k8s
