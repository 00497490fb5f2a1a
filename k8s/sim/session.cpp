#include "k8s/sim/session.hpp"

#include "k8s/sim/authn.hpp"
#include "k8s/sim/kubelet/exec_ws.hpp"
#include "k8s/sim/kubelet/log_follow.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>
#include <type_traits>

namespace kc::sim {

namespace {

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

template <class Stream>
beast::tcp_stream& tcp_of(Stream& s) {
  return beast::get_lowest_layer(s);
}

} // namespace

template <class Stream>
session<Stream>::session(Stream&& stream, control_plane& cp)
  : stream_(std::move(stream)), cp_(cp), timer_(stream_.get_executor()) {
}

template <class Stream>
void session<Stream>::run() {
  auto self = this->shared_from_this();
  net::dispatch(stream_.get_executor(), [self] {
    if constexpr (is_tls<Stream>) {
      tcp_of(self->stream_).expires_after(std::chrono::seconds(30));
      self->stream_.async_handshake(
        net::ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec)
            return self->close();
          self->do_read();
        });
    } else {
      self->do_read();
    }
  });
}

template <class Stream>
void session<Stream>::do_read() {
  parser_.emplace();
  parser_->body_limit(max_body_bytes);
  parser_->header_limit(64 * 1024);
  tcp_of(stream_).expires_after(std::chrono::seconds(300));
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&session::on_read,
                                             this->shared_from_this()));
}

template <class Stream>
void session<Stream>::authenticate(const http::request<http::string_body>& msg,
                                   api_request& req) {
  // ADR 0007: users, groups and the Impersonate-* headers.
  for (auto& f : msg)
    if (is_impersonation_header(f.name_string())) {
      std::string name(f.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.impersonate.emplace_back(std::move(name), std::string(f.value()));
    }
  ssl_st* ssl = nullptr;
  if constexpr (is_tls<Stream>)
    ssl = stream_.native_handle();
  kc::sim::authenticate(cp_, msg[http::field::authorization], ssl, req);
}

template <class Stream>
void session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    api_response r = from_status(k8s::status_too_large(
      "Request entity too large: limit is 3145728"));
    return respond(std::move(r), false);
  }
  if (ec)
    return close();
  auto& msg = parser_->get();
  api_request req;
  req.method = std::string(msg.method_string());
  split_target(msg.target(), req.path, req.query);
  req.accept = std::string(msg[http::field::accept]);
  req.content_type = std::string(msg[http::field::content_type]);
  req.body = std::move(msg.body());
  authenticate(msg, req);
  if (req.authenticated && is_exec_upgrade(msg, req.path)) { // ADR 0073
    closed_ = true;
    return start_exec(std::move(stream_), std::move(msg), cp_, req);
  }
  if (cp_.cfg.fault_api && req.authenticated && cp_.faults.should_reset(req)) {
    // Fault API (ADR 0012): abort with a TCP RST, no answer.
    beast::error_code lec;
    tcp_of(stream_).socket().set_option(net::socket_base::linger(true, 0),
                                        lec);
    closed_ = true;
    tcp_of(stream_).close();
    return;
  }
  bool keep_alive = msg.keep_alive();
  api_response resp;
  try {
    resp = cp_.handle(req);
  } catch (const std::exception& e) {
    resp = from_status(k8s::status_internal(e.what()));
  }
  if (resp.watch)
    return start_watch(std::move(resp.watch));
  if (resp.code == 200 && is_log_follow(cp_, req)) { // ADR 0074
    closed_ = true;
    return start_log_follow(std::move(stream_), cp_, req);
  }
  respond(std::move(resp), keep_alive && !resp.close);
}

template <class Stream>
void session<Stream>::respond(api_response&& r, bool keep_alive) {
  auto res = std::make_shared<http::response<http::string_body>>(
    static_cast<http::status>(r.code), 11);
  res->set(http::field::content_type, r.content_type);
  res->set(http::field::cache_control, "no-cache, private");
  for (auto& [k, v] : r.headers)
    res->insert(k, v);
  res->body() = std::move(r.body);
  res->keep_alive(keep_alive);
  res->prepare_payload();
  response_ = res;
  http::async_write(stream_, *res,
                    beast::bind_front_handler(&session::on_write,
                                              this->shared_from_this(),
                                              keep_alive));
}

template <class Stream>
void session<Stream>::on_write(bool keep_alive, beast::error_code ec,
                               std::size_t) {
  response_.reset();
  if (ec)
    return close();
  if (!keep_alive)
    return linger();
  do_read();
}

template <class Stream>
void session<Stream>::linger() {
  // Half-close and drain what the client still sends (e.g. the rest of a
  // body over the limit), so it can read our answer instead of a reset.
  auto& tcp = tcp_of(stream_);
  beast::error_code ec;
  tcp.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  tcp.expires_after(std::chrono::seconds(10));
  auto self = this->shared_from_this();
  tcp.async_read_some(net::buffer(sink_),
                      [self](beast::error_code ec, std::size_t) {
                        if (ec)
                          return self->close();
                        self->linger();
                      });
}

template <class Stream>
void session<Stream>::close() {
  if (closed_)
    return;
  closed_ = true;
  timer_.cancel();
  if (watch_)
    watch_->cancel();
  beast::error_code ec;
  tcp_of(stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  tcp_of(stream_).close();
}

template <class Stream>
void session<Stream>::start_watch(std::shared_ptr<watch_stream> w) {
  watch_ = std::move(w);
  tcp_of(stream_).expires_never();
  std::weak_ptr<session> weak = this->shared_from_this();
  auto exec = stream_.get_executor();
  watch_->set_notify([weak, exec] {
    net::post(exec, [weak] {
      if (auto self = weak.lock())
        self->pump();
    });
  });
  pieces_.clear();
  pieces_.push_back(std::make_shared<const std::string>(
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-cache, private\r\n"
    "Connection: close\r\n"
    "Transfer-Encoding: chunked\r\n\r\n"));
  // With a watch delay (fault API) even the first events go through pump(),
  // which holds them back; otherwise they ride along with the headers.
  bool delayed = cp_.cfg.fault_api && cp_.faults.watch_delay().count() > 0;
  bool more = delayed ? true : watch_->produce(pieces_);
  buffers_.clear();
  for (auto& p : pieces_)
    buffers_.emplace_back(p->data(), p->size());
  writing_ = true;
  net::async_write(stream_, buffers_,
                   beast::bind_front_handler(&session::on_watch_write,
                                             this->shared_from_this(), more));
  watch_for_disconnect();
}

template <class Stream>
void session<Stream>::watch_for_disconnect() {
  // Nothing more is expected from a watching client: any read completion
  // (EOF, reset, stray bytes) ends the watch.
  auto self = this->shared_from_this();
  stream_.async_read_some(net::buffer(sink_),
                          [self](beast::error_code, std::size_t) {
                            if (self->watch_)
                              self->watch_->cancel();
                          });
}

template <class Stream>
void session<Stream>::pump() {
  if (writing_ || closed_ || !watch_)
    return;
  pieces_.clear();
  bool more = watch_->produce(pieces_);
  if (pieces_.empty()) {
    if (!more)
      return close();
    return arm_timer();
  }
  buffers_.clear();
  for (auto& p : pieces_)
    buffers_.emplace_back(p->data(), p->size());
  writing_ = true;
  if (cp_.cfg.fault_api && cp_.faults.watch_delay().count() > 0) {
    // Fault API (ADR 0012): hold each delivery back.
    timer_.expires_after(cp_.faults.watch_delay());
    auto self = this->shared_from_this();
    timer_.async_wait([self, more](beast::error_code ec) {
      if (ec || self->closed_)
        return self->close();
      net::async_write(self->stream_, self->buffers_,
                       beast::bind_front_handler(&session::on_watch_write,
                                                 self, more));
    });
    return;
  }
  net::async_write(stream_, buffers_,
                   beast::bind_front_handler(&session::on_watch_write,
                                             this->shared_from_this(), more));
}

template <class Stream>
void session<Stream>::arm_timer() {
  timer_.expires_at(watch_->next_deadline());
  std::weak_ptr<session> weak = this->shared_from_this();
  timer_.async_wait([weak](beast::error_code ec) {
    if (ec)
      return;
    if (auto self = weak.lock())
      self->pump();
  });
}

template <class Stream>
void session<Stream>::on_watch_write(bool more, beast::error_code ec,
                                     std::size_t) {
  writing_ = false;
  pieces_.clear();
  buffers_.clear();
  if (ec || !more)
    return close();
  pump();
}

template class session<plain_stream>;
template class session<tls_stream>;

} // namespace kc::sim
