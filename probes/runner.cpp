#include "probes/runner.hpp"

#include "probes/process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <random>

extern char** environ;

namespace kc::checks {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct running {
  std::size_t index = 0;
  child_process child;
  clock::time_point started;
  clock::time_point timeout_at;
  clock::time_point sigkill_at = clock::time_point::max();
  clock::time_point drain_until = clock::time_point::max();
  bool term_sent = false;
  bool kill_sent = false;
  bool exited = false;
  std::string out;
  std::string err;
  check_result result;
};

// Builds the child environment: the agent's, overridden by `extra`.
std::vector<std::string> build_env(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    vars[kv.substr(0, kv.find('='))] = kv;
  }
  for (auto& kv : extra)
    vars[kv.substr(0, kv.find('='))] = kv;
  std::vector<std::string> out;
  for (auto& [k, kv] : vars)
    out.push_back(kv);
  return out;
}

std::string seconds_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

void signal_group(running& r, int sig) {
  // The leader is not reaped before this, so its pid still names the group.
  if (!r.exited && r.child.pid > 0)
    ::killpg(r.child.pid, sig);
}

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

// Reads what is available from `fd` into `buf`, keeping at most `cap` bytes
// across both streams of `r`. Closes `fd` on EOF or error.
void drain_fd(int& fd, std::string& buf, running& r, std::size_t cap) {
  char chunk[16384];
  for (int round = 0; round < 16 && fd >= 0; ++round) {
    auto n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      auto used = r.out.size() + r.err.size();
      auto room = cap > used ? cap - used : 0;
      auto keep = std::min<std::size_t>(room, static_cast<std::size_t>(n));
      buf.append(chunk, keep);
      r.result.output_dropped += static_cast<std::size_t>(n) - keep;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    close_fd(fd);
  }
}

void finish(running& r) {
  close_fd(r.child.out_fd);
  close_fd(r.child.err_fd);
  close_fd(r.child.pidfd);
  auto out = sanitize_utf8(r.out);
  auto err = sanitize_utf8(r.err);
  r.result.output = out;
  if (!err.empty()) {
    if (!r.result.output.empty() && r.result.output.back() != '\n')
      r.result.output += '\n';
    r.result.output += err;
  }
  classify(r.result, out);
}

} // namespace

std::vector<check_result> run_checks(const std::vector<check_spec>& checks,
                                     const runner_options& opt) {
  std::vector<check_result> results(checks.size());
  auto env_strings = build_env(opt.env);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);

  auto begin = clock::now();
  auto deadline = opt.deadline.count() > 0 ? begin + opt.deadline
                                           : clock::time_point::max();
  std::minstd_rand rng{std::random_device{}()};
  std::vector<std::pair<clock::time_point, std::size_t>> pending;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    auto jitter
        = opt.start_jitter.count() > 0
              ? std::chrono::milliseconds(rng() % opt.start_jitter.count())
              : 0ms;
    pending.emplace_back(begin + jitter, i);
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](auto& a, auto& b) { return a.first < b.first; });
  std::deque<std::pair<clock::time_point, std::size_t>> queue(pending.begin(),
                                                              pending.end());
  std::vector<running> active;
  auto concurrency = std::max<std::size_t>(opt.concurrency, 1);

  auto deliver = [&](std::size_t index, check_result r) {
    results[index] = std::move(r);
    if (opt.on_result)
      opt.on_result(results[index]);
  };

  bool stopping = false;
  std::string stop_reason;
  while (!queue.empty() || !active.empty()) {
    auto now = clock::now();
    if (!stopping && (now >= deadline || (opt.cancel && opt.cancel->load()))) {
      stopping = true;
      stop_reason = now >= deadline ? "run deadline exceeded ("
                                          + seconds_text(opt.deadline) + ")"
                                    : "cancelled (agent stopping)";
      for (auto& r : active)
        if (!r.exited && !r.term_sent) {
          r.result.reason = stop_reason;
          signal_group(r, SIGTERM);
          r.term_sent = true;
          r.sigkill_at = now + opt.kill_grace;
        }
    }
    if (stopping) {
      while (!queue.empty()) {
        check_result r;
        r.spec = checks[queue.front().second];
        r.reason = "not started: " + stop_reason;
        classify(r, {});
        deliver(queue.front().second, std::move(r));
        queue.pop_front();
      }
    }
    // Start what may start.
    while (!queue.empty() && active.size() < concurrency
           && queue.front().first <= now) {
      auto index = queue.front().second;
      queue.pop_front();
      check_result r;
      r.spec = checks[index];
      r.reason = preflight(r.spec.path);
      child_process child;
      if (r.reason.empty())
        child
            = spawn_in_session(r.spec.path, r.spec.args, envp.data(), r.reason);
      if (child.pid < 0) {
        classify(r, {});
        deliver(index, std::move(r));
        continue;
      }
      running run;
      run.index = index;
      run.child = child;
      run.started = now;
      run.timeout_at = now + opt.check_timeout;
      run.result = std::move(r);
      active.push_back(std::move(run));
    }
    // Timeouts and escalation.
    for (auto& r : active) {
      if (!r.exited && !r.term_sent && now >= r.timeout_at) {
        r.result.timed_out = true;
        r.result.reason = "timed out after " + seconds_text(opt.check_timeout);
        signal_group(r, SIGTERM);
        r.term_sent = true;
        r.sigkill_at = now + opt.kill_grace;
      }
      if (!r.exited && r.term_sent && !r.kill_sent && now >= r.sigkill_at) {
        signal_group(r, SIGKILL);
        r.kill_sent = true;
      }
    }
    // Collect finished ones.
    for (auto it = active.begin(); it != active.end();) {
      bool pipes_closed = it->child.out_fd < 0 && it->child.err_fd < 0;
      if (it->exited && (pipes_closed || now >= it->drain_until)) {
        finish(*it);
        deliver(it->index, std::move(it->result));
        it = active.erase(it);
      } else {
        ++it;
      }
    }
    if (queue.empty() && active.empty())
      break;
    // Wait for the next event.
    auto wake = deadline;
    if (!queue.empty() && active.size() < concurrency)
      wake = std::min(wake, queue.front().first);
    for (auto& r : active) {
      if (!r.exited)
        wake = std::min(
            wake, r.term_sent
                      ? (r.kill_sent ? clock::time_point::max() : r.sigkill_at)
                      : r.timeout_at);
      else
        wake = std::min(wake, r.drain_until);
    }
    if (opt.cancel)
      wake = std::min(wake, now + 200ms);
    std::vector<pollfd> fds;
    std::vector<std::pair<std::size_t, int>> owners; // (active index, which fd)
    for (std::size_t i = 0; i < active.size(); ++i) {
      auto& c = active[i].child;
      if (c.out_fd >= 0) {
        fds.push_back({c.out_fd, POLLIN, 0});
        owners.emplace_back(i, 0);
      }
      if (c.err_fd >= 0) {
        fds.push_back({c.err_fd, POLLIN, 0});
        owners.emplace_back(i, 1);
      }
      if (!active[i].exited && c.pidfd >= 0) {
        fds.push_back({c.pidfd, POLLIN, 0});
        owners.emplace_back(i, 2);
      }
    }
    int timeout_ms = -1;
    if (wake != clock::time_point::max()) {
      auto ms
          = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(ms, 0, 60'000));
    } else if (fds.empty()) {
      timeout_ms = 50; // only a pidfd-less child could get here
    }
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR)
      break;
    for (std::size_t k = 0; n > 0 && k < fds.size(); ++k) {
      if (fds[k].revents == 0)
        continue;
      auto& r = active[owners[k].first];
      switch (owners[k].second) {
        case 0:
          drain_fd(r.child.out_fd, r.out, r, opt.output_cap);
          break;
        case 1:
          drain_fd(r.child.err_fd, r.err, r, opt.output_cap);
          break;
        default:
          break;
      }
    }
    // Reap exited leaders (pidfd readable or, without pidfd, by polling).
    auto after = clock::now();
    for (auto& r : active) {
      if (r.exited)
        continue;
      int status = 0;
      // Kill leftovers of the group while the leader's pid still names it.
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(r.child.pid), &info,
                   WEXITED | WNOHANG | WNOWAIT)
              != 0
          || info.si_pid == 0)
        continue;
      ::killpg(r.child.pid, SIGKILL);
      if (::waitpid(r.child.pid, &status, 0) != r.child.pid)
        continue;
      r.exited = true;
      r.result.duration = after - r.started;
      r.drain_until = after + opt.drain;
      if (WIFEXITED(status))
        r.result.exit_code = WEXITSTATUS(status);
      else if (WIFSIGNALED(status))
        r.result.term_signal = WTERMSIG(status);
    }
  }
  return results;
}

} // namespace kc::checks
