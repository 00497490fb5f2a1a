#include "cmd/link_nft.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <vector>

namespace kc::cmd::link {

namespace {

constexpr const char* table = "kubecombo_link";

/// Runs argv with `input` on stdin; stdout+stderr into `out`.
int run(const std::vector<std::string>& argv, const std::string& input,
        std::string& out) {
  int in[2], res[2];
  if (::pipe(in) != 0)
    return -1;
  if (::pipe(res) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return -1;
  }
  pid_t pid = ::fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(res[1], 1);
    ::dup2(res[1], 2);
    ::close(in[0]);
    ::close(in[1]);
    ::close(res[0]);
    ::close(res[1]);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(res[1]);
  std::string_view rest = input;
  while (!rest.empty()) {
    auto n = ::write(in[1], rest.data(), rest.size());
    if (n <= 0)
      break;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ::close(in[1]);
  std::array<char, 4096> buf;
  for (;;) {
    auto n = ::read(res[0], buf.data(), buf.size());
    if (n <= 0)
      break;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(res[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

} // namespace

bool valid_netns_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || name[0] == '.')
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_'
        && c != '.')
      return false;
  return true;
}

std::string find_node_netns(const std::string& node, std::string& err) {
  namespace fs = std::filesystem;
  std::vector<std::string> found;
  std::error_code ec;
  auto suffix = "-" + node;
  for (fs::directory_iterator it{"/run/netns", ec}, end; !ec && it != end;
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.rfind("kc", 0) == 0 && name.size() > suffix.size()
        && name.compare(name.size() - suffix.size(), suffix.size(), suffix)
               == 0)
      found.push_back(name);
  }
  if (found.size() == 1)
    return found[0];
  if (found.empty())
    err = "no network namespace for node \"" + node
          + "\" (is `kubecombo up` running as root? `ip netns list`)";
  else
    err = "several namespaces for node \"" + node
          + "\"; pick one with --netns (" + found[0] + ", " + found[1] + ")";
  return "";
}

std::string down_rules(bool all) {
  // Not --all: the gateway (the control plane) first, accepted.
  std::string in
      = all ? "" : "    iifname \"eth0\" ip saddr 198.18.0.1 accept\n";
  std::string out
      = all ? "" : "    oifname \"eth0\" ip daddr 198.18.0.1 accept\n";
  std::string t = table;
  // Declaring the table first makes the delete succeed when it is absent.
  return "table inet " + t + "\ndelete table inet " + t + "\ntable inet " + t
         + " {\n  chain in {\n    type filter hook input priority -10; policy "
           "accept;\n"
         + in + "    iifname \"eth0\" drop\n  }\n"
         + "  chain out {\n    type filter hook output priority -10; policy "
           "accept;\n"
         + out + "    oifname \"eth0\" drop\n  }\n}\n";
}

std::string up_rules() {
  // Declaring the table first makes the delete succeed when it is absent.
  return std::string("table inet ") + table + "\ndelete table inet " + table
         + "\n";
}

int nft(const std::string& netns, const std::string& script, std::string& out) {
  return run({"ip", "netns", "exec", netns, "nft", "-f", "-"}, script, out);
}

int nft_list(const std::string& netns, std::string& out) {
  std::string text;
  int rc = run(
      {"ip", "netns", "exec", netns, "nft", "list", "table", "inet", table}, "",
      text);
  if (rc != 0 && text.find("No such file") != std::string::npos) {
    out.clear();
    return 0;
  }
  out = text;
  return rc;
}

} // namespace kc::cmd::link
