// Starting and ending container processes (ADR 0071): the image →
// entrypoint mapping, exits, restarts with back-off, log pipes.

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/kubelet/pod_events.hpp"
#include "k8s/sim/kubelet/pod_status.hpp"
#include "k8s/sim/kubelet/process_backend.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kc::sim::kubelet_process {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> strings(const json::object& o, const char* key) {
  std::vector<std::string> out;
  if (auto a = k8s::arr_at(o, key))
    for (auto& v : *a)
      if (v.is_string())
        out.emplace_back(v.as_string());
  return out;
}

/// The repository's last path component without tag or digest.
std::string image_base(const std::string& image) {
  auto ref = image.substr(0, image.find('@'));
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon != std::string::npos
      && (slash == std::string::npos || colon > slash))
    ref.resize(colon);
  return slash == std::string::npos ? ref : ref.substr(slash + 1);
}

/// Images whose default command is a shell of the host (`sh`).
bool shell_image(const std::string& base) {
  return base == "busybox" || base == "alpine" || base == "debian"
         || base == "ubuntu";
}

std::string path_of(const std::vector<std::string>& env) {
  for (auto& e : env)
    if (e.rfind("PATH=", 0) == 0)
      return e.substr(5);
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

} // namespace

void process_backend::launch(pod_run& p, container_run& c, bool init,
                             std::size_t index) {
  auto key = p.ns + '/' + p.name;
  auto& pod = p.pod->obj;
  auto image = str_at(c.spec, "image");
  auto command = strings(c.spec, "command");
  auto args = strings(c.spec, "args");
  kubelet_spawn::spec s;
  auto base = image_base(image);
  std::vector<std::string> argv = command;
  // The whole repository path counts (kubecombo/debugger, …/kubecombo:v1).
  auto repo = image.substr(0, image.find('@'));
  if (repo.substr(0, repo.rfind('/') + 1).find("kubecombo") != std::string::npos
      || base.find("kubecombo") != std::string::npos) {
    // kubecombo images: the local binary, the check library at /scripts.
    if (argv.empty())
      argv.push_back("kubecombo");
    if (fs::path(argv[0]).filename() == "kubecombo")
      s.exe = self_;
    if (!checks_.empty()) {
      // A writable copy per pod, as an image's own /scripts would be:
      // errlogs are written there and volumes mount below it (ADR 0076).
      auto scripts = p.place.pod_dir + "/scripts";
      std::error_code ec;
      if (!fs::exists(scripts, ec))
        fs::copy(checks_, scripts, fs::copy_options::recursive, ec);
      s.mounts.push_back({ec ? checks_ : scripts, "/scripts", bool(ec)});
    }
  } else if (argv.empty() && args.empty() && shell_image(base)) {
    argv.push_back("sh");
  } else if (argv.empty() && !shell_image(base)) {
    set_waiting(
      p, c, "RunContainerError",
      "image \"" + image
        + "\" has no entrypoint mapping and the container has no command");
    return;
  }
  argv.insert(argv.end(), args.begin(), args.end());
  if (auto bad = container_env(cp_, pod, c.spec, p.place, s.env);
      !bad.reason.empty()) {
    set_waiting(p, c, bad.reason, bad.message);
    return;
  }
  if (auto bad = container_mounts(pod, c.spec, p.volume_dirs, s.mounts);
      !bad.reason.empty()) {
    set_waiting(p, c, bad.reason, bad.message);
    return;
  }
  event(p, c, "Normal", "Pulled",
        "Container image \"" + image + "\" already present on machine");
  if (s.exe.empty())
    s.exe = kubelet_spawn::find_executable(argv[0], path_of(s.env));
  if (s.exe.empty()) {
    failed_start(key, c,
                 "exec: \"" + argv[0]
                   + "\": executable file not found in $PATH");
    return;
  }
  s.argv = argv;
  s.working_dir = str_at(c.spec, "workingDir");
  s.sandbox = sandbox_;
  s.netns = netns_for(p.node);
  s.scratch = p.place.pod_dir + "/rootfs/" + c.name;
  std::error_code ec;
  fs::create_directories(s.scratch, ec);
  fs::create_directories(p.place.pod_dir + "/logs/" + c.name, ec);
  std::string error;
  auto proc = kubelet_spawn::start(s, error);
  if (proc.pid < 0) {
    failed_start(key, c, error);
    return;
  }
  c.reported.clear();
  event(p, c, "Normal", "Created", "Created container: " + c.name);
  event(p, c, "Normal", "Started", "Started container " + c.name);
  c.proc = proc;
  // For exec (ADR 0073): the pid of the container's process.
  fs::create_directories(p.place.pod_dir + "/pids", ec);
  std::ofstream(p.place.pod_dir + "/pids/" + c.name) << proc.pid;
  c.log = std::make_unique<log_writer>(
    container_log_path(p.place.pod_dir, c.name, c.restarts));
  c.container_id = kubelet_status::new_container_id();
  c.started_at = now_rfc3339();
  c.state = json::object{
    {"running", json::object{{"startedAt", c.started_at}}}};
  fds_[proc.out] = {key, init, index, 0};
  fds_[proc.err] = {key, init, index, 1};
  if (proc.pidfd >= 0)
    fds_[proc.pidfd] = {key, init, index, 2};
}

void process_backend::failed_start(const std::string& key, container_run& c,
                                   const std::string& why) {
  event(pods_.at(key), c, "Warning", "Failed", "Error: " + why);
  auto now = now_rfc3339();
  c.container_id = kubelet_status::new_container_id();
  finish(key, c, 128,
         json::object{{"exitCode", 128},
                      {"reason", "ContainerCannotRun"},
                      {"message", why},
                      {"startedAt", now},
                      {"finishedAt", now},
                      {"containerID", c.container_id}});
}

void process_backend::finish(const std::string& key, container_run& c,
                             int code, json::object term) {
  auto& p = pods_.at(key);
  if (!p.terminating && restart_wanted(p, c, code)) {
    auto delay = backoff_delay(c.backoff++);
    c.restart_at = clock::now() + delay;
    c.last_state = json::object{{"terminated", std::move(term)}};
    event(p, c, "Warning", "BackOff",
          "Back-off restarting failed container " + c.name + " in pod "
            + p.name + "_" + p.ns + "(" + p.uid + ")");
    c.state = waiting_state(
      "CrashLoopBackOff",
      "back-off "
        + std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(delay).count())
        + "s restarting failed container=" + c.name + " pod=" + p.name + "_"
        + p.ns + "(" + p.uid + ")");
  } else {
    c.state = json::object{{"terminated", std::move(term)}};
    c.finished = true;
    c.exit_code = code;
  }
  dirty_.insert(key);
}

void process_backend::exited(const std::string& key, container_run& c,
                             int status) {
  int code = WIFEXITED(status) ? WEXITSTATUS(status)
                               : 128 + WTERMSIG(status);
  if (c.proc.out >= 0)
    drain(c.proc.out, c, false);
  if (c.proc.err >= 0)
    drain(c.proc.err, c, true);
  ::kill(-c.proc.pid, SIGKILL); // whatever else the group left behind
  std::error_code rec;
  fs::remove(pods_.at(key).place.pod_dir + "/pids/" + c.name, rec);
  close_fds(c);
  c.proc = {};
  if (c.log)
    c.log->flush();
  c.log.reset();
  json::object term{{"exitCode", code},
                    {"reason", code == 0 ? "Completed" : "Error"},
                    {"startedAt", c.started_at},
                    {"finishedAt", now_rfc3339()},
                    {"containerID", c.container_id}};
  if (WIFSIGNALED(status))
    term["signal"] = WTERMSIG(status);
  finish(key, c, code, std::move(term));
}

void process_backend::drain(int fd, container_run& c, bool err) {
  char buf[65536];
  for (int i = 0; i < 64; ++i) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (c.log)
        c.log->append(err, buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    // EOF or error: this stream is done.
    fds_.erase(fd);
    ::close(fd);
    (err ? c.proc.err : c.proc.out) = -1;
    return;
  }
}

void process_backend::close_fds(container_run& c) {
  for (int* fd : {&c.proc.out, &c.proc.err, &c.proc.pidfd})
    if (*fd >= 0) {
      fds_.erase(*fd);
      ::close(*fd);
      *fd = -1;
    }
}

void process_backend::teardown(pod_run& p) {
  for (auto* list : {&p.inits, &p.mains})
    for (auto& c : *list) {
      if (c.running()) {
        ::kill(-c.proc.pid, SIGKILL);
        ::waitpid(c.proc.pid, nullptr, 0);
      }
      close_fds(c);
      c.proc = {};
      c.log.reset();
    }
  std::error_code ec;
  fs::remove_all(p.place.pod_dir, ec);
}

void process_backend::event(const pod_run& p, const container_run& c,
                            const char* type, const char* reason,
                            const std::string& message) {
  pod_event(cp_, p.pod, p.node, c.name, c.init, type, reason, message);
}

void process_backend::set_waiting(const pod_run& p, container_run& c,
                                  const std::string& reason,
                                  const std::string& message) {
  bool mount = reason == "FailedMount";
  c.state = mount ? waiting_state(c.init ? "PodInitializing"
                                         : "ContainerCreating")
                  : waiting_state(reason, message);
  if (c.reported == reason + message)
    return;
  c.reported = reason + message;
  if (mount)
    event(p, c, "Warning", "FailedMount", message);
  else
    event(p, c, "Warning", "Failed", "Error: " + message);
}

bool process_backend::restart_wanted(const pod_run& p, const container_run& c,
                                     int code) {
  static const json::object empty;
  auto spec = obj_at(p.pod->obj, "spec");
  auto policy = str_at(spec ? *spec : empty, "restartPolicy");
  if (c.init)
    return code != 0 && policy != "Never";
  return policy == "Never" ? false : policy == "OnFailure" ? code != 0 : true;
}

} // namespace kc::sim::kubelet_process
