// Stage mode (ADR 0070): containers "run" as soon as the pod is bound; the
// kubelet only writes the status a real one would report.

#include "k8s/sim/kubelet/kubelet.hpp"
#include "k8s/sim/kubelet/pod_status.hpp"

namespace kc::sim {

namespace {

class stage_backend final : public kubelet_backend {
public:
  std::optional<json::object> sync(const bound_pod& p) override {
    static const json::object empty;
    auto& pod = p.pod->obj;
    auto spec = obj_at(pod, "spec");
    auto status = obj_at(pod, "status");
    if (status && kubelet_status::is_running_for(*status, spec ? *spec : empty)
        && str_at(*status, "podIP") == p.node_ip)
      return std::nullopt;
    return kubelet_status::running_status(pod, p.node_ip, now_rfc3339());
  }

  bool terminate(const bound_pod&) override {
    return true;
  }

  void forget(const std::string&, const std::string&) override {
  }
};

} // namespace

std::unique_ptr<kubelet_backend> make_stage_backend() {
  return std::make_unique<stage_backend>();
}

} // namespace kc::sim

#include "k8s/sim/control_plane.hpp"

#include <stdexcept>

namespace kc::sim {

std::unique_ptr<kubelet> make_kubelet(control_plane& cp) {
  const auto& mode = cp.cfg.kubelet;
  if (mode == "none")
    return nullptr;
  if (mode == "stage")
    return std::make_unique<kubelet>(cp, make_stage_backend());
  if (mode == "process")
    return std::make_unique<kubelet>(cp, make_process_backend(cp));
  throw std::runtime_error("unknown kubelet mode \"" + mode + "\"");
}

} // namespace kc::sim
