#include "k8s/sim/kubelet/pod_status.hpp"
#include "k8s/sim/kubelet/process_backend.hpp"

namespace kc::sim::kubelet_process {

namespace {

json::object container_status(const container_run& c) {
  auto image = str_at(c.spec, "image");
  json::object s{{"name", c.name},
                 {"image", kubelet_status::image_ref(image)},
                 {"imageID", kubelet_status::image_id(image)},
                 {"started", c.running()},
                 {"ready", c.running() && !c.init},
                 {"restartCount", c.restarts},
                 {"lastState", c.last_state},
                 {"state", c.state}};
  if (!c.container_id.empty())
    s["containerID"] = c.container_id;
  return s;
}

bool succeeded(const container_run& c) {
  return c.finished && c.exit_code == 0;
}

} // namespace

json::object waiting_state(const std::string& reason,
                           const std::string& message) {
  json::object w{{"reason", reason}};
  if (!message.empty())
    w["message"] = message;
  return json::object{{"waiting", std::move(w)}};
}

clock::duration backoff_delay(int n) {
  return std::chrono::seconds(std::min(30, 1 << std::min(n, 5)));
}

json::object pod_status(const pod_run& p, const json::object* old_status) {
  auto now = now_rfc3339();
  bool initialized = true, init_failed = false;
  for (auto& c : p.inits) {
    initialized &= succeeded(c);
    init_failed |= c.finished && c.exit_code != 0;
  }
  bool ready = initialized && !p.mains.empty();
  bool any_active = false, all_finished = true, all_ok = true;
  for (auto& c : p.mains) {
    ready &= c.running();
    any_active |= c.running() || c.restart_at.has_value();
    all_finished &= c.finished;
    all_ok &= succeeded(c);
  }
  std::string phase = "Pending";
  if (init_failed)
    phase = "Failed";
  else if (initialized && all_finished && !p.mains.empty())
    phase = all_ok ? "Succeeded" : "Failed";
  else if (initialized && (any_active || all_finished))
    phase = "Running";
  else if (initialized)
    for (auto& c : p.mains)
      if (c.finished || !c.container_id.empty())
        phase = "Running";
  json::array mains, inits;
  for (auto& c : p.mains)
    mains.push_back(container_status(c));
  for (auto& c : p.inits)
    inits.push_back(container_status(c));
  static const json::object empty;
  auto spec = obj_at(p.pod->obj, "spec");
  auto& ip = p.place.ip;
  json::object st{
    {"phase", phase},
    {"conditions", kubelet_status::conditions(initialized, ready, now,
                                              old_status)},
    {"hostIP", ip},
    {"hostIPs", kubelet_status::ip_list(ip)},
    {"podIP", ip},
    {"podIPs", kubelet_status::ip_list(ip)},
    {"startTime", p.start_time},
    {"qosClass", kubelet_status::qos_class(spec ? *spec : empty)},
    {"containerStatuses", std::move(mains)}};
  if (!inits.empty())
    st["initContainerStatuses"] = std::move(inits);
  return st;
}

} // namespace kc::sim::kubelet_process
