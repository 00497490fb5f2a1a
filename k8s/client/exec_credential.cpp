#include "k8s/client/exec_credential.hpp"

#include "k8s/client/config_error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kc::k8s {

namespace {

constexpr size_t max_output = 1u << 20;

std::string exec_info(const exec_config& exec, const exec_cluster_info& c) {
  boost::json::object spec{{"interactive", false}};
  if (exec.provide_cluster_info) {
    boost::json::object cl{{"server", c.server}};
    if (!c.tls_server_name.empty())
      cl["tls-server-name"] = c.tls_server_name;
    if (c.insecure_skip_tls_verify)
      cl["insecure-skip-tls-verify"] = true;
    if (!c.certificate_authority_data.empty())
      cl["certificate-authority-data"] = base64_encode(c.certificate_authority_data);
    spec["cluster"] = std::move(cl);
  }
  boost::json::object info{{"apiVersion", exec.api_version},
                           {"kind", "ExecCredential"},
                           {"spec", std::move(spec)}};
  return boost::json::serialize(info);
}

std::string first_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  for (auto& ch : s)
    if (ch == '\n' || ch == '\r')
      ch = ' ';
  return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

} // namespace

std::optional<std::chrono::system_clock::time_point>
parse_rfc3339(const std::string& s) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed)
        != 6
      || consumed != 19)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string_view rest(s.c_str() + consumed);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9')
      rest.remove_prefix(1);
  }
  long offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-')
             && rest[3] == ':') {
    int h = 0, m = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &h, &m) != 2)
      return std::nullopt;
    offset = (h * 3600L + m * 60L) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  auto t = timegm(&tm);
  if (t == static_cast<time_t>(-1))
    return std::nullopt;
  // system_clock counts nanoseconds in 64 bits (until 2262): clamp far
  // expiries ("2999-01-01") instead of overflowing into the past.
  constexpr time_t year_2200 = 7258118400;
  if (t - offset > year_2200)
    return std::chrono::system_clock::from_time_t(year_2200);
  return std::chrono::system_clock::from_time_t(t - offset);
}

bool parse_exec_credential(const std::string& json, const std::string& api_version,
                           exec_credential& out, std::string& error) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) {
    error = "plugin output is not a JSON object: " + first_line(json);
    return false;
  }
  auto& o = v.get_object();
  auto* kind = o.if_contains("kind");
  if (!kind || !kind->is_string() || kind->get_string() != "ExecCredential") {
    error = "plugin output is not an ExecCredential";
    return false;
  }
  auto* av = o.if_contains("apiVersion");
  if (!av || !av->is_string() || av->get_string() != api_version) {
    error = "plugin returned apiVersion '"
            + (av && av->is_string() ? std::string(av->get_string()) : "")
            + "', want '" + api_version + "'";
    return false;
  }
  auto* st = o.if_contains("status");
  if (!st || !st->is_object()) {
    error = "ExecCredential has no status";
    return false;
  }
  auto& s = st->get_object();
  auto str = [&](const char* k) -> std::string {
    auto* x = s.if_contains(k);
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  out = {};
  out.token = str("token");
  out.client_certificate_data = str("clientCertificateData");
  out.client_key_data = str("clientKeyData");
  if (out.client_certificate_data.empty() != out.client_key_data.empty()) {
    error = "ExecCredential status needs both clientCertificateData and clientKeyData";
    return false;
  }
  if (out.token.empty() && out.client_certificate_data.empty()) {
    error = "ExecCredential status has neither token nor clientCertificateData";
    return false;
  }
  if (auto ts = str("expirationTimestamp"); !ts.empty()) {
    out.expiry = parse_rfc3339(ts);
    if (!out.expiry) {
      error = "invalid status.expirationTimestamp '" + ts + "'";
      return false;
    }
  }
  return true;
}

bool run_exec_plugin(const exec_config& exec, const exec_cluster_info& cluster,
                     std::chrono::milliseconds timeout, exec_credential& out,
                     std::string& error) {
  if (exec.interactive_mode == "Always") {
    error = "exec plugin " + exec.command
            + ": interactiveMode Always needs a terminal, which kubecombo never has";
    return false;
  }
  std::vector<std::string> env_store;
  for (char** e = environ; e && *e; ++e)
    env_store.emplace_back(*e);
  for (auto& [k, v] : exec.env)
    env_store.push_back(k + "=" + v);
  env_store.push_back("KUBERNETES_EXEC_INFO=" + exec_info(exec, cluster));
  std::vector<char*> envp;
  for (auto& s : env_store)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_store{exec.command};
  arg_store.insert(arg_store.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (auto& s : arg_store)
    argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    return error = std::strerror(errno), false;
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return error = std::strerror(errno), false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, exec.command.c_str(), &fa, nullptr, argv.data(),
                        envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    error = "exec plugin " + exec.command + ": " + std::strerror(rc);
    if (!exec.install_hint.empty())
      error += " (" + first_line(exec.install_hint) + ")";
    return false;
  }
  std::string stdout_text, stderr_text;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      char buf[4096];
      auto n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      auto& dst = i == 0 ? stdout_text : stderr_text;
      if (dst.size() < max_output)
        dst.append(buf, static_cast<size_t>(n));
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0)
      close(f.fd);
  if (timed_out)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    error = "exec plugin " + exec.command + " did not finish within "
            + std::to_string(timeout.count()) + " ms";
    return false;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "exec plugin " + exec.command + " failed ("
            + (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                 : std::string("killed by a signal"))
            + ")";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !exec.install_hint.empty())
      error += " (" + first_line(exec.install_hint) + ")";
    if (!stderr_text.empty())
      error += ": " + first_line(stderr_text);
    return false;
  }
  if (!parse_exec_credential(stdout_text, exec.api_version, out, error)) {
    error = "exec plugin " + exec.command + ": " + error;
    return false;
  }
  return true;
}

} // namespace kc::k8s
