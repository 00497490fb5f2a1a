#include "probes/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kc::checks {

const char* to_string(check_status s) {
  switch (s) {
    case check_status::ok:
      return "ok";
    case check_status::problem:
      return "problem";
    case check_status::unknown:
      break;
  }
  return "unknown";
}

std::vector<check_item> check_result::failed_items() const {
  std::vector<check_item> out;
  for (auto& i : items)
    if (!i.error.empty())
      out.push_back(i);
  return out;
}

std::string preflight(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return std::string{"cannot stat: "} + std::strerror(errno);
  if (!S_ISREG(st.st_mode))
    return "not a regular file";
  if ((st.st_mode & 0111) == 0)
    return "not executable";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::string{"cannot open: "} + std::strerror(errno);
  char head[512];
  auto n = ::read(fd, head, sizeof head);
  ::close(fd);
  if (n >= 2 && head[0] == '#' && head[1] == '!') {
    std::string_view first(head, static_cast<size_t>(n));
    auto nl = first.find('\n');
    first = first.substr(0, nl);
    if (!first.empty() && first.back() == '\r')
      return "script has CRLF line endings (convert with dos2unix)";
  }
  return {};
}

namespace {

void close_pair(int p[2]) {
  if (p[0] >= 0)
    ::close(p[0]);
  if (p[1] >= 0)
    ::close(p[1]);
}

} // namespace

child_process spawn_in_session(const std::string& given_path,
                               const std::vector<std::string>& args,
                               char* const* envp, std::string& error) {
  child_process child;
  // The child changes into the check's directory before exec: resolve first.
  std::error_code ec;
  std::string path = std::filesystem::absolute(given_path, ec).string();
  if (ec)
    path = given_path;
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    error = std::string{"pipe: "} + std::strerror(errno);
    close_pair(out);
    close_pair(err);
    return child;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty())
    dir = "/";
  posix_spawn_file_actions_addchdir_np(&fa, dir.c_str());
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK
                                      | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, path.c_str(), &fa, &attr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    error = rc == ENOEXEC
                ? "cannot execute: exec format error (missing #! line?)"
                : std::string{"cannot execute: "} + std::strerror(rc);
    ::close(out[0]);
    ::close(err[0]);
    return child;
  }
  child.pid = pid;
  child.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  child.out_fd = out[0];
  child.err_fd = err[0];
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  ::fcntl(err[0], F_SETFL, O_NONBLOCK);
  return child;
}

std::string sanitize_utf8(std::string_view raw) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      if (c == '\r' && (i + 1 == raw.size() || raw[i + 1] == '\n')) {
        // CRLF output: drop the CR.
      } else if (c >= 0x20 && c != 0x7f) {
        out += static_cast<char>(c);
      } else if (c == '\n' || c == '\t') {
        out += static_cast<char>(c);
      } else {
        out += replacement;
      }
      ++i;
      continue;
    }
    size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    bool valid = len != 0 && i + len <= raw.size();
    uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; valid && k < len; ++k) {
      auto cc = static_cast<unsigned char>(raw[i + k]);
      valid = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (valid)
      valid = (len == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF))
              || (len == 4 && cp >= 0x10000 && cp <= 0x10FFFF) || len == 2;
    if (valid) {
      out.append(raw.substr(i, len));
      i += len;
    } else {
      out += replacement;
      ++i;
    }
  }
  return out;
}

namespace {

bool item_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || std::strchr("_.-/@:%+=,[]", c) != nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty()
         && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

void merge_item(std::vector<check_item>& items, std::string name,
                std::string error) {
  for (auto& it : items) {
    if (it.name != name)
      continue;
    if (error.empty() || it.error == error)
      return;
    it.error = it.error.empty() ? error : it.error + "; " + error;
    return;
  }
  items.push_back({std::move(name), std::move(error)});
}

std::string first_line(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    if (!line.empty())
      return std::string{line.substr(0, 300)};
    if (nl == std::string_view::npos)
      break;
    text.remove_prefix(nl + 1);
  }
  return {};
}

} // namespace

std::vector<check_item> parse_items(std::string_view text) {
  std::vector<check_item> items;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{}
                                        : text.substr(nl + 1);
    auto sep = line.find(": ");
    if (sep == 0 || sep == std::string_view::npos || sep > 128)
      continue;
    auto name = line.substr(0, sep);
    bool ok = true;
    for (char c : name)
      ok = ok && item_char(c);
    auto message = trim(line.substr(sep + 2));
    if (!ok || message.empty())
      continue;
    bool fine = message == "ok" || message == "OK";
    merge_item(items, std::string{name},
               fine ? std::string{} : std::string{message});
  }
  return items;
}

std::string describe_exit(const check_result& r) {
  if (r.term_signal != 0) {
    const char* abbrev = sigabbrev_np(r.term_signal);
    return std::string{"killed by SIG"}
           + (abbrev ? abbrev : std::to_string(r.term_signal));
  }
  if (r.exit_code >= 0)
    return "exit " + std::to_string(r.exit_code);
  return "not run";
}

void classify(check_result& r, std::string_view out) {
  r.items.clear();
  if (r.reason.empty()) {
    if (r.term_signal != 0) {
      r.reason = describe_exit(r);
    } else if (r.exit_code == 0) {
      r.status = check_status::ok;
      r.items = parse_items(out);
      return;
    } else if (r.exit_code == 1) {
      r.status = check_status::problem;
      r.items = parse_items(out);
      if (r.failed_items().empty()) {
        auto line = first_line(out);
        if (line.empty())
          line = first_line(r.output);
        merge_item(r.items, r.spec.name, line.empty() ? "exit status 1" : line);
      }
      return;
    } else {
      r.reason = "exit status " + std::to_string(r.exit_code);
      if (auto line = first_line(r.output); !line.empty())
        r.reason += ": " + line.substr(0, 200);
    }
  }
  r.status = check_status::unknown;
  r.items.push_back({r.spec.name, "unknown: " + r.reason});
}

} // namespace kc::checks
