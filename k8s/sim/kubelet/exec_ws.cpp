#include "k8s/sim/kubelet/exec_ws.hpp"

#include "k8s/sim/authz.hpp"
#include "k8s/sim/kubelet/exec_child.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <deque>
#include <fstream>
#include <optional>

namespace kc::sim {

namespace {

namespace websocket = beast::websocket;

struct exec_request {
  std::string ns, pod, container;
  std::vector<std::string> command;
  kubelet_exec::exec_options opts;
  bool want_out = true, want_err = true;
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

/// The RBAC check of the upgrade: `create` on pods/exec (ADR 0073);
/// impersonation applies first. A response means denied.
std::optional<api_response> exec_denied(control_plane& cp, api_request req,
                                        const exec_request& x) {
  if (auto bad = authorize_request(cp, req))
    return bad;
  if (req.user.empty() || has_group(req.groups, "system:masters"))
    return std::nullopt;
  authz_attributes a;
  a.user = req.user;
  a.groups = req.groups;
  a.verb = "create";
  a.version = "v1";
  a.resource = "pods";
  a.subresource = "exec";
  a.ns = x.ns;
  a.name = x.pod;
  auto d = authorize(cp, a);
  if (d.allowed)
    return std::nullopt;
  return forbidden_response(a, d.reason);
}

/// One exec connection, served on the connection's strand.
template <class Stream>
class exec_session : public std::enable_shared_from_this<exec_session<Stream>> {
public:
  exec_session(Stream&& s, http::request<http::string_body> msg,
               control_plane& cp, exec_request x)
    : ws_(std::move(s)), msg_(std::move(msg)), cp_(cp), x_(std::move(x)) {}

  ~exec_session() {
    if (child_.pid > 0) {
      ::kill(-child_.pid, SIGKILL);
      ::waitpid(child_.pid, nullptr, 0);
    }
  }

  void start(std::optional<api_response> denied) {
    auto self = this->shared_from_this();
    beast::get_lowest_layer(ws_).expires_never();
    if (denied) {
      auto res = std::make_shared<http::response<http::string_body>>(
          static_cast<http::status>(denied->code), 11);
      res->set(http::field::content_type, denied->content_type);
      res->body() = std::move(denied->body);
      res->keep_alive(false);
      res->prepare_payload();
      http::async_write(ws_.next_layer(), *res,
                        [self, res](beast::error_code, std::size_t) {
                          beast::error_code ec;
                          beast::get_lowest_layer(self->ws_).socket().shutdown(
                              net::ip::tcp::socket::shutdown_both, ec);
                          beast::get_lowest_layer(self->ws_).close();
                        });
      return;
    }
    std::string offered(msg_[http::field::sec_websocket_protocol]);
    std::string proto = offered.find("v5.channel.k8s.io") != std::string::npos
                            ? "v5.channel.k8s.io"
                            : "v4.channel.k8s.io";
    v5_ = proto[1] == '5';
    ws_.set_option(
        websocket::stream_base::decorator([proto](websocket::response_type& r) {
          r.set(http::field::sec_websocket_protocol, proto);
        }));
    ws_.async_accept(msg_, [self](beast::error_code ec) {
      if (!ec)
        self->on_accept();
    });
  }

private:
  void on_accept() {
    ws_.binary(true);
    std::string error;
    if (x_.command.empty()) {
      error = "you must specify at least one command for the container";
    } else if (auto pid = container_pid(cp_, x_, error); pid > 0) {
      child_ = kubelet_exec::start_exec_child(pid, x_.command, x_.opts, error);
      if (child_.pid > 0 && !error.empty()) {
        ::waitpid(child_.pid, nullptr, 0);
        child_.pid = -1;
      }
    }
    if (child_.pid <= 0) {
      for (int fd : {child_.in, child_.out, child_.err, child_.pidfd})
        if (fd >= 0)
          ::close(fd);
      child_ = {};
      return finish(status(-1, x_.command, error));
    }
    auto ex = ws_.get_executor();
    out_.emplace(ex, child_.out);
    open_ = 1;
    read_output(*out_, obuf_, 1);
    if (child_.err >= 0) {
      err_.emplace(ex, child_.err);
      ++open_;
      read_output(*err_, ebuf_, 2);
    }
    if (child_.in >= 0)
      in_.emplace(ex, child_.in);
    if (child_.pidfd >= 0) {
      pidfd_.emplace(ex, child_.pidfd);
      auto self = this->shared_from_this();
      pidfd_->async_wait(net::posix::descriptor_base::wait_read,
                         [self](beast::error_code) { self->reap(); });
    } else {
      reap(); // no pidfd: waits (old kernels only)
    }
    read_ws();
  }

  void read_output(net::posix::stream_descriptor& d,
                   std::array<char, 32768>& buf, char ch) {
    auto self = this->shared_from_this();
    d.async_read_some(net::buffer(buf), [self, &d, &buf,
                                         ch](beast::error_code ec,
                                             std::size_t n) {
      if (!ec && n > 0) {
        if ((ch == 1 && self->x_.want_out) || (ch == 2 && self->x_.want_err))
          self->send(ch, std::string(buf.data(), n));
        return self->read_output(d, buf, ch);
      }
      --self->open_; // EOF (EIO for a terminal whose process ended)
      self->maybe_finish();
    });
  }

  void reap() {
    int st = 0;
    if (::waitpid(child_.pid, &st, 0) == child_.pid) {
      // Whatever the command left running in its group goes with it.
      ::kill(-child_.pid, SIGKILL);
      code_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    child_.pid = -1;
    exited_ = true;
    maybe_finish();
  }

  void read_ws() {
    auto self = this->shared_from_this();
    ws_.async_read(rbuf_, [self](beast::error_code ec, std::size_t) {
      if (ec) {
        // The client went away: the command goes too.
        if (self->child_.pid > 0)
          ::kill(-self->child_.pid, SIGKILL);
        return;
      }
      auto data = beast::buffers_to_string(self->rbuf_.data());
      self->rbuf_.consume(self->rbuf_.size());
      self->on_message(std::move(data));
    });
  }

  void on_message(std::string data) {
    if (data.empty())
      return read_ws();
    char ch = data[0];
    if (ch == 0 && in_ && data.size() > 1) {
      stdin_buf_ = data.substr(1);
      auto self = this->shared_from_this();
      return net::async_write(*in_, net::buffer(stdin_buf_),
                              [self](beast::error_code ec, std::size_t) {
                                if (ec)
                                  self->in_.reset();
                                self->read_ws();
                              });
    }
    if (ch == 4 && child_.err < 0 && out_) // resize (TTY)
      resize(data.substr(1));
    if (static_cast<unsigned char>(ch) == 255 && v5_ && data.size() > 1
        && data[1] == 0 && child_.err >= 0)
      in_.reset(); // v5: the client closed stdin
    read_ws();
  }

  void resize(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
      return;
    auto num = [&](const char* k) -> unsigned {
      auto p = v.as_object().if_contains(k);
      return p && p->is_number() ? p->to_number<unsigned>() : 0;
    };
    kubelet_exec::resize_terminal(out_->native_handle(), num("Width"),
                                  num("Height"));
  }

  void maybe_finish() {
    if (exited_ && open_ == 0 && !finished_)
      finish(status(code_, x_.command, ""));
  }

  void finish(std::string final_status) {
    finished_ = true;
    in_.reset();
    send(3, std::move(final_status));
    closing_ = true;
    pump();
  }

  void send(char ch, std::string data) {
    queue_.push_back(std::string(1, ch) + data);
    pump();
  }

  void pump() {
    if (writing_)
      return;
    auto self = this->shared_from_this();
    if (queue_.empty()) {
      if (closing_ && !closed_) {
        closed_ = true;
        ws_.async_close(websocket::close_code::normal,
                        [self](beast::error_code) {});
      }
      return;
    }
    writing_ = true;
    ws_.async_write(net::buffer(queue_.front()),
                    [self](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->queue_.pop_front();
                      if (ec) {
                        self->queue_.clear();
                        return;
                      }
                      self->pump();
                    });
  }

  websocket::stream<Stream> ws_;
  http::request<http::string_body> msg_;
  control_plane& cp_;
  exec_request x_;
  kubelet_exec::exec_child child_;
  std::optional<net::posix::stream_descriptor> out_, err_, in_, pidfd_;
  std::array<char, 32768> obuf_{}, ebuf_{};
  beast::flat_buffer rbuf_;
  std::string stdin_buf_;
  std::deque<std::string> queue_;
  int open_ = 0, code_ = -1;
  bool v5_ = false, exited_ = false, finished_ = false, writing_ = false,
       closing_ = false, closed_ = false;
};

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
  exec_request x;
  x.ns = p[3];
  x.pod = p[5];
  x.container = req.param_or("container", "");
  for (auto& [k, v] : req.query)
    if (k == "command")
      x.command.push_back(v);
  auto flag = [&](const char* k, bool dflt) {
    bool v = dflt;
    if (auto p = req.param(k))
      parse_go_bool(*p, v);
    return v;
  };
  x.opts.stdin = flag("stdin", false);
  x.opts.tty = flag("tty", false);
  x.want_out = flag("stdout", true);
  x.want_err = flag("stderr", true);
  auto denied = exec_denied(cp, req, x);
  std::make_shared<exec_session<Stream>>(std::move(stream), std::move(msg), cp,
                                         std::move(x))
      ->start(std::move(denied));
}

template void start_exec<plain_stream>(plain_stream&&,
                                       http::request<http::string_body>,
                                       control_plane&, const api_request&);
template void start_exec<tls_stream>(tls_stream&&,
                                     http::request<http::string_body>,
                                     control_plane&, const api_request&);

} // namespace kc::sim
