#include "k8s/sim/kubelet/exec_ws.hpp"

#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>

#include <cstring>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kc::sim {

namespace {

namespace websocket = beast::websocket;

struct exec_request {
  std::string ns, pod, container;
  std::vector<std::string> command;
};

std::vector<std::string> path_segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string status(int code, const std::vector<std::string>& cmd,
                   const std::string& error) {
  if (error.empty() && code == 0)
    return R"({"metadata":{},"status":"Success"})";
  json::object st{{"metadata", json::object{}}, {"status", "Failure"}};
  if (!error.empty()) {
    st["message"] = error;
    st["reason"] = "InternalError";
    st["code"] = 500;
    return json::serialize(st);
  }
  std::string list;
  for (auto& c : cmd)
    list += (list.empty() ? "" : " ") + c;
  st["message"] = "command terminated with non-zero exit code: error "
                  "executing command ["
                  + list + "], exit code " + std::to_string(code);
  st["reason"] = "NonZeroExitCode";
  st["details"] = json::object{
    {"causes", json::array{json::object{{"reason", "ExitCode"},
                                        {"message", std::to_string(code)}}}}};
  return json::serialize(st);
}

/// Runs the command in the container of pid `pid`; calls `out(ch, data)`.
template <class Send>
int run_in(pid_t target, const std::vector<std::string>& cmd, Send&& out,
           std::string& error) {
  auto proc = "/proc/" + std::to_string(target);
  std::vector<std::string> env;
  {
    std::ifstream in(proc + "/environ", std::ios::binary);
    for (std::string e; std::getline(in, e, '\0');)
      env.push_back(e);
  }
  std::vector<char*> argv, envp;
  for (auto& a : cmd)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env)
    envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int netfd = ::open((proc + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
  int mntfd = ::open((proc + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
  int rootfd = ::open((proc + "/root").c_str(),
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int o[2], e[2], s[2];
  if (netfd < 0 || mntfd < 0 || rootfd < 0 || ::pipe2(o, O_CLOEXEC)
      || ::pipe2(e, O_CLOEXEC) || ::pipe2(s, O_CLOEXEC)) {
    error = "container is not running";
    for (int fd : {netfd, mntfd, rootfd})
      if (fd >= 0)
        ::close(fd);
    return -1;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::setns(netfd, CLONE_NEWNET);
    ::setns(mntfd, CLONE_NEWNS);
    if (::fchdir(rootfd) == 0 && ::chroot(".") == 0 && ::chdir("/") == 0) {
      int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(devnull, 0);
      ::dup2(o[1], 1);
      ::dup2(e[1], 2);
      ::execvpe(argv[0], argv.data(), envp.data());
    }
    int err = errno;
    auto n = ::write(s[1], &err, sizeof err);
    (void)n;
    ::_exit(127);
  }
  for (int fd : {netfd, mntfd, rootfd, o[1], e[1], s[1]})
    ::close(fd);
  int err = 0;
  if (pid > 0 && ::read(s[0], &err, sizeof err) == sizeof err)
    error = "OCI runtime exec failed: exec failed: unable to start container "
            "process: exec: \""
            + cmd[0] + "\": " + std::strerror(err) + ": unknown";
  ::close(s[0]);
  pollfd fds[2] = {{o[0], POLLIN, 0}, {e[0], POLLIN, 0}};
  int open = 2;
  char buf[32768];
  while (open > 0 && ::poll(fds, 2, 600000) > 0)
    for (int i = 0; i < 2; ++i)
      if (fds[i].fd >= 0 && fds[i].revents) {
        auto n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          out(static_cast<char>(i + 1), std::string(buf, n));
        } else {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open;
        }
      }
  for (auto& f : fds)
    if (f.fd >= 0)
      ::close(f.fd);
  int st = 0;
  if (pid > 0)
    ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

pid_t container_pid(control_plane& cp, const exec_request& x,
                    std::string& error) {
  auto pod = cp.objects.get("pods", x.ns, x.pod);
  if (!pod) {
    error = "pods \"" + x.pod + "\" not found";
    return -1;
  }
  auto container = x.container;
  if (container.empty())
    if (auto spec = obj_at(pod->obj, "spec"))
      if (auto cs = k8s::arr_at(*spec, "containers"); cs && !cs->empty())
        container = str_at((*cs)[0].as_object(), "name");
  std::ifstream in(cp.kubelet_dir + "/pods/" + meta_str(pod->obj, "uid")
                   + "/pids/" + container);
  long pid = -1;
  if (!(in >> pid) || pid <= 0) {
    error = "container " + container + " is not running";
    return -1;
  }
  return static_cast<pid_t>(pid);
}

template <class Stream>
void serve(Stream stream, http::request<http::string_body> msg,
           control_plane& cp, exec_request x) {
  websocket::stream<Stream> ws(std::move(stream));
  std::string offered(msg[http::field::sec_websocket_protocol]);
  std::string proto = offered.find("v5.channel.k8s.io") != std::string::npos
                        ? "v5.channel.k8s.io"
                        : "v4.channel.k8s.io";
  ws.set_option(websocket::stream_base::decorator(
    [proto](websocket::response_type& r) {
      r.set(http::field::sec_websocket_protocol, proto);
    }));
  beast::error_code ec;
  beast::get_lowest_layer(ws).expires_never();
  ws.accept(msg, ec);
  if (ec)
    return;
  ws.binary(true);
  auto send = [&](char ch, const std::string& data) {
    std::string frame(1, ch);
    frame += data;
    ws.write(net::buffer(frame), ec);
  };
  std::string error;
  int code = -1;
  if (x.command.empty())
    error = "you must specify at least one command for the container";
  else if (auto pid = container_pid(cp, x, error); pid > 0)
    code = run_in(pid, x.command, send, error);
  send(3, status(code, x.command, error));
  ws.close(websocket::close_code::normal, ec);
}

} // namespace

bool is_exec_upgrade(const http::request<http::string_body>& msg,
                     const std::string& path) {
  auto p = path_segments(path);
  return websocket::is_upgrade(msg) && p.size() == 7 && p[0] == "api"
         && p[1] == "v1" && p[2] == "namespaces" && p[4] == "pods"
         && p[6] == "exec";
}

template <class Stream>
void start_exec(Stream&& stream, http::request<http::string_body> msg,
                control_plane& cp, const api_request& req) {
  auto p = path_segments(req.path);
  exec_request x{p[3], p[5], req.param_or("container", ""), {}};
  for (auto& [k, v] : req.query)
    if (k == "command")
      x.command.push_back(v);
  std::thread([s = std::move(stream), m = std::move(msg), &cp,
               x = std::move(x)]() mutable {
    serve<Stream>(std::move(s), std::move(m), cp, std::move(x));
  }).detach();
}

template void start_exec<plain_stream>(plain_stream&&,
                                       http::request<http::string_body>,
                                       control_plane&, const api_request&);
template void start_exec<tls_stream>(tls_stream&&,
                                     http::request<http::string_body>,
                                     control_plane&, const api_request&);

} // namespace kc::sim
