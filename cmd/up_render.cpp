// Renders deploy/ like `kubectl kustomize` does for this tree (ADR 0076):
// YAML → JSON, resources in order, components (resources + patches), then
// the namespace and label transformers, sorted for apply (namespaces and
// CRDs first, webhook configurations last).

#include "cmd/up_manifests.hpp"
#include "k8s/sim/patch.hpp"

#include <boost/json.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace kc::cmd::up {

namespace json = boost::json;

namespace {

json::value plain_scalar(const std::string& s) {
  static const std::regex int_re{"[-+]?[0-9]+"};
  static const std::regex float_re{
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?"};
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    return nullptr;
  if (s == "true" || s == "True" || s == "TRUE")
    return true;
  if (s == "false" || s == "False" || s == "FALSE")
    return false;
  if (std::regex_match(s, int_re)) {
    try {
      return static_cast<std::int64_t>(std::stoll(s));
    } catch (const std::out_of_range&) {
      return json::string(s);
    }
  }
  if (std::regex_match(s, float_re))
    return std::stod(s);
  return json::string(s);
}

json::value to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (auto it = n.begin(); it != n.end(); ++it)
        o[it->first.as<std::string>()] = to_json(it->second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (auto it = n.begin(); it != n.end(); ++it)
        a.push_back(to_json(*it));
      return a;
    }
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted and block scalars "!", plain ones "?".
      if (n.Tag() == "!")
        return json::string(n.Scalar());
      return plain_scalar(n.Scalar());
    default:
      return nullptr;
  }
}

std::vector<json::value> yaml_values(const std::string& text,
                                     const std::string& name) {
  std::vector<json::value> out;
  try {
    for (auto& doc : YAML::LoadAll(text))
      if (doc.IsDefined() && !doc.IsNull())
        out.push_back(to_json(doc));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(name + ": " + e.what());
  }
  return out;
}

std::string join(const std::string& dir, const std::string& rel) {
  return dir.empty() ? rel : dir + "/" + rel;
}

json::object kustomization(const manifest_source& src, const std::string& dir) {
  auto name = join(dir, "kustomization.yaml");
  auto docs = yaml_values(src.read(name), name);
  if (docs.size() != 1 || !docs[0].is_object())
    throw std::runtime_error(name + ": not one YAML object");
  return docs[0].as_object();
}

std::vector<std::string> strings_at(const json::object& o, const char* key) {
  std::vector<std::string> out;
  if (auto* a = o.if_contains(key); a && a->is_array())
    for (auto& v : a->as_array())
      if (v.is_string())
        out.emplace_back(v.as_string());
  return out;
}

std::string str(const json::value* v) {
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::object& metadata(json::object& o) {
  auto& m = o["metadata"];
  if (!m.is_object())
    m = json::object{};
  return m.as_object();
}

void add_resources(const manifest_source& src, const std::string& dir,
                   const json::object& k, std::vector<json::object>& out) {
  for (auto& rel : strings_at(k, "resources")) {
    auto path = join(dir, rel);
    for (auto& doc : parse_yaml_documents(src.read(path), path))
      out.push_back(std::move(doc));
  }
}

void apply_patches(const manifest_source& src, const std::string& dir,
                   const json::object& k, std::vector<json::object>& objs) {
  auto* patches = k.if_contains("patches");
  if (!patches || !patches->is_array())
    return;
  for (auto& p : patches->as_array()) {
    if (!p.is_object())
      continue;
    auto path = join(dir, str(p.as_object().if_contains("path")));
    auto docs = yaml_values(src.read(path), path);
    if (docs.size() != 1)
      throw std::runtime_error(path + ": expected one patch document");
    auto* target = p.as_object().if_contains("target");
    auto kind = target && target->is_object()
                    ? str(target->as_object().if_contains("kind"))
                    : "";
    auto name = target && target->is_object()
                    ? str(target->as_object().if_contains("name"))
                    : "";
    int hits = 0;
    for (auto& o : objs) {
      if ((!kind.empty() && str(o.if_contains("kind")) != kind)
          || (!name.empty() && str(metadata(o).if_contains("name")) != name))
        continue;
      json::value v = o;
      if (docs[0].is_array()) {
        if (auto err = sim::json_patch(v, docs[0]))
          throw std::runtime_error(path + ": " + *err);
      } else {
        sim::strategic_merge_patch(v, docs[0]);
      }
      o = v.as_object();
      ++hits;
    }
    if (hits == 0)
      throw std::runtime_error(path + ": the patch matches no resource");
  }
}

int apply_order(const std::string& kind) {
  static const char* order[] = {"Namespace",
                                "CustomResourceDefinition",
                                "ServiceAccount",
                                "Secret",
                                "Role",
                                "ClusterRole",
                                "RoleBinding",
                                "ClusterRoleBinding",
                                "ConfigMap",
                                "Service",
                                "Deployment",
                                "DaemonSet",
                                "Pod"};
  for (std::size_t i = 0; i < std::size(order); ++i)
    if (kind == order[i])
      return static_cast<int>(i);
  if (kind == "MutatingWebhookConfiguration"
      || kind == "ValidatingWebhookConfiguration")
    return 100;
  return 50; // custom resources after their definitions
}

} // namespace

std::string manifest_source::read(const std::string& rel) const {
  if (dir.empty()) {
    auto& files = embedded_manifests();
    auto it = files.find(rel);
    if (it == files.end())
      throw std::runtime_error("deploy/" + rel
                               + ": not embedded in this binary");
    return it->second;
  }
  std::ifstream in{dir + "/" + rel};
  if (!in)
    throw std::runtime_error(dir + "/" + rel + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<json::object> parse_yaml_documents(const std::string& text,
                                               const std::string& name) {
  std::vector<json::object> out;
  for (auto& v : yaml_values(text, name)) {
    if (!v.is_object())
      throw std::runtime_error(name + ": a document is not a YAML mapping");
    out.push_back(std::move(v.as_object()));
  }
  return out;
}

bool cluster_scoped(const std::string& kind) {
  return kind == "Namespace" || kind == "CustomResourceDefinition"
         || kind == "ClusterRole" || kind == "ClusterRoleBinding"
         || kind == "MutatingWebhookConfiguration"
         || kind == "ValidatingWebhookConfiguration" || kind == "Node";
}

std::vector<json::object>
render_kustomization(const manifest_source& src, const std::string& rel_dir,
                     const std::vector<std::string>& components) {
  auto k = kustomization(src, rel_dir);
  std::vector<json::object> objs;
  add_resources(src, rel_dir, k, objs);
  auto listed = strings_at(k, "components");
  listed.insert(listed.end(), components.begin(), components.end());
  for (auto& c : listed) {
    auto cdir = join(rel_dir, c);
    auto ck = kustomization(src, cdir);
    add_resources(src, cdir, ck, objs);
    apply_patches(src, cdir, ck, objs);
  }
  apply_patches(src, rel_dir, k, objs);
  auto ns = str(k.if_contains("namespace"));
  json::object labels;
  if (auto* l = k.if_contains("labels"); l && l->is_array())
    for (auto& entry : l->as_array())
      if (auto* pairs = entry.is_object()
                            ? entry.as_object().if_contains("pairs")
                            : nullptr;
          pairs && pairs->is_object())
        for (auto& [key, v] : pairs->as_object())
          labels[key] = v;
  for (auto& o : objs) {
    auto& md = metadata(o);
    if (!ns.empty() && !cluster_scoped(str(o.if_contains("kind"))))
      md["namespace"] = ns;
    if (!labels.empty()) {
      auto& l = md["labels"];
      if (!l.is_object())
        l = json::object{};
      for (auto& [key, v] : labels)
        l.as_object()[key] = v;
    }
  }
  std::stable_sort(objs.begin(), objs.end(), [](auto& a, auto& b) {
    return apply_order(str(a.if_contains("kind")))
           < apply_order(str(b.if_contains("kind")));
  });
  return objs;
}

} // namespace kc::cmd::up
