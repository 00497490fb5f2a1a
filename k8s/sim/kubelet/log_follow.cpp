#include "k8s/sim/kubelet/log_follow.hpp"

#include "k8s/sim/kubelet/pod_log.hpp"

#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <deque>
#include <fstream>

namespace kc::sim {

namespace {

constexpr auto follow_period = std::chrono::milliseconds(100);

/// The container's state in the pod's status: "running", "waiting" (not
/// yet started), "stopped" (terminated or backing off), "" (no status).
std::string container_phase(const json::object& pod,
                            const std::string& container) {
  if (auto st = obj_at(pod, "status"))
    for (auto key : {"containerStatuses", "initContainerStatuses"})
      if (auto a = k8s::arr_at(*st, key))
        for (auto& c : *a) {
          if (!c.is_object() || str_at(c.as_object(), "name") != container)
            continue;
          auto state = obj_at(c.as_object(), "state");
          if (!state)
            return "";
          if (state->contains("running"))
            return "running";
          if (auto w = obj_at(*state, "waiting")) {
            auto r = str_at(*w, "reason");
            if (r == "ContainerCreating" || r == "PodInitializing")
              return "waiting";
          }
          return "stopped";
        }
  return "";
}

std::string first_container(const json::object& pod) {
  if (auto spec = obj_at(pod, "spec"))
    if (auto cs = k8s::arr_at(*spec, "containers");
        cs && !cs->empty() && (*cs)[0].is_object())
      return str_at((*cs)[0].as_object(), "name");
  return "";
}

template <class Stream>
class log_follow : public std::enable_shared_from_this<log_follow<Stream>> {
public:
  log_follow(Stream&& s, control_plane& cp, const api_request& req)
    : stream_(std::move(s)), cp_(cp), timer_(stream_.get_executor()) {
    auto segs = split_path(req.path);
    ns_ = segs.size() > 3 ? segs[3] : "";
    name_ = segs.size() > 5 ? segs[5] : "";
    container_ = req.param_or("container", "");
    q_ = parse_log_query(req, container_);
  }

  void start() {
    beast::get_lowest_layer(stream_)
        .expires_never(); // lives as long as the log
    auto pod = cp_.objects.get("pods", ns_, name_);
    if (pod) {
      uid_ = meta_str(pod->obj, "uid");
      if (container_.empty())
        container_ = first_container(pod->obj);
      run_ = logged_restart_count(pod->obj, container_);
      if (q_.previous && run_ > 0)
        --run_;
      path_ = container_log_path(cp_.kubelet_dir + "/pods/" + uid_, container_,
                                 run_);
    }
    out_ = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           "Cache-Control: no-cache, private\r\nConnection: close\r\n"
           "Transfer-Encoding: chunked\r\n\r\n";
    // The first answer honours tailLines; what follows is appended.
    std::deque<std::string> lines;
    read_lines([&](std::string l) {
      lines.push_back(std::move(l));
      if (q_.tail && lines.size() > static_cast<std::size_t>(*q_.tail))
        lines.pop_front();
    });
    for (auto& l : lines)
      emit(l);
    if (!pod || q_.previous)
      done_ = true;
    watch_disconnect();
    flush();
    if (!done_)
      arm();
  }

private:
  /// Complete lines appended to the log file since the last call.
  template <class Fn>
  void read_lines(Fn&& fn) {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return;
    char buf[65536];
    for (int i = 0; i < 64; ++i) {
      auto n = ::pread(fd, buf, sizeof buf, offset_);
      if (n <= 0)
        break;
      offset_ += n;
      partial_.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    std::size_t start = 0;
    for (auto nl = partial_.find('\n'); nl != std::string::npos;
         nl = partial_.find('\n', start)) {
      if (auto t = log_line_text(partial_.substr(start, nl - start),
                                 q_.timestamps, q_.since))
        fn(std::move(*t));
      start = nl + 1;
    }
    partial_.erase(0, start);
  }

  void emit(const std::string& line) {
    std::string text = line + "\n";
    if (q_.limit_bytes) {
      auto left = *q_.limit_bytes - sent_;
      if (left <= 0) {
        done_ = true;
        return;
      }
      if (static_cast<int64_t>(text.size()) > left)
        text.resize(static_cast<std::size_t>(left));
    }
    sent_ += static_cast<int64_t>(text.size());
    chunk_ += text;
  }

  void arm() {
    timer_.expires_after(follow_period);
    auto self = this->shared_from_this();
    timer_.async_wait([self](beast::error_code ec) {
      if (!ec && !self->closed_)
        self->tick();
    });
  }

  void tick() {
    auto pod = cp_.objects.get("pods", ns_, name_);
    bool over = !pod || meta_str(pod->obj, "uid") != uid_
                || logged_restart_count(pod->obj, container_) != run_
                || container_phase(pod->obj, container_) == "stopped";
    // Read after looking at the status: a stopped container's log is
    // complete by the time its status says so.
    read_lines([&](std::string l) { emit(l); });
    if (over)
      done_ = true;
    flush();
    if (!done_)
      arm();
  }

  void flush() {
    if (writing_ || closed_)
      return;
    if (!chunk_.empty()) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", chunk_.size());
      out_ += size + chunk_ + "\r\n";
      chunk_.clear();
    }
    if (done_ && !ended_) {
      out_ += "0\r\n\r\n";
      ended_ = true;
    }
    if (out_.empty()) {
      if (ended_)
        close();
      return;
    }
    wire_ = std::move(out_);
    out_.clear();
    writing_ = true;
    auto self = this->shared_from_this();
    net::async_write(stream_, net::buffer(wire_),
                     [self](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec)
                         return self->close();
                       self->flush();
                     });
  }

  void watch_disconnect() {
    // A following client sends nothing more: any completion ends it.
    auto self = this->shared_from_this();
    stream_.async_read_some(
        net::buffer(sink_),
        [self](beast::error_code, std::size_t) { self->close(); });
  }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    timer_.cancel();
    auto& tcp = beast::get_lowest_layer(stream_);
    beast::error_code ec;
    tcp.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    tcp.close();
  }

  Stream stream_;
  control_plane& cp_;
  net::steady_timer timer_;
  std::string ns_, name_, uid_, container_, path_;
  log_query q_;
  int run_ = 0;
  off_t offset_ = 0;
  int64_t sent_ = 0;
  std::string partial_, chunk_, out_, wire_;
  std::array<char, 512> sink_{};
  bool writing_ = false, done_ = false, ended_ = false, closed_ = false;
};

} // namespace

bool is_log_follow(const control_plane& cp, const api_request& req) {
  if (cp.kubelet_dir.empty() || req.method != "GET")
    return false;
  bool follow = false;
  if (auto f = req.param("follow"); !f || !parse_go_bool(*f, follow) || !follow)
    return false;
  auto segs = split_path(req.path);
  return segs.size() == 7 && segs[0] == "api" && segs[1] == "v1"
         && segs[2] == "namespaces" && segs[4] == "pods" && segs[6] == "log";
}

template <class Stream>
void start_log_follow(Stream&& stream, control_plane& cp,
                      const api_request& req) {
  std::make_shared<log_follow<Stream>>(std::move(stream), cp, req)->start();
}

template void start_log_follow<plain_stream>(plain_stream&&, control_plane&,
                                             const api_request&);
template void start_log_follow<tls_stream>(tls_stream&&, control_plane&,
                                           const api_request&);

} // namespace kc::sim
