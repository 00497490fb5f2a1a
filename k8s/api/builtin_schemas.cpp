#include "k8s/api/builtin_schemas.hpp"

#include <boost/json.hpp>

namespace kc::k8s {

namespace json = boost::json;

namespace {

// Compact notation, expanded into OpenAPI v3 below: "s" string, "i" integer,
// "n" number, "b" boolean, "t" date-time, "q" int-or-string, "o" free-form
// object, "m" map of strings, "[x]" array of x, "@core.X" a reference, and a
// JSON object for an inline object with those properties.
constexpr const char* compact_defs = R"json({
"meta.ObjectMeta": {"annotations":"m","creationTimestamp":"t",
  "deletionGracePeriodSeconds":"i","deletionTimestamp":"t","finalizers":"[s]",
  "generateName":"s","generation":"i","labels":"m","managedFields":"[o]",
  "name":"s","namespace":"s","ownerReferences":"[@meta.OwnerReference]",
  "resourceVersion":"s","selfLink":"s","uid":"s"},
"meta.OwnerReference": {"apiVersion":"s","blockOwnerDeletion":"b",
  "controller":"b","kind":"s","name":"s","uid":"s"},
"meta.LabelSelector": {"matchLabels":"m","matchExpressions":
  [{"key":"s","operator":"s","values":"[s]"}]},
"core.ObjectReference": {"apiVersion":"s","fieldPath":"s","kind":"s",
  "name":"s","namespace":"s","resourceVersion":"s","uid":"s"},
"core.ConfigMap": {"data":"m","binaryData":"m","immutable":"b"},
"core.Secret": {"data":"m","stringData":"m","type":"s","immutable":"b"},
"core.Namespace": {"spec":{"finalizers":"[s]"},"status":"o"},
"core.ServiceAccount": {"automountServiceAccountToken":"b",
  "imagePullSecrets":"[o]","secrets":"[o]"},
"core.Endpoints": {"subsets":"[o]"},
"core.Node": {"spec":{"configSource":"o","externalID":"s","podCIDR":"s",
  "podCIDRs":"[s]","providerID":"s","taints":"[o]","unschedulable":"b"},
  "status":"o"},
"core.Event": {"action":"s","count":"i","eventTime":"t",
  "firstTimestamp":"t","involvedObject":"@core.ObjectReference",
  "lastTimestamp":"t","message":"s","reason":"s",
  "related":"@core.ObjectReference","reportingComponent":"s",
  "reportingInstance":"s","series":"o","source":{"component":"s","host":"s"},
  "type":"s"},
"core.Service": {"spec":"@core.ServiceSpec","status":"o"},
"core.ServiceSpec": {"allocateLoadBalancerNodePorts":"b","clusterIP":"s",
  "clusterIPs":"[s]","externalIPs":"[s]","externalName":"s",
  "externalTrafficPolicy":"s","healthCheckNodePort":"i",
  "internalTrafficPolicy":"s","ipFamilies":"[s]","ipFamilyPolicy":"s",
  "loadBalancerClass":"s","loadBalancerIP":"s",
  "loadBalancerSourceRanges":"[s]","ports":[{"appProtocol":"s","name":"s",
  "nodePort":"i","port":"i","protocol":"s","targetPort":"q"}],
  "publishNotReadyAddresses":"b","selector":"m","sessionAffinity":"s",
  "sessionAffinityConfig":"o","trafficDistribution":"s","type":"s"},
"core.Pod": {"spec":"@core.PodSpec","status":"o"},
"core.PodTemplateSpec": {"metadata":"@meta.ObjectMeta",
  "spec":"@core.PodSpec"},
"core.PodSpec": {"activeDeadlineSeconds":"i","affinity":"o",
  "automountServiceAccountToken":"b","containers":"[@core.Container]",
  "dnsConfig":"o","dnsPolicy":"s","enableServiceLinks":"b",
  "ephemeralContainers":"[o]","hostAliases":"[o]","hostIPC":"b",
  "hostNetwork":"b","hostPID":"b","hostUsers":"b","hostname":"s",
  "imagePullSecrets":"[o]","initContainers":"[@core.Container]",
  "nodeName":"s","nodeSelector":"m","os":"o","overhead":"o",
  "preemptionPolicy":"s","priority":"i","priorityClassName":"s",
  "readinessGates":"[o]","resourceClaims":"[o]","resources":"o",
  "restartPolicy":"s","runtimeClassName":"s","schedulerName":"s",
  "schedulingGates":"[o]","securityContext":"o","serviceAccount":"s",
  "serviceAccountName":"s","setHostnameAsFQDN":"b",
  "shareProcessNamespace":"b","subdomain":"s",
  "terminationGracePeriodSeconds":"i","tolerations":"[o]",
  "topologySpreadConstraints":"[o]","volumes":"[@core.Volume]"},
"core.Container": {"args":"[s]","command":"[s]","env":"[@core.EnvVar]",
  "envFrom":"[o]","image":"s","imagePullPolicy":"s","lifecycle":"o",
  "livenessProbe":"o","name":"s","ports":"[@core.ContainerPort]",
  "readinessProbe":"o","resizePolicy":"[o]","resources":"o",
  "restartPolicy":"s","securityContext":"o","startupProbe":"o","stdin":"b",
  "stdinOnce":"b","terminationMessagePath":"s",
  "terminationMessagePolicy":"s","tty":"b","volumeDevices":"[o]",
  "volumeMounts":"[@core.VolumeMount]","workingDir":"s"},
"core.EnvVar": {"name":"s","value":"s","valueFrom":"o"},
"core.ContainerPort": {"containerPort":"i","hostIP":"s","hostPort":"i",
  "name":"s","protocol":"s"},
"core.VolumeMount": {"mountPath":"s","mountPropagation":"s","name":"s",
  "readOnly":"b","recursiveReadOnly":"s","subPath":"s","subPathExpr":"s"},
"core.Volume": {"name":"s","awsElasticBlockStore":"o","azureDisk":"o",
  "azureFile":"o","cephfs":"o","cinder":"o","configMap":"o","csi":"o",
  "downwardAPI":"o","emptyDir":"o","ephemeral":"o","fc":"o",
  "flexVolume":"o","flocker":"o","gcePersistentDisk":"o","gitRepo":"o",
  "glusterfs":"o","hostPath":{"path":"s","type":"s"},"image":"o","iscsi":"o",
  "nfs":"o","persistentVolumeClaim":"o","photonPersistentDisk":"o",
  "portworxVolume":"o","projected":"o","quobyte":"o","rbd":"o",
  "scaleIO":"o","secret":"o","storageos":"o","vsphereVolume":"o"},
"apps.Deployment": {"spec":{"minReadySeconds":"i","paused":"b",
  "progressDeadlineSeconds":"i","replicas":"i","revisionHistoryLimit":"i",
  "selector":"@meta.LabelSelector","strategy":"o",
  "template":"@core.PodTemplateSpec"},"status":"o"},
"apps.DaemonSet": {"spec":{"minReadySeconds":"i","revisionHistoryLimit":"i",
  "selector":"@meta.LabelSelector","template":"@core.PodTemplateSpec",
  "updateStrategy":"o"},"status":"o"},
"apps.ReplicaSet": {"spec":{"minReadySeconds":"i","replicas":"i",
  "selector":"@meta.LabelSelector","template":"@core.PodTemplateSpec"},
  "status":"o"},
"coordination.Lease": {"spec":{"acquireTime":"t","holderIdentity":"s",
  "leaseDurationSeconds":"i","leaseTransitions":"i","preferredHolder":"s",
  "renewTime":"t","strategy":"s"}},
"events.Event": {"action":"s","deprecatedCount":"i",
  "deprecatedFirstTimestamp":"t","deprecatedLastTimestamp":"t",
  "deprecatedSource":"o","eventTime":"t","note":"s","reason":"s",
  "regarding":"@core.ObjectReference","related":"@core.ObjectReference",
  "reportingController":"s","reportingInstance":"s","series":"o","type":"s"},
"rbac.PolicyRule": {"apiGroups":"[s]","nonResourceURLs":"[s]",
  "resourceNames":"[s]","resources":"[s]","verbs":"[s]"},
"rbac.Role": {"rules":"[@rbac.PolicyRule]"},
"rbac.ClusterRole": {"rules":"[@rbac.PolicyRule]","aggregationRule":"o"},
"rbac.RoleBinding": {"roleRef":"@rbac.RoleRef","subjects":"[@rbac.Subject]"},
"rbac.ClusterRoleBinding": {"roleRef":"@rbac.RoleRef",
  "subjects":"[@rbac.Subject]"},
"rbac.RoleRef": {"apiGroup":"s","kind":"s","name":"s"},
"rbac.Subject": {"apiGroup":"s","kind":"s","name":"s","namespace":"s"},
"admissionregistration.ValidatingWebhookConfiguration": {"webhooks":"[o]"},
"admissionregistration.MutatingWebhookConfiguration": {"webhooks":"[o]"},
"apiextensions.CustomResourceDefinition": {"spec":"o","status":"o"},
"authentication.UserInfo": {"extra":"o","groups":"[s]","uid":"s",
  "username":"s"},
"authentication.TokenReview": {"spec":{"audiences":"[s]","token":"s"},
  "status":{"audiences":"[s]","authenticated":"b","error":"s",
  "user":"@authentication.UserInfo"}},
"authentication.TokenRequest": {"spec":{"audiences":"[s]",
  "boundObjectRef":{"apiVersion":"s","kind":"s","name":"s","uid":"s"},
  "expirationSeconds":"i"},"status":{"expirationTimestamp":"t",
  "token":"s"}},
"authentication.SelfSubjectReview": {"status":{
  "userInfo":"@authentication.UserInfo"}},
"authorization.ResourceAttributes": {"fieldSelector":"o","group":"s",
  "labelSelector":"o","name":"s","namespace":"s","resource":"s",
  "subresource":"s","verb":"s","version":"s"},
"authorization.NonResourceAttributes": {"path":"s","verb":"s"},
"authorization.SubjectAccessReviewSpec": {"extra":"o","groups":"[s]",
  "nonResourceAttributes":"@authorization.NonResourceAttributes",
  "resourceAttributes":"@authorization.ResourceAttributes","uid":"s",
  "user":"s"},
"authorization.SubjectAccessReviewStatus": {"allowed":"b","denied":"b",
  "evaluationError":"s","reason":"s"},
"authorization.SubjectAccessReview": {
  "spec":"@authorization.SubjectAccessReviewSpec",
  "status":"@authorization.SubjectAccessReviewStatus"},
"authorization.LocalSubjectAccessReview": {
  "spec":"@authorization.SubjectAccessReviewSpec",
  "status":"@authorization.SubjectAccessReviewStatus"},
"authorization.SelfSubjectAccessReview": {"spec":{
  "nonResourceAttributes":"@authorization.NonResourceAttributes",
  "resourceAttributes":"@authorization.ResourceAttributes"},
  "status":"@authorization.SubjectAccessReviewStatus"},
"authorization.ResourceRule": {"apiGroups":"[s]","resourceNames":"[s]",
  "resources":"[s]","verbs":"[s]"},
"authorization.NonResourceRule": {"nonResourceURLs":"[s]","verbs":"[s]"},
"authorization.SelfSubjectRulesReview": {"spec":{"namespace":"s"},
  "status":{"evaluationError":"s","incomplete":"b",
  "nonResourceRules":"[@authorization.NonResourceRule]",
  "resourceRules":"[@authorization.ResourceRule]"}}
})json";

/// Short prefix → real OpenAPI package prefix.
std::string full_name(const std::string& short_name) {
  static const std::pair<const char*, const char*> prefixes[] = {
    {"meta.", "io.k8s.apimachinery.pkg.apis.meta.v1."},
    {"core.", "io.k8s.api.core.v1."},
    {"apps.", "io.k8s.api.apps.v1."},
    {"coordination.", "io.k8s.api.coordination.v1."},
    {"events.", "io.k8s.api.events.v1."},
    {"rbac.", "io.k8s.api.rbac.v1."},
    {"admissionregistration.", "io.k8s.api.admissionregistration.v1."},
    {"apiextensions.",
     "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."},
    {"authentication.", "io.k8s.api.authentication.v1."},
    {"authorization.", "io.k8s.api.authorization.v1."},
  };
  for (auto& [from, to] : prefixes)
    if (short_name.rfind(from, 0) == 0)
      return to + short_name.substr(std::string(from).size());
  return short_name;
}

/// The API group of a short prefix ("" for core, "k8s.io" suffixed).
std::string group_of(const std::string& short_name) {
  auto prefix = short_name.substr(0, short_name.find('.'));
  if (prefix == "core")
    return "";
  if (prefix == "apps")
    return "apps";
  if (prefix == "rbac")
    return "rbac.authorization.k8s.io";
  return prefix + ".k8s.io";
}

json::value expand(const json::value& compact);

json::object expand_object(const json::object& props) {
  json::object out;
  out["type"] = "object";
  json::object p;
  for (auto& [k, v] : props)
    p[k] = expand(v);
  out["properties"] = std::move(p);
  return out;
}

json::value expand(const json::value& compact) {
  if (auto o = compact.if_object())
    return expand_object(*o);
  if (auto a = compact.if_array())
    return json::object{{"type", "array"},
                        {"items", a->empty() ? json::value(json::object{})
                                             : expand((*a)[0])}};
  std::string s(compact.as_string());
  if (s.size() > 2 && s.front() == '[')
    return json::object{{"type", "array"},
                        {"items", expand(json::string(s.substr(1, s.size() - 2)))}};
  if (s.front() == '@')
    return json::object{
      {"$ref", "#/components/schemas/" + full_name(s.substr(1))}};
  if (s == "s")
    return json::object{{"type", "string"}};
  if (s == "t")
    return json::object{{"type", "string"}, {"format", "date-time"}};
  if (s == "i")
    return json::object{{"type", "integer"}, {"format", "int64"}};
  if (s == "n")
    return json::object{{"type", "number"}};
  if (s == "b")
    return json::object{{"type", "boolean"}};
  if (s == "q")
    return json::object{{"x-kubernetes-int-or-string", true}};
  if (s == "m")
    return json::object{{"type", "object"},
                        {"additionalProperties",
                         json::object{{"type", "string"}}}};
  return json::object{{"type", "object"},
                      {"x-kubernetes-preserve-unknown-fields", true}};
}

json::object build() {
  json::object out;
  std::error_code ec;
  auto compact = json::parse(compact_defs, ec);
  if (ec || !compact.is_object())
    return out; // unreachable: the literal above is valid JSON (tested)
  for (auto& [k, v] : compact.as_object()) {
    std::string name(k);
    auto schema = expand(v).as_object();
    auto kind = name.substr(name.rfind('.') + 1);
    bool top_level = builtin_schema_name(group_of(name), kind)
                     == full_name(name);
    if (top_level) {
      auto& p = schema["properties"].as_object();
      p["apiVersion"] = json::object{{"type", "string"}};
      p["kind"] = json::object{{"type", "string"}};
      p["metadata"] = json::object{
        {"$ref", "#/components/schemas/" + full_name("meta.ObjectMeta")}};
      schema["x-kubernetes-group-version-kind"] = json::array{json::object{
        {"group", group_of(name)}, {"version", "v1"}, {"kind", kind}}};
    }
    out[full_name(name)] = std::move(schema);
  }
  return out;
}

} // namespace

const json::object& builtin_schemas() {
  static const json::object schemas = build();
  return schemas;
}

std::string builtin_schema_name(const std::string& group,
                                const std::string& kind) {
  static const char* kinds[]
    = {"ConfigMap", "Secret", "Namespace", "ServiceAccount", "Endpoints",
       "Node", "Event", "Service", "Pod", "Deployment", "DaemonSet", "Lease",
       "ReplicaSet",
       "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
       "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
       "CustomResourceDefinition",
       // reviews (k8s/sim/access_review.cpp)
       "TokenReview", "TokenRequest", "SelfSubjectReview",
       "SubjectAccessReview", "LocalSubjectAccessReview",
       "SelfSubjectAccessReview", "SelfSubjectRulesReview"};
  bool known = false;
  for (auto k : kinds)
    known = known || kind == k;
  if (!known)
    return {};
  std::string prefix;
  if (group.empty())
    prefix = "core.";
  else if (group == "apps")
    prefix = "apps.";
  else if (group == "rbac.authorization.k8s.io")
    prefix = "rbac.";
  else if (group.size() > 7 && group.ends_with(".k8s.io"))
    prefix = group.substr(0, group.size() - 7) + ".";
  else
    return {};
  auto name = full_name(prefix + kind);
  return name == prefix + kind ? std::string{} : name;
}

const json::object* resolve_schema_ref(const json::object* s) {
  for (int depth = 0; s && depth < 8; ++depth) {
    auto ref = s->if_contains("$ref");
    if (!ref || !ref->is_string())
      return s;
    std::string_view r = ref->as_string();
    constexpr std::string_view prefix = "#/components/schemas/";
    if (r.substr(0, prefix.size()) != prefix)
      return s;
    auto& all = builtin_schemas();
    auto it = all.find(r.substr(prefix.size()));
    if (it == all.end() || !it->value().is_object())
      return s;
    s = &it->value().as_object();
  }
  return s;
}

} // namespace kc::k8s
