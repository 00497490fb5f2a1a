#include "k8s/sim/kubelet/exec_child.hpp"

#include <fcntl.h>
#include <pty.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

namespace kc::sim::kubelet_exec {

namespace {

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0)
      ::close(fd);
}

} // namespace

exec_child start_exec_child(pid_t target, const std::vector<std::string>& cmd,
                            const exec_options& o, std::string& error) {
  exec_child out;
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
  int rootfd
      = ::open((proc + "/root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int i[2] = {-1, -1}, o2[2] = {-1, -1}, e[2] = {-1, -1}, s[2] = {-1, -1};
  int master = -1, slave = -1;
  bool ok
      = netfd >= 0 && mntfd >= 0 && rootfd >= 0 && ::pipe2(s, O_CLOEXEC) == 0;
  if (ok && o.tty) {
    ok = ::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0;
    if (ok) {
      ::fcntl(master, F_SETFD, FD_CLOEXEC);
      ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    }
  } else if (ok) {
    ok = ::pipe2(o2, O_CLOEXEC) == 0 && ::pipe2(e, O_CLOEXEC) == 0
         && (!o.stdin || ::pipe2(i, O_CLOEXEC) == 0);
  }
  if (!ok) {
    error = "container is not running";
    close_all({netfd, mntfd, rootfd, i[0], i[1], o2[0], o2[1], e[0], e[1], s[0],
               s[1], master, slave});
    return out;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (o.tty) {
      ::setsid();
      ::ioctl(slave, TIOCSCTTY, 0);
    } else {
      ::setpgid(0, 0);
    }
    ::setns(netfd, CLONE_NEWNET);
    ::setns(mntfd, CLONE_NEWNS);
    if (::fchdir(rootfd) == 0 && ::chroot(".") == 0 && ::chdir("/") == 0) {
      if (o.tty) {
        for (int fd = 0; fd < 3; ++fd)
          ::dup2(slave, fd);
      } else {
        int in = o.stdin ? i[0] : ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(o2[1], 1);
        ::dup2(e[1], 2);
      }
      ::execvpe(argv[0], argv.data(), envp.data());
    }
    int err = errno;
    auto n = ::write(s[1], &err, sizeof err);
    (void)n;
    ::_exit(127);
  }
  close_all({netfd, mntfd, rootfd, i[0], o2[1], e[1], s[1], slave});
  if (pid < 0) {
    error = "fork failed";
    close_all({i[1], o2[0], e[0], s[0], master});
    return out;
  }
  int err = 0;
  if (::read(s[0], &err, sizeof err) == sizeof err)
    error = "OCI runtime exec failed: exec failed: unable to start container "
            "process: exec: \""
            + cmd[0] + "\": " + std::strerror(err) + ": unknown";
  ::close(s[0]);
  out.pid = pid;
  out.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (o.tty) {
    out.out = master;
    out.in = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
  } else {
    out.out = o2[0];
    out.err = e[0];
    out.in = i[1];
  }
  return out;
}

void resize_terminal(int fd, unsigned width, unsigned height) {
  winsize ws{};
  ws.ws_col = static_cast<unsigned short>(width);
  ws.ws_row = static_cast<unsigned short>(height);
  ::ioctl(fd, TIOCSWINSZ, &ws);
}

} // namespace kc::sim::kubelet_exec
