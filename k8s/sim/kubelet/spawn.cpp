#include "k8s/sim/kubelet/spawn.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kc::sim::kubelet_spawn {

namespace {

/// mkdir -p without allocation (safe after fork).
void mkdir_p(const char* path) {
  char buf[4096];
  std::size_t n = std::strlen(path);
  if (n >= sizeof buf)
    return;
  std::memcpy(buf, path, n + 1);
  for (std::size_t i = 1; i <= n; ++i)
    if (buf[i] == '/' || buf[i] == 0) {
      char c = buf[i];
      buf[i] = 0;
      ::mkdir(buf, 0755);
      buf[i] = c;
    }
}

/// Child side: reports errno + step over `fd` and exits.
[[noreturn]] void fail(int fd, int step) {
  int msg[2] = {errno, step};
  auto n = ::write(fd, msg, sizeof msg);
  (void)n;
  ::_exit(127);
}

/// Volume sources are opened at these descriptor numbers in the child.
constexpr int first_mount_fd = 900;

struct prepared {
  std::vector<char*> argv, envp;
  std::vector<std::string> targets, sources;
  std::vector<bool> ro, is_file;
  std::vector<std::string> paths;
  std::string upper, work, root, opts;
};

} // namespace

bool can_sandbox() {
  return ::geteuid() == 0;
}

std::string find_executable(const std::string& cmd,
                            const std::string& path_env) {
  if (cmd.empty())
    return "";
  if (cmd.find('/') != std::string::npos)
    return ::access(cmd.c_str(), X_OK) == 0 ? cmd : "";
  std::size_t start = 0;
  while (start <= path_env.size()) {
    auto end = path_env.find(':', start);
    if (end == std::string::npos)
      end = path_env.size();
    auto dir = path_env.substr(start, end - start);
    if (!dir.empty()) {
      auto p = dir + "/" + cmd;
      struct stat st{};
      if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)
          && ::access(p.c_str(), X_OK) == 0)
        return p;
    }
    start = end + 1;
  }
  return "";
}

process start(const spec& s, std::string& error) {
  process out;
  prepared p;
  for (auto& a : s.argv)
    p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (auto& e : s.env)
    p.envp.push_back(const_cast<char*>(e.c_str()));
  p.envp.push_back(nullptr);
  p.upper = s.scratch + "/u";
  p.work = s.scratch + "/w";
  p.root = s.scratch + "/r";
  p.opts = "lowerdir=/,upperdir=" + p.upper + ",workdir=" + p.work;
  for (auto& m : s.mounts) {
    // Opened here, mounted after chroot through /proc/self/fd/N, so
    // symlinks in mount paths (/var/run → /run) resolve inside the root.
    // (opened in the child's mount namespace at fixed numbers).
    p.paths.push_back(m.source);
    p.sources.push_back("/proc/self/fd/"
                        + std::to_string(first_mount_fd + p.paths.size() - 1));
    p.targets.push_back(m.target);
    p.ro.push_back(m.read_only);
    struct stat st{};
    p.is_file.push_back(::stat(m.source.c_str(), &st) == 0
                        && !S_ISDIR(st.st_mode));
  }
  std::vector<std::string> sys_targets;
  for (auto d : {"/proc", "/dev", "/sys"})
    sys_targets.push_back(p.root + d);
  auto wd = s.working_dir.empty() ? std::string("/") : s.working_dir;
  int outp[2], errp[2], status_p[2];
  if (::pipe2(outp, O_CLOEXEC) || ::pipe2(errp, O_CLOEXEC)
      || ::pipe2(status_p, O_CLOEXEC)) {
    error = std::string("pipe: ") + std::strerror(errno);
    return out;
  }
  std::string hostname; // the pod's name, as gethostname() shows it
  for (auto& e : s.env)
    if (e.rfind("HOSTNAME=", 0) == 0)
      hostname = e.substr(9);
  int netns = -1;
  if (!s.netns.empty())
    netns = ::open(s.netns.c_str(), O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int fd = status_p[1];
    if (netns >= 0 && ::setns(netns, CLONE_NEWNET) != 0)
      fail(fd, 1);
    if (s.sandbox) {
      if (::unshare(CLONE_NEWNS | CLONE_NEWUTS) != 0)
        fail(fd, 2);
      if (!hostname.empty())
        ::sethostname(hostname.data(), hostname.size());
      ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
      if (::mount("tmpfs", s.scratch.c_str(), "tmpfs", 0, "mode=0755") != 0)
        fail(fd, 3);
      ::mkdir(p.upper.c_str(), 0755);
      ::mkdir(p.work.c_str(), 0755);
      ::mkdir(p.root.c_str(), 0755);
      if (::mount("overlay", p.root.c_str(), "overlay", 0, p.opts.c_str()) != 0)
        fail(fd, 4);
      const char* sys[] = {"/proc", "/dev", "/sys"};
      for (int i = 0; i < 3; ++i)
        ::mount(sys[i], sys_targets[i].c_str(), nullptr, MS_BIND | MS_REC,
                nullptr);
      for (std::size_t i = 0; i < p.paths.size(); ++i) {
        int src = ::open(p.paths[i].c_str(), O_PATH | O_CLOEXEC);
        if (src < 0
            || ::dup3(src, first_mount_fd + static_cast<int>(i), O_CLOEXEC) < 0)
          fail(fd, 5);
        ::close(src);
      }
      if (::chroot(p.root.c_str()) != 0 || ::chdir("/") != 0)
        fail(fd, 6);
      for (std::size_t i = 0; i < p.targets.size(); ++i) {
        const char* t = p.targets[i].c_str();
        if (p.is_file[i]) {
          char dir[4096];
          std::size_t n = std::strlen(t);
          if (n < sizeof dir) {
            std::memcpy(dir, t, n + 1);
            if (auto slash = std::strrchr(dir, '/'))
              *slash = 0;
            mkdir_p(dir);
          }
          int f = ::open(t, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
          if (f >= 0)
            ::close(f);
        } else {
          // A directory volume over a file of the host image (hostPath
          // /etc/localtime): the volume wins, in this pod's overlay only.
          struct stat st;
          if (::stat(t, &st) == 0 && !S_ISDIR(st.st_mode))
            ::unlink(t);
          mkdir_p(t);
        }
        if (::mount(p.sources[i].c_str(), t, nullptr, MS_BIND | MS_REC,
                    nullptr)
            != 0)
          fail(fd, 5);
        if (p.ro[i])
          ::mount(nullptr, t, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY,
                  nullptr);
      }
    }
    if (::chdir(wd.c_str()) != 0 && ::chdir("/") != 0)
      fail(fd, 7);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(outp[1], 1);
    ::dup2(errp[1], 2);
    ::execve(s.exe.c_str(), p.argv.data(), p.envp.data());
    fail(fd, 8);
  }
  if (netns >= 0)
    ::close(netns);
  ::close(outp[1]);
  ::close(errp[1]);
  ::close(status_p[1]);
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    ::close(outp[0]);
    ::close(errp[0]);
    ::close(status_p[0]);
    return out;
  }
  int msg[2] = {0, 0};
  auto n = ::read(status_p[0], msg, sizeof msg);
  ::close(status_p[0]);
  if (n == static_cast<ssize_t>(sizeof msg)) {
    ::waitpid(pid, nullptr, 0);
    ::close(outp[0]);
    ::close(errp[0]);
    static const char* steps[] = {"",       "setns",  "unshare", "tmpfs",
                                  "overlay", "mount", "chroot",  "chdir",
                                  "exec"};
    error = msg[1] == 8 ? "exec: \"" + s.exe + "\": " + std::strerror(msg[0])
                        : std::string(msg[1] >= 0 && msg[1] < 9
                                        ? steps[msg[1]]
                                        : "start")
                            + ": "
                            + std::strerror(msg[0]);
    return out;
  }
  out.pid = pid;
  out.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  out.out = outp[0];
  out.err = errp[0];
  ::fcntl(out.out, F_SETFL, O_NONBLOCK);
  ::fcntl(out.err, F_SETFL, O_NONBLOCK);
  return out;
}

} // namespace kc::sim::kubelet_spawn
