#pragma once

// The process kubelet's per-pod bookkeeping (ADR 0071): containers as
// local processes with logs, restarts with back-off, graceful termination.

#include "k8s/sim/http_server.hpp"
#include "k8s/sim/kubelet/kubelet.hpp"
#include "k8s/sim/kubelet/node_network.hpp"
#include "k8s/sim/kubelet/pod_files.hpp"
#include "k8s/sim/kubelet/pod_log.hpp"
#include "k8s/sim/kubelet/spawn.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace kc::sim::kubelet_process {

using clock = std::chrono::steady_clock;

/// One container of a pod.
struct container_run {
  std::string name;
  json::object spec;
  bool init = false;
  kubelet_spawn::process proc;
  std::unique_ptr<log_writer> log;
  int restarts = 0;
  std::string container_id;
  std::string started_at;
  json::object state;
  json::object last_state;
  /// Terminated and will not run again.
  bool finished = false;
  int exit_code = 0;
  std::optional<clock::time_point> restart_at;
  int backoff = 0;
  /// The waiting reason last recorded as a Failed Event (ADR 0075).
  std::string reported;

  bool running() const {
    return proc.pid > 0;
  }
};

/// One pod.
struct pod_run {
  std::string ns, name, uid, node;
  pod_place place;
  stored_ptr pod;
  std::vector<container_run> inits, mains;
  std::map<std::string, std::string> volume_dirs;
  pod_problem problem;
  std::string start_time;
  bool terminating = false;
  std::optional<clock::time_point> kill_at;
};

/// Back-off before restart `n` (1 s doubling, at most 30 s).
clock::duration backoff_delay(int n);

/// The process kubelet backend (make_process_backend).
class process_backend final : public kubelet_backend {
public:
  explicit process_backend(control_plane& cp);
  std::optional<json::object> sync(const bound_pod& b) override;
  bool terminate(const bound_pod& b) override;
  void forget(const std::string& ns, const std::string& name) override;
  std::vector<int> poll_fds() override;
  void on_readable(int fd) override;
  std::optional<clock::time_point> next_tick() override;
  std::vector<std::string> tick() override;
  void shutdown() override;
  bool watches_config() const override {
    return true;
  }
  ~process_backend() override;

private:
  /// Which container (and which of its fds: 0 out, 1 err, 2 pidfd).
  struct fd_ref {
    std::string key;
    bool init = false;
    std::size_t index = 0;
    int kind = 0;
  };
  pod_run make_pod(const bound_pod& b, const std::string& uid);
  container_run* find(const fd_ref& r);

  /// Starts what should run now: init containers one by one, then all.
  void advance(pod_run& p);
  void launch(pod_run& p, container_run& c, bool init, std::size_t index);
  void exited(const std::string& key, container_run& c, int status);
  void failed_start(const std::string& key, container_run& c,
                    const std::string& why);
  /// Bridge + node namespaces + the gateway listener, or the fallback.
  void start_network();
  void finish(const std::string& key, container_run& c, int code,
              json::object term);
  /// The network namespace of `node` ("" = the host's; ADR 0072).
  std::string netns_for(const std::string& node) const;
  void drain(int fd, container_run& c, bool err);
  /// Records an Event about container `c` of `p` (ADR 0075).
  void event(const pod_run& p, const container_run& c, const char* type,
             const char* reason, const std::string& message);
  /// Waiting with `reason`; a Failed Event the first time it is seen.
  void set_waiting(const pod_run& p, container_run& c,
                   const std::string& reason, const std::string& message);
  void close_fds(container_run& c);
  void teardown(pod_run& p);
  control_plane& cp_;
  std::string dir_, self_, checks_, api_host_, api_port_;
  bool sandbox_ = false;
  node_network net_;
  /// The control plane on the bridge's gateway address (ADR 0072).
  std::unique_ptr<http_server> gateway_http_;
  std::map<std::string, pod_run> pods_;
  std::map<int, fd_ref> fds_;
  std::set<std::string> dirty_;

  /// Restart after exit `code` (restartPolicy; init containers never
  /// restart after success).
  static bool restart_wanted(const pod_run& p, const container_run& c,
                             int code);
};

/// `{"waiting": {"reason": ..., "message": ...}}`.
json::object waiting_state(const std::string& reason,
                           const std::string& message = "");

/// The status of `p` as a kubelet reports it.
json::object pod_status(const pod_run& p, const json::object* old_status);

} // namespace kc::sim::kubelet_process
