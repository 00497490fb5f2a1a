#include "k8s/sim/kubelet/pod_status.hpp"

#include <openssl/sha.h>

#include <cstdio>

namespace kc::sim::kubelet_status {

using k8s::arr_at;

namespace {

bool has_any(const json::object* o) {
  return o && !o->empty();
}

/// Every container has cpu and memory limits and requests equal to them.
bool guaranteed_container(const json::object& res) {
  auto lim = obj_at(res, "limits");
  auto req = obj_at(res, "requests");
  for (auto r : {"cpu", "memory"}) {
    if (!lim || !lim->contains(r))
      return false;
    if (req && req->contains(r) && req->at(r) != lim->at(r))
      return false;
  }
  return true;
}

template <typename F>
void each_container(const json::object& spec, F&& f) {
  for (auto key : {"initContainers", "containers"})
    if (auto a = arr_at(spec, key))
      for (auto& c : *a)
        if (c.is_object())
          f(c.as_object());
}

std::string hex(const unsigned char* d, std::size_t n) {
  std::string out;
  char b[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", d[i]);
    out += b;
  }
  return out;
}

} // namespace

std::string qos_class(const json::object& spec) {
  bool any = false, all_guaranteed = true;
  each_container(spec, [&](const json::object& c) {
    auto res = obj_at(c, "resources");
    static const json::object empty;
    const auto& r = res ? *res : empty;
    if (has_any(obj_at(r, "limits")) || has_any(obj_at(r, "requests")))
      any = true;
    if (!guaranteed_container(r))
      all_guaranteed = false;
  });
  if (!any)
    return "BestEffort";
  return all_guaranteed ? "Guaranteed" : "Burstable";
}

json::object condition(const char* type, bool status, const std::string& now,
                       const std::string& reason) {
  json::object c{{"type", type},
                 {"status", status ? "True" : "False"},
                 {"lastProbeTime", nullptr},
                 {"lastTransitionTime", now}};
  if (!reason.empty())
    c["reason"] = reason;
  return c;
}

json::array ip_list(const std::string& ip) {
  return json::array{json::object{{"ip", ip}}};
}

std::string image_ref(const std::string& image) {
  auto name = image;
  auto at = name.find('@');
  auto slash = name.rfind('/');
  auto colon = name.rfind(':');
  bool tagged = colon != std::string::npos
                && (slash == std::string::npos || colon > slash);
  if (at == std::string::npos && !tagged)
    name += ":latest";
  return name;
}

std::string image_id(const std::string& image) {
  auto ref = image_ref(image);
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(ref.data()), ref.size(), d);
  auto repo = ref;
  if (auto at = repo.find('@'); at != std::string::npos)
    repo.resize(at);
  else if (auto colon = repo.rfind(':');
           colon != std::string::npos
           && (repo.rfind('/') == std::string::npos || colon > repo.rfind('/')))
    repo.resize(colon);
  return repo + "@sha256:" + hex(d, sizeof d);
}

std::string new_container_id() {
  return "kubecombo://" + random_hex(64);
}

json::array conditions(bool initialized, bool ready, const std::string& since,
                       const json::object* old_status) {
  auto keep = [&](json::object c) {
    // lastTransitionTime changes only with the status.
    if (auto old = old_status ? arr_at(*old_status, "conditions") : nullptr)
      for (auto& o : *old)
        if (o.is_object() && str_at(o.as_object(), "type") == str_at(c, "type")
            && str_at(o.as_object(), "status") == str_at(c, "status")
            && o.as_object().contains("lastTransitionTime"))
          c["lastTransitionTime"] = o.as_object().at("lastTransitionTime");
    return c;
  };
  auto not_ready = ready ? "" : "ContainersNotReady";
  return json::array{keep(condition("PodReadyToStartContainers", true, since)),
                     keep(condition("Initialized", initialized, since,
                                    initialized ? ""
                                                : "ContainersNotInitialized")),
                     keep(condition("Ready", ready, since, not_ready)),
                     keep(condition("ContainersReady", ready, since, not_ready)),
                     keep(condition("PodScheduled", true, since))};
}

json::object running_status(const json::object& pod, const std::string& ip,
                            const std::string& now) {
  static const json::object empty;
  auto spec_p = obj_at(pod, "spec");
  const auto& spec = spec_p ? *spec_p : empty;
  auto old = obj_at(pod, "status");
  json::array inits, mains;
  if (auto a = arr_at(spec, "initContainers"))
    for (auto& c : *a) {
      if (!c.is_object())
        continue;
      auto image = str_at(c.as_object(), "image");
      auto id = new_container_id();
      inits.push_back(json::object{
        {"name", str_at(c.as_object(), "name")},
        {"image", image_ref(image)},
        {"imageID", image_id(image)},
        {"containerID", id},
        {"started", false},
        {"ready", true},
        {"restartCount", 0},
        {"lastState", json::object{}},
        {"state",
         json::object{{"terminated",
                       json::object{{"exitCode", 0},
                                    {"reason", "Completed"},
                                    {"startedAt", now},
                                    {"finishedAt", now},
                                    {"containerID", id}}}}}});
    }
  if (auto a = arr_at(spec, "containers"))
    for (auto& c : *a) {
      if (!c.is_object())
        continue;
      auto image = str_at(c.as_object(), "image");
      mains.push_back(json::object{
        {"name", str_at(c.as_object(), "name")},
        {"image", image_ref(image)},
        {"imageID", image_id(image)},
        {"containerID", new_container_id()},
        {"started", true},
        {"ready", true},
        {"restartCount", 0},
        {"lastState", json::object{}},
        {"state", json::object{{"running", json::object{{"startedAt", now}}}}}});
    }
  json::object st{{"phase", "Running"},
                  {"conditions", conditions(true, true, now, old)},
                  {"hostIP", ip},
                  {"hostIPs", ip_list(ip)},
                  {"podIP", ip},
                  {"podIPs", ip_list(ip)},
                  {"startTime", old && old->contains("startTime")
                                  ? old->at("startTime")
                                  : json::value(now)},
                  {"qosClass", qos_class(spec)},
                  {"containerStatuses", std::move(mains)}};
  if (!inits.empty())
    st["initContainerStatuses"] = std::move(inits);
  return st;
}

bool is_running_for(const json::object& status, const json::object& spec) {
  if (str_at(status, "phase") != "Running")
    return false;
  auto cs = arr_at(status, "containerStatuses");
  auto cc = arr_at(spec, "containers");
  if (!cs || !cc || cs->size() != cc->size())
    return false;
  for (std::size_t i = 0; i < cc->size(); ++i) {
    if (!(*cs)[i].is_object() || !(*cc)[i].is_object())
      return false;
    auto& s = (*cs)[i].as_object();
    auto& c = (*cc)[i].as_object();
    if (str_at(s, "name") != str_at(c, "name")
        || str_at(s, "image") != image_ref(str_at(c, "image")))
      return false;
  }
  return true;
}

} // namespace kc::sim::kubelet_status
