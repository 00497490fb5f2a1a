// `kubecombo up`: what an agent sees at /host (ADR 0076). The process
// kubelet maps hostPath volumes below nodes/<node>/ of its state directory
// (ADR 0071), so the agents' host root "/" is empty and every check says
// "cannot read /host/proc/...". `up` gives each node read views of the
// machine there: symlinks proc → /proc, sys → /sys, etc/resolv.conf →
// /etc/resolv.conf, resolved inside the pod (its /proc shows its node's
// network namespace). No link leads to a directory the kubelet creates
// volumes in, so nothing is ever created outside the state directory.

#include "cmd/up_deploy.hpp"

#include <filesystem>

namespace kc::cmd::up {

void link_host_views(const std::string& kubelet_dir, int nodes) {
  namespace fs = std::filesystem;
  if (kubelet_dir.empty())
    return;
  for (int i = 1; i <= nodes; ++i) {
    fs::path node = fs::path(kubelet_dir) / "nodes"
                    / ("kubecombo-worker-" + std::to_string(i));
    std::error_code ec;
    fs::create_directories(node / "etc", ec);
    fs::create_directory_symlink("/proc", node / "proc", ec);
    fs::create_directory_symlink("/sys", node / "sys", ec);
    fs::create_symlink("/etc/resolv.conf", node / "etc" / "resolv.conf", ec);
  }
}

} // namespace kc::cmd::up
