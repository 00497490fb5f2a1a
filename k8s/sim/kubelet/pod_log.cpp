#include "k8s/sim/kubelet/pod_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>

namespace kc::sim {

namespace {

std::string nano_time(std::chrono::system_clock::time_point now) {
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                now.time_since_epoch())
                .count()
            % 1000000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<long long>(ns));
  return buf;
}

std::string now_nano() {
  return nano_time(std::chrono::system_clock::now());
}

/// An RFC 3339 time (UTC) in the log's fixed-width form, "" if malformed.
std::string since_time(const std::string& t) {
  if (t.size() < 20 || t[10] != 'T')
    return "";
  std::string frac;
  for (std::size_t i = 20; t[19] == '.' && i < t.size()
                           && std::isdigit(static_cast<unsigned char>(t[i]));
       ++i)
    frac += t[i];
  frac.resize(9, '0');
  return t.substr(0, 19) + "." + frac + "Z";
}

} // namespace

int logged_restart_count(const json::object& pod,
                         const std::string& container) {
  if (auto st = obj_at(pod, "status"))
    for (auto key : {"containerStatuses", "initContainerStatuses"})
      if (auto a = k8s::arr_at(*st, key))
        for (auto& c : *a)
          if (c.is_object() && str_at(c.as_object(), "name") == container)
            if (auto r = c.as_object().if_contains("restartCount");
                r && r->is_int64())
              return static_cast<int>(r->as_int64());
  return 0;
}

std::optional<std::string> log_line_text(const std::string& l, bool timestamps,
                                         const std::string& since) {
  // <time> <stream> <tag> <text>
  auto a = l.find(' ');
  auto b = a == std::string::npos ? a : l.find(' ', a + 1);
  auto c = b == std::string::npos ? b : l.find(' ', b + 1);
  if (c == std::string::npos || (!since.empty() && l.substr(0, a) < since))
    return std::nullopt;
  return timestamps ? l.substr(0, a) + " " + l.substr(c + 1) : l.substr(c + 1);
}

std::string container_log_path(const std::string& pod_dir,
                               const std::string& container, int restart) {
  return pod_dir + "/logs/" + container + "/" + std::to_string(restart)
         + ".log";
}

log_writer::log_writer(std::string path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

log_writer::~log_writer() {
  flush();
  if (fd_ >= 0)
    ::close(fd_);
}

void log_writer::line(bool err, const std::string& text) {
  if (fd_ < 0)
    return;
  auto out = now_nano() + (err ? " stderr F " : " stdout F ") + text + "\n";
  auto n = ::write(fd_, out.data(), out.size());
  (void)n;
}

void log_writer::append(bool err, const char* data, std::size_t n) {
  auto& buf = partial_[err ? 1 : 0];
  buf.append(data, n);
  std::size_t start = 0;
  for (auto nl = buf.find('\n'); nl != std::string::npos;
       nl = buf.find('\n', start)) {
    line(err, buf.substr(start, nl - start));
    start = nl + 1;
  }
  buf.erase(0, start);
}

void log_writer::flush() {
  for (int i = 0; i < 2; ++i)
    if (!partial_[i].empty()) {
      line(i == 1, partial_[i]);
      partial_[i].clear();
    }
}

std::optional<std::string> read_pod_log(const std::string& kubelet_dir,
                                        const json::object& pod,
                                        const log_query& q,
                                        std::string& error) {
  if (kubelet_dir.empty())
    return std::nullopt;
  auto pod_dir = kubelet_dir + "/pods/" + meta_str(pod, "uid");
  int run = logged_restart_count(pod, q.container);
  if (q.previous) {
    if (run == 0) {
      error = "previous terminated container \"" + q.container + "\" in pod \""
              + meta_str(pod, "name") + "\" not found";
      return std::nullopt;
    }
    --run;
  }
  std::ifstream in(container_log_path(pod_dir, q.container, run));
  std::deque<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    auto text = log_line_text(l, q.timestamps, q.since);
    if (!text)
      continue;
    lines.push_back(std::move(*text));
    if (q.tail && *q.tail >= 0
        && lines.size() > static_cast<std::size_t>(*q.tail))
      lines.pop_front();
  }
  std::string out;
  for (auto& x : lines)
    out += x + "\n";
  if (q.limit_bytes && *q.limit_bytes >= 0
      && out.size() > static_cast<std::size_t>(*q.limit_bytes))
    out.resize(static_cast<std::size_t>(*q.limit_bytes));
  return out;
}

} // namespace kc::sim

namespace kc::sim {

log_query parse_log_query(const api_request& req,
                          const std::string& container) {
  log_query q;
  q.container = container;
  q.previous = req.param_or("previous", "false") == "true";
  q.timestamps = req.param_or("timestamps", "false") == "true";
  auto number = [&](const char* key) -> std::optional<int64_t> {
    auto v = req.param_or(key, "");
    uint64_t n = 0;
    if (v.empty() || !parse_u64(v, n))
      return std::nullopt;
    return static_cast<int64_t>(n);
  };
  q.tail = number("tailLines");
  q.limit_bytes = number("limitBytes");
  if (auto t = req.param("sinceTime"))
    q.since = since_time(*t);
  else if (auto n = number("sinceSeconds"))
    q.since = nano_time(std::chrono::system_clock::now()
                        - std::chrono::seconds(*n));
  return q;
}

api_response pod_log_response(const std::string& kubelet_dir,
                              const json::object& pod,
                              const std::string& container,
                              const api_request& req) {
  auto q = parse_log_query(req, container);
  std::string error;
  auto text = read_pod_log(kubelet_dir, pod, q, error);
  if (!error.empty())
    return from_status(k8s::status_bad_request(error));
  api_response out;
  out.content_type = "text/plain";
  out.body = text.value_or("");
  return out;
}

} // namespace kc::sim
