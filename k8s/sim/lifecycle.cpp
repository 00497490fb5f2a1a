#include "k8s/sim/lifecycle.hpp"

#include "k8s/sim/defaults.hpp"
#include "k8s/sim/kubeconfig.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <vector>

namespace kc::sim {

namespace {

bool is(const k8s::resource_type& t, const char* group, const char* res) {
  return t.group == group && t.resource == res;
}

/// Next ClusterIP handed out to Services (10.96.0.0/12 like kubeadm).
std::atomic<uint32_t> next_cluster_ip{10};

std::string allocate_cluster_ip() {
  auto n = next_cluster_ip++;
  return "10.96." + std::to_string((n >> 8) & 0xff) + "."
         + std::to_string(n & 0xff);
}

void default_service(json::object& obj) {
  auto& spec = obj["spec"];
  if (!spec.is_object())
    spec = json::object{};
  auto& s = spec.as_object();
  if (str_at(s, "type").empty())
    s["type"] = "ClusterIP";
  if (str_at(s, "sessionAffinity").empty())
    s["sessionAffinity"] = "None";
  if (str_at(s, "clusterIP").empty() && str_at(s, "type") != "ExternalName") {
    auto ip = allocate_cluster_ip();
    s["clusterIP"] = ip;
    s["clusterIPs"] = json::array{json::string(ip)};
  }
  if (auto ports = s.if_contains("ports"); ports && ports->is_array())
    for (auto& p : ports->as_array())
      if (auto po = p.if_object()) {
        if (!po->contains("protocol"))
          (*po)["protocol"] = "TCP";
        if (!po->contains("targetPort") && po->contains("port"))
          (*po)["targetPort"] = (*po)["port"];
      }
  obj["status"] = json::object{{"loadBalancer", json::object{}}};
}

/// DaemonSet status counters are always present, also as 0 (api:P2).
void fill_daemonset_status(json::object& obj) {
  auto& st = obj["status"];
  if (!st.is_object())
    st = json::object{};
  for (auto k : {"currentNumberScheduled", "desiredNumberScheduled",
                 "numberMisscheduled", "numberReady"})
    if (!st.as_object().contains(k))
      st.as_object()[k] = 0;
}

json::value without(const json::object& o,
                    const std::vector<const char*>& keys) {
  json::object c = o;
  for (auto k : keys)
    c.erase(k);
  return c;
}


/// metav1.MicroTime as Go writes it: UTC, exactly 6 fractional digits
/// (api:C8). Accepts any RFC 3339 form ("…+00:00", "….5Z"); other text is
/// left as is.
void normalize_micro(json::value* v) {
  if (!v || !v->is_string())
    return;
  std::string text(v->as_string());
  auto secs_end = text.find_first_of(".Zz+-", 19);
  if (text.size() < 20 || secs_end == std::string::npos)
    return;
  std::string frac;
  auto pos = secs_end;
  if (text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(
                                  text[pos])))
      frac += text[pos++];
  }
  int offset = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    if (text.size() < pos + 6)
      return;
    int h = std::atoi(text.substr(pos + 1, 2).c_str());
    int m = std::atoi(text.substr(pos + 4, 2).c_str());
    offset = (text[pos] == '+' ? 1 : -1) * (h * 3600 + m * 60);
  }
  auto t = parse_rfc3339(text.substr(0, secs_end))
           - std::chrono::seconds(offset);
  frac = (frac + "000000").substr(0, 6);
  auto base = rfc3339(t);
  base.pop_back(); // 'Z'
  *v = base + "." + frac + "Z";
}

json::value* at_path(json::object& o, std::initializer_list<const char*> path) {
  json::value* cur = nullptr;
  json::object* obj = &o;
  for (auto p : path) {
    if (!obj)
      return nullptr;
    cur = obj->if_contains(p);
    if (!cur)
      return nullptr;
    obj = cur->if_object();
  }
  return cur;
}

/// Kind-specific normalisation on every write.
void normalize(const k8s::resource_type& t, json::object& obj) {
  if (t.resource == "events") {
    normalize_micro(at_path(obj, {"eventTime"}));
    normalize_micro(at_path(obj, {"series", "lastObservedTime"}));
  } else if (t.group == "coordination.k8s.io" && t.resource == "leases") {
    normalize_micro(at_path(obj, {"spec", "acquireTime"}));
    normalize_micro(at_path(obj, {"spec", "renewTime"}));
  } else if (t.group.empty() && t.resource == "secrets") {
    // stringData is write-only: merged into data (base64) and dropped.
    if (auto sd = obj.if_contains("stringData"); sd && sd->is_object()) {
      auto& data = obj["data"];
      if (!data.is_object())
        data = json::object{};
      for (auto& [k, v] : sd->as_object())
        if (v.is_string())
          data.as_object()[k] = base64(std::string(v.as_string()));
      obj.erase("stringData");
    }
  }
}

} // namespace

bool has_status_subresource(const k8s::resource_type& t) {
  return t.has_subresource("status") || is(t, "", "nodes")
         || is(t, "", "namespaces");
}

bool tracks_generation(const k8s::resource_type& t) {
  return t.custom || is(t, "apps", "deployments")
         || is(t, "apps", "daemonsets") || is(t, "apps", "replicasets")
         || is(t, "apiextensions.k8s.io", "customresourcedefinitions")
         || t.group == "admissionregistration.k8s.io";
}

void prepare_create(const k8s::resource_type& t, json::object& obj) {
  auto& md = metadata_of(obj);
  md.erase("deletionTimestamp");
  md.erase("deletionGracePeriodSeconds");
  md.erase("resourceVersion");
  md.erase("managedFields");
  md["uid"] = random_uuid();
  md["creationTimestamp"] = now_rfc3339();
  if (tracks_generation(t))
    md["generation"] = 1;
  else
    md.erase("generation");
  obj["apiVersion"] = t.api_version();
  obj["kind"] = t.kind;
  normalize(t, obj);
  apply_defaults(t, obj); // ADR 0013
  if (t.group.empty() && t.resource == "pods") {
    obj["status"] = json::object{{"phase", "Pending"}, {"qosClass",
                                                       "BestEffort"}};
  } else if (t.group.empty() && t.resource == "namespaces") {
    obj["spec"] = json::object{{"finalizers", json::array{"kubernetes"}}};
    obj["status"] = json::object{{"phase", "Active"}};
  } else if (t.group.empty() && t.resource == "services") {
    default_service(obj);
  } else if (t.group.empty() && t.resource == "secrets") {
    if (str_at(obj, "type").empty())
      obj["type"] = "Opaque";
  } else if (is(t, "apps", "daemonsets")) {
    obj.erase("status");
    fill_daemonset_status(obj);
  } else if (is(t, "apiextensions.k8s.io", "customresourcedefinitions")) {
    obj["status"] = crd_status(obj);
  } else if (has_status_subresource(t) && !is(t, "", "nodes")) {
    obj.erase("status");
  }
}

void prepare_update(const k8s::resource_type& t, const json::object& old,
                    json::object& obj, bool status_write) {
  auto& old_md = *obj_at(old, "metadata");
  if (status_write) {
    // Only status comes from the request (api:C4).
    json::object next = old;
    auto st = obj.find("status");
    if (st != obj.end())
      next["status"] = st->value();
    else
      next.erase("status");
    if (auto rv = meta_str(obj, "resourceVersion"); !rv.empty())
      metadata_of(next)["resourceVersion"] = rv;
    obj = std::move(next);
  } else {
    apply_defaults(t, obj); // ADR 0013, before the generation check
    auto& md = metadata_of(obj);
    for (auto k : {"uid", "creationTimestamp", "deletionTimestamp",
                   "deletionGracePeriodSeconds", "generation"}) {
      if (auto it = old_md.find(k); it != old_md.end())
        md[k] = it->value();
      else
        md.erase(k);
    }
    obj["apiVersion"] = str_at(old, "apiVersion").empty()
                          ? json::value(t.api_version())
                          : old.at("apiVersion");
    obj["kind"] = t.kind;
    if (has_status_subresource(t)) {
      if (auto it = old.find("status"); it != old.end())
        obj["status"] = it->value();
      else
        obj.erase("status");
    }
    if (tracks_generation(t)) {
      static const std::vector<const char*> with_status{
        "metadata", "status", "apiVersion", "kind"};
      static const std::vector<const char*> without_status{
        "metadata", "apiVersion", "kind"};
      auto& skip = has_status_subresource(t) ? with_status : without_status;
      if (without(old, skip) != without(obj, skip)) {
        auto g = old_md.find("generation");
        int64_t gen = g != old_md.end() && g->value().is_int64()
                        ? g->value().as_int64()
                        : 1;
        md["generation"] = gen + 1;
      }
    }
    if (is(t, "apiextensions.k8s.io", "customresourcedefinitions")) {
      auto next = crd_status(obj);
      auto prev = obj_at(old, "status");
      bool same = prev && prev->if_contains("acceptedNames")
                  && prev->at("acceptedNames") == next["acceptedNames"]
                  && prev->if_contains("storedVersions")
                  && prev->at("storedVersions") == next["storedVersions"];
      obj["status"] = same ? json::value(*prev) : json::value(next);
    }
  }
  if (!status_write)
    normalize(t, obj);
  if (is(t, "apps", "daemonsets"))
    fill_daemonset_status(obj);
}

json::object crd_status(const json::object& crd) {
  json::object st;
  auto spec = obj_at(crd, "spec");
  auto now = now_rfc3339();
  auto cond = [&](const char* type, const char* reason, const char* msg) {
    return json::object{{"type", type},
                        {"status", "True"},
                        {"lastTransitionTime", now},
                        {"reason", reason},
                        {"message", msg}};
  };
  st["conditions"] = json::array{
    cond("NamesAccepted", "NoConflicts", "no conflicts found"),
    cond("Established", "InitialNamesAccepted",
         "the initial names have been accepted")};
  if (spec)
    if (auto names = obj_at(*spec, "names")) {
      json::object acc = *names;
      if (!acc.contains("singular") && acc.contains("kind")) {
        std::string s(acc["kind"].as_string());
        for (auto& c : s)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        acc["singular"] = s;
      }
      if (!acc.contains("listKind") && acc.contains("kind"))
        acc["listKind"] = std::string(acc["kind"].as_string()) + "List";
      st["acceptedNames"] = std::move(acc);
    }
  json::array stored;
  if (spec)
    if (auto vs = spec->if_contains("versions"); vs && vs->is_array())
      for (auto& v : vs->as_array())
        if (auto vo = v.if_object())
          if (auto s = vo->if_contains("storage"); s && s->is_bool()
                                                   && s->as_bool())
            stored.push_back(vo->at("name"));
  st["storedVersions"] = std::move(stored);
  return st;
}

} // namespace kc::sim
