#include "k8s/api/selectors.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace kc::k8s {

namespace json = boost::json;

namespace {

/// The field labels one kind supports (pkg/apis/*/v1/conversion.go), or
/// null for kinds using the default metadata.name/metadata.namespace rule.
const std::vector<std::string>* supported_fields(const resource_type& t) {
  static const std::vector<std::string> pod
    = {"metadata.name",        "metadata.namespace",
       "spec.nodeName",        "spec.restartPolicy",
       "spec.schedulerName",   "spec.serviceAccountName",
       "spec.hostNetwork",     "status.phase",
       "status.podIP",         "status.podIPs",
       "status.nominatedNodeName", "spec.host"};
  static const std::vector<std::string> node
    = {"metadata.name", "spec.unschedulable"};
  static const std::vector<std::string> core_event
    = {"involvedObject.kind",       "involvedObject.namespace",
       "involvedObject.name",       "involvedObject.uid",
       "involvedObject.apiVersion", "involvedObject.resourceVersion",
       "involvedObject.fieldPath",  "reason",
       "reportingComponent",        "source",
       "type",                      "metadata.namespace",
       "metadata.name"};
  static const std::vector<std::string> events_v1
    = {"reason",
       "regarding.kind",
       "regarding.namespace",
       "regarding.name",
       "regarding.uid",
       "regarding.apiVersion",
       "regarding.resourceVersion",
       "regarding.fieldPath",
       "reportingController",
       "type",
       "metadata.namespace",
       "metadata.name"};
  static const std::vector<std::string> ns = {"status.phase", "metadata.name"};
  static const std::vector<std::string> secret
    = {"type", "metadata.namespace", "metadata.name"};
  static const std::vector<std::string> service
    = {"metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"};
  static const std::vector<std::string> cr_namespaced
    = {"metadata.name", "metadata.namespace"};
  static const std::vector<std::string> cr_cluster = {"metadata.name"};
  if (t.custom)
    return t.namespaced ? &cr_namespaced : &cr_cluster;
  if (t.group == "events.k8s.io" && t.kind == "Event")
    return &events_v1;
  if (!t.group.empty())
    return nullptr;
  if (t.kind == "Pod")
    return &pod;
  if (t.kind == "Node")
    return &node;
  if (t.kind == "Event")
    return &core_event;
  if (t.kind == "Namespace")
    return &ns;
  if (t.kind == "Secret")
    return &secret;
  if (t.kind == "Service")
    return &service;
  return nullptr;
}

/// Splits on commas not escaped by a backslash (fields.splitTerms).
std::vector<std::string> split_terms(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool escaped = false;
  for (char c : s) {
    if (escaped) {
      cur += c;
      escaped = false;
    } else if (c == '\\') {
      cur += c;
      escaped = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

/// fields.UnescapeValue; returns an error message or "".
std::string unescape(const std::string& in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\\') {
      if (i + 1 >= in.size())
        return "invalid field selector: invalid escape sequence: \\";
      char n = in[++i];
      if (n != '\\' && n != ',' && n != '=')
        return std::string("invalid field selector: invalid escape "
                           "sequence: \\")
               + n;
      out += n;
    } else if (c == ',' || c == '=') {
      return "invalid field selector: unescaped character in value: "
             + std::to_string(static_cast<int>(c));
    } else {
      out += c;
    }
  }
  return {};
}

/// The string form of the value at a dotted path (missing → "").
std::string field_value(const json::object& obj, const std::string& field) {
  if (field == "status.podIPs") {
    std::string out;
    auto st = obj.if_contains("status");
    auto ips = st && st->is_object() ? st->as_object().if_contains("podIPs")
                                     : nullptr;
    if (ips && ips->is_array())
      for (auto& ip : ips->as_array())
        if (auto o = ip.if_object())
          if (auto s = o->if_contains("ip"); s && s->is_string())
            out += (out.empty() ? "" : ",") + std::string(s->as_string());
    return out;
  }
  if (field == "source")
    return field_value(obj, "source.component");
  const json::value* cur = nullptr;
  const json::object* o = &obj;
  std::size_t start = 0;
  while (o) {
    auto dot = field.find('.', start);
    auto key = field.substr(start, dot == std::string::npos ? dot : dot - start);
    cur = o->if_contains(key);
    if (!cur || dot == std::string::npos)
      break;
    o = cur->if_object();
    cur = nullptr;
    start = dot + 1;
  }
  if (!cur) {
    if (field == "spec.hostNetwork" || field == "spec.unschedulable")
      return "false";
    return {};
  }
  if (auto s = cur->if_string())
    return std::string(*s);
  if (auto b = cur->if_bool())
    return *b ? "true" : "false";
  if (cur->is_number())
    return json::serialize(*cur);
  return {};
}

} // namespace

std::variant<field_selector, std::string>
field_selector::parse(const resource_type& type, const std::string& text) {
  field_selector sel;
  auto terms = split_terms(text);
  std::sort(terms.begin(), terms.end());
  for (auto& term : terms) {
    if (term.empty())
      continue;
    std::size_t at = std::string::npos;
    std::size_t len = 0;
    bool negated = false;
    for (std::size_t i = 0; i < term.size() && at == std::string::npos; ++i) {
      if (term.compare(i, 2, "!=") == 0) {
        at = i, len = 2, negated = true;
      } else if (term.compare(i, 2, "==") == 0) {
        at = i, len = 2;
      } else if (term[i] == '=') {
        at = i, len = 1;
      }
    }
    if (at == std::string::npos)
      return "invalid selector: '" + text + "'; can't understand '" + term
             + "'";
    requirement r;
    r.field = term.substr(0, at);
    r.negated = negated;
    if (auto err = unescape(term.substr(at + len), r.value); !err.empty())
      return err;
    sel.requirements_.push_back(std::move(r));
  }
  // Conversion of each label, as the apiserver does after parsing.
  auto known = supported_fields(type);
  for (auto& r : sel.requirements_) {
    auto& extra = type.selectable_fields;
    if (std::find(extra.begin(), extra.end(), r.field) != extra.end())
      continue;
    if (!known) {
      if (r.field != "metadata.name" && r.field != "metadata.namespace")
        return "\"" + r.field
               + "\" is not a known field selector: only \"metadata.name\", "
                 "\"metadata.namespace\"";
      continue;
    }
    if (std::find(known->begin(), known->end(), r.field) == known->end())
      return "field label not supported: " + r.field;
    if (r.field == "spec.host")
      r.field = "spec.nodeName";
  }
  return sel;
}

bool field_selector::matches(const json::object& obj) const {
  for (auto& r : requirements_) {
    bool equal = field_value(obj, r.field) == r.value;
    if (equal == r.negated)
      return false;
  }
  return true;
}

} // namespace kc::k8s
