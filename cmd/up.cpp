// `kubecombo up`: the embedded default (CONTRACT.md, ADR 0076). Starts the
// control plane with the process kubelet and its nodes as network
// namespaces, applies deploy/ so the controller runs as a Pod with
// in-cluster config, installs the samples, waits (bounded, with progress
// lines) until each part is up, prints the tour and runs until SIGINT or
// SIGTERM; then stops everything and leaves nothing behind.

#include "cmd/commands.hpp"
#include "cmd/signals.hpp"
#include "cmd/up_api.hpp"
#include "cmd/up_deploy.hpp"
#include "cmd/up_tour.hpp"
#include "cmd/up_wait.hpp"
#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/server.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>

namespace kc::cmd {

namespace {

namespace fs = std::filesystem;

struct up_options {
  int64_t nodes = 3;
  std::string listen = "127.0.0.1:6443";
  std::string kubeconfig_out = "./kubecombo.kubeconfig";
  std::string deploy_dir;
  int64_t timeout = 120;
  bool samples = true;
  bool webhooks = true;
  bool render = false;
};

/// "kc<pid>-" when the process kubelet built node namespaces (ADR 0072).
std::string netns_prefix_if_built() {
  auto prefix = "kc" + std::to_string(::getpid() % 100000) + "-";
  std::error_code ec;
  return fs::exists("/run/netns/" + prefix + "kubecombo-worker-1", ec) ? prefix
                                                                       : "";
}

bool apply_all(std::ostream& out, up::api_session& api,
               const std::vector<boost::json::object>& objs) {
  for (auto& o : objs)
    if (auto err = api.apply(o, std::chrono::seconds(20)); !err.empty()) {
      out << "kubecombo up: apply failed: " << err << '\n' << std::flush;
      return false;
    }
  return true;
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

/// Everything after the control plane is up; returns the stop signal
/// received, or 0 after a failure.
int bring_up(const up_options& o, sim::server& srv, const std::string& prefix,
             std::chrono::steady_clock::time_point t0) {
  auto& out = std::cout;
  up::api_session api{srv.url(), srv.ca_pem(), srv.token()};
  up::manifest_source src{o.deploy_dir};
  auto limit = std::chrono::seconds(o.timeout);
  int sig = 0;
  auto step = [&](const char* n, const std::string& text) {
    out << "[" << n << "/5] " << text << " ...\n" << std::flush;
  };
  try {
    auto objs = up::deploy_objects(src, o.webhooks);
    step("2", "applying deploy/ (" + std::to_string(objs.size())
                  + " objects: CRDs, RBAC, controller Deployment and Service"
                  + (o.webhooks ? ", webhooks" : "") + ")");
    if (!apply_all(out, api, objs))
      return 0;
    step("3",
         "waiting for the controller Pod (in-cluster config, leader Lease)");
    auto r = up::wait_for(
        out, "the controller", limit,
        [&] { return up::controller_missing(api); }, sig,
        "kubectl -n kubecombo-system describe pods; kubectl "
        "-n kubecombo-system logs deploy/kubecombo-controller");
    if (r == up::wait_result::stopped)
      return sig;
    if (o.samples) {
      auto samples = up::sample_objects(src, srv.port());
      step("4", "installing the job-style sample script-job (ConfigMap "
                "custom-checks) and waiting for its run");
      if (!apply_all(out, api, samples.script_job))
        return 0;
      r = up::wait_for(
          out, "the script-job pod to finish", limit,
          [&] { return up::script_job_missing(api); }, sig,
          "kubectl describe debug script-job; kubectl describe pod "
          "script-job");
      if (r == up::wait_result::stopped)
        return sig;
      step("5", "installing the DaemonSet sample node-inspector with Pinger "
                "mesh-pinger and waiting for an agent on every node");
      if (!apply_all(out, api, samples.inspector))
        return 0;
      r = up::wait_for(
          out, "node-inspector", limit,
          [&] { return up::inspector_missing(api, int(o.nodes)); }, sig,
          "kubectl get pods -o wide -l debug=node-inspector; "
          "kubectl describe debug node-inspector");
      if (r == up::wait_result::stopped)
        return sig;
    }
  } catch (const std::exception& e) {
    out << "kubecombo up: " << e.what() << '\n' << std::flush;
    return 0;
  }
  auto secs
      = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0);
  out << "      everything up " << static_cast<int>(secs.count() * 10) / 10.0
      << "s after start\n";
  up::tour_facts f{
      fs::absolute(srv.kubeconfig_path()).lexically_normal().string(),
      srv.url(), int(o.nodes), prefix};
  up::print_tour(out, api, f);
  return wait_for_termination_signal();
}

int print_rendered(const up_options& o) {
  try {
    boost::json::array items;
    for (auto& obj :
         up::deploy_objects(up::manifest_source{o.deploy_dir}, o.webhooks))
      items.push_back(obj);
    std::cout << boost::json::serialize(boost::json::object{
        {"apiVersion", "v1"}, {"kind", "List"}, {"items", std::move(items)}})
              << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "kubecombo up: " << e.what() << '\n';
    return 1;
  }
}

} // namespace

int run_up(const arguments& args) {
  up_options o;
  flag_set flags("up", "Runs the whole product on this machine: the embedded "
                       "control plane with its nodes (network namespaces), the "
                       "controller as a Pod, the samples; needs root.");
  flags.add("nodes", &o.nodes, "number of simulated worker nodes [3]", 1, 50);
  flags.add("listen", &o.listen, "control plane HOST:PORT [127.0.0.1:6443]");
  flags.add("kubeconfig-out", &o.kubeconfig_out,
            "where to write the kubeconfig (removed at stop) "
            "[./kubecombo.kubeconfig]");
  flags.add("deploy-dir", &o.deploy_dir,
            "apply this deploy/ directory instead of the manifests built into "
            "the binary");
  flags.add("timeout", &o.timeout, "seconds each start-up wait may take [120]",
            1, 3600);
  flags.add("samples", &o.samples, "install the samples [true]");
  flags.add("webhooks", &o.webhooks,
            "deploy/'s admission webhook component, with a generated "
            "certificate as Secret and caBundle [true]");
  flags.add("render", &o.render,
            "print what would be applied of deploy/ as a JSON List and exit "
            "(no root needed)");
  if (auto rc = flags.parse(args))
    return *rc;
  if (!flags.positional().empty())
    return usage_error("up",
                       "unexpected argument \"" + flags.positional()[0] + "\"");
  if (o.render)
    return print_rendered(o);
  if (::geteuid() != 0) {
    std::cerr << "kubecombo up: needs root (nodes are network namespaces, "
                 "pods get mount namespaces; ADRs 0071, 0072); try `sudo "
                 "kubecombo up`, or `kubecombo sim` for the control plane "
                 "alone\n";
    return 1;
  }
  block_termination_signals();
  sim::server_config cfg;
  cfg.listen = o.listen;
  cfg.nodes = static_cast<int>(o.nodes);
  cfg.kubeconfig_out = o.kubeconfig_out;
  cfg.kubelet = "process";
  sim::server srv{cfg};
  std::cout << "[1/5] starting the control plane on " << o.listen << " with "
            << o.nodes << " node(s) ...\n"
            << std::flush;
  auto t0 = std::chrono::steady_clock::now();
  int sig = 0;
  int rc = 1;
  try {
    srv.start();
    auto prefix = netns_prefix_if_built();
    if (prefix.empty()) {
      std::cout << "kubecombo up: the node network namespaces could not be "
                   "built (see the line above; another kubecombo running?)\n";
    } else {
      std::cout << "      " << o.nodes << " node(s) Ready in namespaces "
                << prefix << "kubecombo-worker-N; kubeconfig "
                << srv.kubeconfig_path() << '\n'
                << std::flush;
      up::link_host_views(srv.plane().kubelet_dir, int(o.nodes));
      sig = bring_up(o, srv, prefix, t0);
      rc = sig ? 0 : 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "kubecombo up: " << e.what() << '\n';
  }
  if (sig)
    std::cout << "\nkubecombo up: " << signal_name(sig)
              << " received, stopping ...\n";
  else
    std::cout << "kubecombo up: stopping ...\n";
  std::cout << std::flush;
  srv.stop();
  std::error_code ec;
  fs::remove(srv.kubeconfig_path(), ec);
  std::cout << "kubecombo up: stopped\n" << std::flush;
  return rc;
}

} // namespace kc::cmd
