#include "k8s/sim/lifecycle.hpp"

#include <atomic>
#include <cctype>
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

} // namespace

bool has_status_subresource(const k8s::resource_type& t) {
  return t.has_subresource("status") || is(t, "", "nodes")
         || is(t, "", "namespaces");
}

bool tracks_generation(const k8s::resource_type& t) {
  return t.custom || is(t, "apps", "deployments")
         || is(t, "apps", "daemonsets")
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
