// Process mode (ADR 0071): each container's command runs as a local process
// in its own mount namespace with the pod's volumes, its output is the pod
// log, exits are restarted with back-off, deletion sends SIGTERM and, after
// the grace period, SIGKILL.

#include "k8s/sim/kubelet/process_backend.hpp"

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/kubelet/pod_status.hpp"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kc::sim::kubelet_process {

namespace {

namespace fs = std::filesystem;
using k8s::arr_at;

std::string find_checks_dir(const std::string& exe) {
  std::vector<std::string> candidates;
  if (auto env = ::getenv("KC_CHECKS_DIR"))
    candidates.emplace_back(env);
  auto dir = fs::path(exe).parent_path();
  candidates.push_back((dir / "../../checks").lexically_normal().string());
  candidates.push_back((dir / "../checks").lexically_normal().string());
  candidates.push_back("/usr/share/kubecombo/checks");
  for (auto& c : candidates) {
    std::error_code ec;
    if (fs::is_directory(c + "/disk", ec))
      return c;
  }
  return "";
}

} // namespace

process_backend::process_backend(control_plane& cp) : cp_(cp) {
  char tmpl[] = "/tmp/kubecombo-kubelet-XXXXXX";
  if (!::mkdtemp(tmpl))
    throw std::runtime_error("kubelet: cannot create a state directory");
  dir_ = tmpl;
  cp_.kubelet_dir = dir_;
  std::error_code ec;
  self_ = fs::read_symlink("/proc/self/exe", ec).string();
  checks_ = find_checks_dir(self_);
  sandbox_ = kubelet_spawn::can_sandbox();
  auto colon = cp_.address.rfind(':');
  api_host_ = cp_.address.substr(0, colon);
  if (api_host_.size() > 2 && api_host_.front() == '[')
    api_host_ = api_host_.substr(1, api_host_.size() - 2);
  api_port_ = cp_.address.substr(colon + 1);
  start_network();
}

void process_backend::start_network() {
  std::map<std::string, std::string> nodes;
  uint64_t rev = 0;
  for (auto& n : cp_.objects.list("nodes", "", rev))
    if (auto st = obj_at(n->obj, "status"))
      if (auto a = arr_at(*st, "addresses"))
        for (auto& x : *a)
          if (x.is_object() && str_at(x.as_object(), "type") == "InternalIP")
            nodes[n->name] = str_at(x.as_object(), "address");
  std::string why;
  if (nodes.empty() || !net_.setup(nodes, why)) {
    std::cerr << "kubecombo sim: process kubelet: node network namespaces off"
              << (why.empty() ? "" : " (" + why + ")")
              << "; pods use the host's network (ADR 0072)\n";
    return;
  }
  try {
    gateway_http_
      = std::make_unique<http_server>(cp_, !cp_.cfg.insecure_http);
    gateway_http_->listen(node_bridge_gateway,
                          static_cast<uint16_t>(std::stoi(api_port_)));
    gateway_http_->run(1);
    api_host_ = node_bridge_gateway;
  } catch (const std::exception& e) {
    std::cerr << "kubecombo sim: process kubelet: cannot listen on "
              << node_bridge_gateway << ": " << e.what() << '\n';
    gateway_http_.reset();
  }
}

std::optional<json::object> process_backend::sync(const bound_pod& b) {
  auto key = b.pod->ns + '/' + b.pod->name;
  auto uid = meta_str(b.pod->obj, "uid");
  auto it = pods_.find(key);
  if (it != pods_.end() && it->second.uid != uid) {
    teardown(it->second);
    pods_.erase(it);
    it = pods_.end();
  }
  if (it == pods_.end())
    it = pods_.emplace(key, make_pod(b, uid)).first;
  auto& p = it->second;
  p.pod = b.pod;
  p.problem = sync_volumes(cp_, b.pod->obj, p.place, p.volume_dirs);
  advance(p);
  return pod_status(p, obj_at(b.pod->obj, "status"));
}

bool process_backend::terminate(const bound_pod& b) {
  auto it = pods_.find(b.pod->ns + '/' + b.pod->name);
  if (it == pods_.end())
    return true;
  auto& p = it->second;
  if (!p.terminating) {
    p.terminating = true;
    int64_t grace = 30;
    auto g = obj_at(b.pod->obj, "metadata")
               ->if_contains("deletionGracePeriodSeconds");
    if (g && g->is_int64())
      grace = g->as_int64();
    p.kill_at = clock::now() + std::chrono::seconds(grace);
    for (auto* list : {&p.inits, &p.mains})
      for (auto& c : *list) {
        c.restart_at.reset();
        if (c.running()) {
          event(p, c, "Normal", "Killing", "Stopping container " + c.name);
          ::kill(-c.proc.pid, grace > 0 ? SIGTERM : SIGKILL);
        }
      }
  }
  for (auto* list : {&p.inits, &p.mains})
    for (auto& c : *list)
      if (c.running())
        return false;
  return true;
}

void process_backend::forget(const std::string& ns, const std::string& name) {
  auto it = pods_.find(ns + '/' + name);
  if (it == pods_.end())
    return;
  teardown(it->second);
  pods_.erase(it);
}

std::vector<int> process_backend::poll_fds() {
  std::vector<int> out;
  out.reserve(fds_.size());
  for (auto& [fd, ref] : fds_)
    out.push_back(fd);
  return out;
}

void process_backend::on_readable(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end())
    return;
  auto ref = it->second;
  auto* c = find(ref);
  if (!c)
    return;
  if (ref.kind == 2) {
    int status = 0;
    if (::waitpid(c->proc.pid, &status, WNOHANG) == c->proc.pid)
      exited(ref.key, *c, status);
    return;
  }
  drain(fd, *c, ref.kind == 1);
}

std::optional<clock::time_point> process_backend::next_tick() {
  if (!dirty_.empty())
    return clock::now();
  std::optional<clock::time_point> t;
  auto consider = [&](const std::optional<clock::time_point>& x) {
    if (x && (!t || *x < *t))
      t = x;
  };
  for (auto& [k, p] : pods_) {
    consider(p.kill_at);
    for (auto* list : {&p.inits, &p.mains})
      for (auto& c : *list)
        consider(c.restart_at);
  }
  return t;
}

std::vector<std::string> process_backend::tick() {
  auto now = clock::now();
  for (auto& [k, p] : pods_) {
    if (p.kill_at && *p.kill_at <= now) {
      p.kill_at.reset();
      for (auto* list : {&p.inits, &p.mains})
        for (auto& c : *list)
          if (c.running())
            ::kill(-c.proc.pid, SIGKILL);
    }
    for (auto* list : {&p.inits, &p.mains})
      for (auto& c : *list)
        if (c.restart_at && *c.restart_at <= now) {
          c.restart_at.reset();
          ++c.restarts;
          dirty_.insert(k); // sync starts it
        }
  }
  std::vector<std::string> out(dirty_.begin(), dirty_.end());
  dirty_.clear();
  return out;
}

void process_backend::shutdown() {
  for (auto& [k, p] : pods_)
    teardown(p);
  pods_.clear();
  if (gateway_http_)
    gateway_http_->stop();
  gateway_http_.reset();
  net_.teardown();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

process_backend::~process_backend() {
  shutdown();
}

pod_run process_backend::make_pod(const bound_pod& b, const std::string& uid) {
  pod_run p;
  p.ns = b.pod->ns;
  p.name = b.pod->name;
  p.uid = uid;
  p.node = b.node;
  p.place = {dir_ + "/pods/" + uid, dir_ + "/nodes/" + b.node, b.node_ip,
             api_host_, api_port_};
  std::error_code ec;
  fs::create_directories(p.place.pod_dir, ec);
  fs::create_directories(p.place.node_dir, ec);
  p.start_time = now_rfc3339();
  auto spec = obj_at(b.pod->obj, "spec");
  for (bool init : {true, false})
    if (auto a = spec ? arr_at(*spec, init ? "initContainers" : "containers")
                      : nullptr)
      for (auto& v : *a)
        if (v.is_object()) {
          container_run c;
          c.name = str_at(v.as_object(), "name");
          c.spec = v.as_object();
          c.init = init;
          c.state = waiting_state(init ? "PodInitializing" : "ContainerCreating");
          (init ? p.inits : p.mains).push_back(std::move(c));
        }
  return p;
}

container_run* process_backend::find(const process_backend::fd_ref& r) {
  auto it = pods_.find(r.key);
  if (it == pods_.end())
    return nullptr;
  auto& list = r.init ? it->second.inits : it->second.mains;
  return r.index < list.size() ? &list[r.index] : nullptr;
}

void process_backend::advance(pod_run& p) {
  if (p.terminating)
    return;
  if (!p.problem.reason.empty()) {
    for (auto* list : {&p.inits, &p.mains})
      for (auto& c : *list)
        if (!c.running() && c.container_id.empty())
          set_waiting(p, c, p.problem.reason, p.problem.message);
    return;
  }
  for (std::size_t i = 0; i < p.inits.size(); ++i) {
    auto& c = p.inits[i];
    if (c.finished && c.exit_code == 0)
      continue;
    if (!c.running() && !c.finished && !c.restart_at)
      launch(p, c, true, i);
    return;
  }
  for (std::size_t i = 0; i < p.mains.size(); ++i) {
    auto& c = p.mains[i];
    if (!c.running() && !c.finished && !c.restart_at)
      launch(p, c, false, i);
  }
}

std::string process_backend::netns_for(const std::string& node) const {
  return net_.netns_path(node);
}

} // namespace kc::sim::kubelet_process

namespace kc::sim {

std::unique_ptr<kubelet_backend> make_process_backend(control_plane& cp) {
  return std::make_unique<kubelet_process::process_backend>(cp);
}

} // namespace kc::sim
