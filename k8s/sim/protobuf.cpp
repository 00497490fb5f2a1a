#include "k8s/sim/protobuf.hpp"

#include "k8s/sim/kubeconfig.hpp"

#include <chrono>
#include <map>
#include <stdexcept>
#include <vector>

namespace kc::sim {

namespace {

enum class ft {
  str,       // string
  bytes,     // bytes → base64 string
  i64,       // varint integer
  boolean,   // varint bool
  msg,       // nested message
  map_ss,    // map<string,string>
  map_sb,    // map<string,bytes>
  map_sq,    // map<string,Quantity>
  rep_str,   // repeated string
  rep_msg,   // repeated message
  time,      // metav1.Time
  intstr,    // intstr.IntOrString
};

struct schema;

struct field {
  int num;
  const char* name;
  ft type;
  const schema* sub = nullptr;
};

struct schema {
  std::vector<field> fields;
};

/// A bounded reader over protobuf wire data.
struct reader {
  std::string_view data;
  std::size_t pos = 0;

  bool done() const {
    return pos >= data.size();
  }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size())
        throw std::runtime_error("truncated varint");
      auto b = static_cast<uint8_t>(data[pos++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return v;
    }
    throw std::runtime_error("varint too long");
  }

  std::string_view bytes() {
    auto n = varint();
    if (n > data.size() - pos)
      throw std::runtime_error("truncated field");
    auto out = data.substr(pos, n);
    pos += n;
    return out;
  }

  void skip(int wire) {
    switch (wire) {
      case 0:
        varint();
        return;
      case 1:
        pos += 8;
        break;
      case 2:
        bytes();
        return;
      case 5:
        pos += 4;
        break;
      default:
        throw std::runtime_error("unsupported wire type");
    }
    if (pos > data.size())
      throw std::runtime_error("truncated field");
  }
};

json::object decode(const schema& s, std::string_view data);

std::pair<std::string, std::string> map_entry(std::string_view data) {
  reader r{data};
  std::pair<std::string, std::string> kv;
  while (!r.done()) {
    auto key = r.varint();
    int num = static_cast<int>(key >> 3);
    int wire = static_cast<int>(key & 7);
    if (wire == 2 && (num == 1 || num == 2)) {
      auto v = r.bytes();
      (num == 1 ? kv.first : kv.second) = std::string(v);
    } else {
      r.skip(wire);
    }
  }
  return kv;
}

const schema quantity{{{1, "string", ft::str}}};
const schema time_schema{{{1, "seconds", ft::i64}, {2, "nanos", ft::i64}}};
const schema intstr_schema{
  {{1, "type", ft::i64}, {2, "intVal", ft::i64}, {3, "strVal", ft::str}}};

json::value decode_value(const field& f, std::string_view v) {
  switch (f.type) {
    case ft::str:
      return json::string(v);
    case ft::bytes:
      return json::string(base64(std::string(v)));
    case ft::msg:
    case ft::rep_msg:
      return decode(*f.sub, v);
    case ft::time: {
      auto t = decode(time_schema, v);
      auto s = t.contains("seconds") ? t["seconds"].as_int64() : 0;
      return json::string(rfc3339(std::chrono::system_clock::time_point(
        std::chrono::seconds(s))));
    }
    case ft::intstr: {
      auto t = decode(intstr_schema, v);
      if (t.contains("type") && t["type"].as_int64() == 1)
        return t.contains("strVal") ? t["strVal"] : json::value("");
      return t.contains("intVal") ? t["intVal"] : json::value(0);
    }
    default:
      return json::string(v);
  }
}

json::object decode(const schema& s, std::string_view data) {
  json::object out;
  reader r{data};
  while (!r.done()) {
    auto key = r.varint();
    int num = static_cast<int>(key >> 3);
    int wire = static_cast<int>(key & 7);
    const field* f = nullptr;
    for (auto& x : s.fields)
      if (x.num == num)
        f = &x;
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (wire == 0) {
      auto v = r.varint();
      if (f->type == ft::boolean) {
        if (v)
          out[f->name] = true;
      } else if (v) {
        out[f->name] = static_cast<int64_t>(v);
      }
      continue;
    }
    if (wire != 2) {
      r.skip(wire);
      continue;
    }
    auto v = r.bytes();
    switch (f->type) {
      case ft::map_ss:
      case ft::map_sb:
      case ft::map_sq: {
        auto [k, val] = map_entry(v);
        auto& m = out[f->name];
        if (!m.is_object())
          m = json::object{};
        if (f->type == ft::map_sb)
          m.as_object()[k] = base64(val);
        else if (f->type == ft::map_sq)
          m.as_object()[k] = str_at(decode(quantity, val), "string");
        else
          m.as_object()[k] = val;
        break;
      }
      case ft::rep_str:
      case ft::rep_msg: {
        auto& a = out[f->name];
        if (!a.is_array())
          a = json::array{};
        a.as_array().push_back(f->type == ft::rep_str
                                 ? json::value(json::string(v))
                                 : json::value(decode(*f->sub, v)));
        break;
      }
      default: {
        auto value = decode_value(*f, v);
        bool empty = (value.is_string() && value.as_string().empty())
                     || (value.is_object() && value.as_object().empty());
        if (!empty || f->type == ft::msg)
          out[f->name] = std::move(value);
      }
    }
  }
  return out;
}

// --- schemas (field numbers of k8s.io/api and apimachinery generated.proto)

const schema owner_reference{{{1, "kind", ft::str},
                              {3, "name", ft::str},
                              {4, "uid", ft::str},
                              {5, "apiVersion", ft::str},
                              {6, "controller", ft::boolean},
                              {7, "blockOwnerDeletion", ft::boolean}}};

const schema object_meta{{{1, "name", ft::str},
                          {2, "generateName", ft::str},
                          {3, "namespace", ft::str},
                          {6, "resourceVersion", ft::str},
                          {11, "labels", ft::map_ss},
                          {12, "annotations", ft::map_ss},
                          {13, "ownerReferences", ft::rep_msg,
                           &owner_reference},
                          {14, "finalizers", ft::rep_str}}};

const schema label_selector{{{1, "matchLabels", ft::map_ss}}};
const schema local_ref{{{1, "name", ft::str}}};
const schema object_ref{{{1, "kind", ft::str},
                         {2, "namespace", ft::str},
                         {3, "name", ft::str},
                         {4, "uid", ft::str},
                         {5, "apiVersion", ft::str}}};
const schema container_port{{{1, "name", ft::str},
                             {2, "hostPort", ft::i64},
                             {3, "containerPort", ft::i64},
                             {4, "protocol", ft::str},
                             {5, "hostIP", ft::str}}};
const schema env_var{{{1, "name", ft::str}, {2, "value", ft::str}}};
const schema resources{
  {{1, "limits", ft::map_sq}, {2, "requests", ft::map_sq}}};
const schema container{{{1, "name", ft::str},
                        {2, "image", ft::str},
                        {3, "command", ft::rep_str},
                        {4, "args", ft::rep_str},
                        {5, "workingDir", ft::str},
                        {6, "ports", ft::rep_msg, &container_port},
                        {7, "env", ft::rep_msg, &env_var},
                        {8, "resources", ft::msg, &resources},
                        {13, "terminationMessagePath", ft::str},
                        {14, "imagePullPolicy", ft::str},
                        {16, "stdin", ft::boolean},
                        {17, "stdinOnce", ft::boolean},
                        {18, "tty", ft::boolean},
                        {20, "terminationMessagePolicy", ft::str}}};
const schema pod_spec{{{2, "containers", ft::rep_msg, &container},
                       {3, "restartPolicy", ft::str},
                       {4, "terminationGracePeriodSeconds", ft::i64},
                       {6, "dnsPolicy", ft::str},
                       {7, "nodeSelector", ft::map_ss},
                       {8, "serviceAccountName", ft::str},
                       {10, "nodeName", ft::str},
                       {11, "hostNetwork", ft::boolean},
                       {19, "schedulerName", ft::str},
                       {20, "initContainers", ft::rep_msg, &container}}};
const schema pod_template{
  {{1, "metadata", ft::msg, &object_meta}, {2, "spec", ft::msg, &pod_spec}}};
const schema rolling_update{{{1, "maxUnavailable", ft::intstr},
                             {2, "maxSurge", ft::intstr}}};
const schema strategy{
  {{1, "type", ft::str}, {2, "rollingUpdate", ft::msg, &rolling_update}}};
const schema deployment_spec{{{1, "replicas", ft::i64},
                              {2, "selector", ft::msg, &label_selector},
                              {3, "template", ft::msg, &pod_template},
                              {4, "strategy", ft::msg, &strategy},
                              {5, "minReadySeconds", ft::i64},
                              {6, "revisionHistoryLimit", ft::i64},
                              {7, "paused", ft::boolean},
                              {9, "progressDeadlineSeconds", ft::i64}}};
const schema service_port{{{1, "name", ft::str},
                           {2, "protocol", ft::str},
                           {3, "port", ft::i64},
                           {4, "targetPort", ft::intstr},
                           {5, "nodePort", ft::i64}}};
const schema service_spec{{{1, "ports", ft::rep_msg, &service_port},
                           {2, "selector", ft::map_ss},
                           {3, "clusterIP", ft::str},
                           {4, "type", ft::str},
                           {5, "externalIPs", ft::rep_str},
                           {7, "sessionAffinity", ft::str},
                           {10, "externalName", ft::str}}};
const schema namespace_spec{{{1, "finalizers", ft::rep_str}}};
// rbac.authorization.k8s.io/v1, authentication.k8s.io/v1 and
// authorization.k8s.io/v1 (ADR 0007).
const schema policy_rule{{{1, "verbs", ft::rep_str},
                          {2, "apiGroups", ft::rep_str},
                          {3, "resources", ft::rep_str},
                          {4, "resourceNames", ft::rep_str},
                          {5, "nonResourceURLs", ft::rep_str}}};
const schema rbac_subject{{{1, "kind", ft::str},
                           {2, "apiGroup", ft::str},
                           {3, "name", ft::str},
                           {4, "namespace", ft::str}}};
const schema role_ref{{{1, "apiGroup", ft::str},
                       {2, "kind", ft::str},
                       {3, "name", ft::str}}};
const schema bound_ref{{{1, "kind", ft::str},
                        {2, "apiVersion", ft::str},
                        {3, "name", ft::str},
                        {4, "uid", ft::str}}};
const schema token_request_spec{{{1, "audiences", ft::rep_str},
                                 {3, "boundObjectRef", ft::msg, &bound_ref},
                                 {4, "expirationSeconds", ft::i64}}};
const schema resource_attributes{{{1, "namespace", ft::str},
                                  {2, "verb", ft::str},
                                  {3, "group", ft::str},
                                  {4, "version", ft::str},
                                  {5, "resource", ft::str},
                                  {6, "subresource", ft::str},
                                  {7, "name", ft::str}}};
const schema non_resource_attributes{{{1, "path", ft::str},
                                      {2, "verb", ft::str}}};
const schema access_review_spec{
  {{1, "resourceAttributes", ft::msg, &resource_attributes},
   {2, "nonResourceAttributes", ft::msg, &non_resource_attributes},
   {3, "user", ft::str},
   {4, "groups", ft::rep_str},
   {6, "uid", ft::str}}};
const schema rules_review_spec{{{1, "namespace", ft::str}}};

const std::map<std::string, schema> kinds = {
  {"ConfigMap",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "data", ft::map_ss},
     {3, "binaryData", ft::map_sb},
     {4, "immutable", ft::boolean}}}},
  {"Secret",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "data", ft::map_sb},
     {3, "type", ft::str},
     {4, "stringData", ft::map_ss},
     {5, "immutable", ft::boolean}}}},
  {"Namespace",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &namespace_spec}}}},
  {"ServiceAccount",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "secrets", ft::rep_msg, &object_ref},
     {3, "imagePullSecrets", ft::rep_msg, &local_ref},
     {4, "automountServiceAccountToken", ft::boolean}}}},
  {"Service",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &service_spec}}}},
  {"Pod",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &pod_spec}}}},
  {"Deployment",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &deployment_spec}}}},
  {"Role",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "rules", ft::rep_msg, &policy_rule}}}},
  {"ClusterRole",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "rules", ft::rep_msg, &policy_rule}}}},
  {"RoleBinding",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "subjects", ft::rep_msg, &rbac_subject},
     {3, "roleRef", ft::msg, &role_ref}}}},
  {"ClusterRoleBinding",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "subjects", ft::rep_msg, &rbac_subject},
     {3, "roleRef", ft::msg, &role_ref}}}},
  {"TokenRequest",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &token_request_spec}}}},
  {"SelfSubjectReview", {{{1, "metadata", ft::msg, &object_meta}}}},
  {"SelfSubjectAccessReview",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &access_review_spec}}}},
  {"SubjectAccessReview",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &access_review_spec}}}},
  {"SelfSubjectRulesReview",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &rules_review_spec}}}},
  {"LocalSubjectAccessReview",
   {{{1, "metadata", ft::msg, &object_meta},
     {2, "spec", ft::msg, &access_review_spec}}}},
};

const schema type_meta{{{1, "apiVersion", ft::str}, {2, "kind", ft::str}}};
const schema unknown{{{1, "typeMeta", ft::msg, &type_meta},
                      {2, "raw", ft::str},
                      {4, "contentType", ft::str}}};

} // namespace

bool is_k8s_protobuf(std::string_view ct) {
  return ct.rfind("application/vnd.kubernetes.protobuf", 0) == 0;
}

std::variant<json::object, std::string>
decode_k8s_protobuf(std::string_view body) {
  static constexpr std::string_view magic{"k8s\0", 4};
  if (body.substr(0, 4) != magic)
    return std::string("missing the k8s protobuf prefix");
  try {
    auto env = decode(unknown, body.substr(4));
    auto tm = obj_at(env, "typeMeta");
    auto kind = tm ? str_at(*tm, "kind") : std::string{};
    auto it = kinds.find(kind);
    if (it == kinds.end())
      return "protobuf bodies of kind \"" + kind + "\" are not supported";
    auto raw = str_at(env, "raw");
    auto obj = decode(it->second, raw);
    obj["apiVersion"] = str_at(*tm, "apiVersion");
    obj["kind"] = kind;
    return obj;
  } catch (const std::exception& e) {
    return std::string("malformed protobuf body: ") + e.what();
  }
}

} // namespace kc::sim
