#include "k8s/sim/kubelet/node_network.hpp"

#include "k8s/sim/kubelet/spawn.hpp"
#include "k8s/sim/server.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kc::sim {

namespace {

/// Runs `ip ARGS` with `input` on stdin; returns exit status and output.
int run_ip(const std::vector<std::string>& args, const std::string& input,
           std::string* output = nullptr) {
  auto exe = kubelet_spawn::find_executable("ip", "/usr/sbin:/sbin:/usr/bin:/bin");
  if (exe.empty())
    return -1;
  std::vector<std::string> all{"ip"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC))
    return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  if (pid < 0) {
    ::close(in[1]);
    ::close(out[0]);
    return -1;
  }
  auto n = ::write(in[1], input.data(), input.size());
  (void)n;
  ::close(in[1]);
  std::string text;
  char buf[4096];
  for (ssize_t r; (r = ::read(out[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(r));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output)
    *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

std::vector<std::string> kubelet_certificate_hosts(const server_config& cfg) {
  if (cfg.kubelet == "process" && ::geteuid() == 0)
    return {node_bridge_gateway};
  return {};
}

node_network::~node_network() {
  teardown();
}

bool node_network::setup(const std::map<std::string, std::string>& nodes,
                         std::string& why) {
  if (::geteuid() != 0) {
    why = "not root";
    return false;
  }
  std::string taken;
  if (run_ip({"-o", "addr", "show", "to",
              std::string(node_bridge_gateway) + "/32"},
             "", &taken)
      != 0) {
    why = "iproute2 (ip) not usable";
    return false;
  }
  if (!taken.empty()) {
    why = std::string(node_bridge_gateway)
          + " is already in use (another kubecombo sim?)";
    return false;
  }
  auto tag = "kc" + std::to_string(::getpid() % 100000);
  bridge_ = tag + "br";
  std::string host = "link add " + bridge_ + " type bridge\n"
                     + "addr add " + node_bridge_gateway + "/16 dev "
                     + bridge_ + "\nlink set " + bridge_ + " up\n";
  int i = 0;
  for (auto& [node, ip] : nodes) {
    if (ip.rfind("198.18.", 0) != 0)
      continue;
    auto ns = tag + "-" + node;
    auto veth = tag + "v" + std::to_string(++i);
    netns_[node] = ns;
    veths_.push_back(veth);
    host += "netns add " + ns + "\nlink add " + veth
            + " type veth peer name eth0 netns " + ns + "\nlink set " + veth
            + " master " + bridge_ + "\nlink set " + veth + " up\n";
  }
  std::string out;
  if (run_ip({"-batch", "-"}, host, &out) != 0) {
    why = "ip: " + out;
    teardown();
    return false;
  }
  for (auto& [node, ns] : netns_) {
    auto ip = nodes.at(node);
    std::string inside = "link set lo up\naddr add " + ip
                         + "/16 dev eth0\nlink set eth0 up\nroute add default via "
                         + node_bridge_gateway + "\n";
    if (run_ip({"-n", ns, "-batch", "-"}, inside, &out) != 0) {
      why = "ip -n " + ns + ": " + out;
      teardown();
      return false;
    }
  }
  return true;
}

std::string node_network::netns_path(const std::string& node) const {
  auto it = netns_.find(node);
  return it == netns_.end() ? "" : "/run/netns/" + it->second;
}

void node_network::teardown() {
  if (bridge_.empty())
    return;
  std::string cmds;
  for (auto& [node, ns] : netns_)
    cmds += "netns del " + ns + "\n";
  for (auto& v : veths_)
    cmds += "link del " + v + "\n";
  cmds += "link del " + bridge_ + "\n";
  run_ip({"-force", "-batch", "-"}, cmds);
  netns_.clear();
  veths_.clear();
  bridge_.clear();
}

} // namespace kc::sim
