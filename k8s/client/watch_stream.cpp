// The watch half of api_client: one dedicated connection per watch, the
// body split into lines (CONVENTIONS rule 22), each line decoded at the
// edge into a watch_event (rule 25).

#include "k8s/client/client_impl.hpp"
#include "k8s/client/watch_reader.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>

#include <spdlog/spdlog.h>

#include <mutex>

namespace kc::k8s {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

class watch_state : public watch_handle,
                    public std::enable_shared_from_this<watch_state> {
public:
  watch_state(asio::io_context& io, std::shared_ptr<client_liveness> alive)
    : io_(io), alive_(std::move(alive)) {
  }

  void cancel() override {
    if (cancelled.exchange(true))
      return;
    std::lock_guard guard{alive_->mtx};
    if (!alive_->alive)
      return;
    asio::post(io_, [self = shared_from_this()] {
      if (self->conn)
        self->conn->close();
    });
  }

  bool active() const override { return active_flag.load(); }

  std::atomic<bool> cancelled{false};
  std::atomic<bool> active_flag{true};
  /// The connection of the running watch; io thread only.
  connection* conn = nullptr;

private:
  asio::io_context& io_;
  std::shared_ptr<client_liveness> alive_;
};

asio::awaitable<void> run_watch(api_client::impl& c, api_request req, uint64_t id,
                                watch_callbacks cb,
                                std::shared_ptr<watch_state> st) {
  api_error result;
  try {
    bool reauth_done = false;
    for (int attempt = 0; attempt < 3 && !st->cancelled; ++attempt) {
      co_await c.throttle();
      std::string authorization;
      if ((result = c.prepare_auth(authorization)))
        break;
      std::string error;
      bool timed_out = false;
      auto conn = co_await c.pool.acquire(c.cfg.request_timeout, error,
                                          timed_out, false);
      if (!conn) {
        result = make_error(timed_out ? kc::ec::timeout : kc::ec::network_error,
                            error);
        break;
      }
      c.opened = c.pool.opened();
      st->conn = conn.get();
      if (st->cancelled) // cancelled while connecting
        break;
      auto hreq = c.make_http_request(req, authorization, true);
      conn->lowest().expires_after(c.cfg.request_timeout);
      auto [wec, wn] = co_await conn->visit(
        [&](auto& s) { return http::async_write(s, hreq, nothrow); });
      watch_parser parser;
      parser.body_limit(boost::none);
      beast::error_code hec = wec;
      if (!hec) {
        auto [rec, rn] = co_await conn->visit([&](auto& s) {
          return http::async_read_header(s, conn->buffer, parser, nothrow);
        });
        hec = rec;
      }
      if (hec) {
        result = make_error(hec == beast::error::timeout ? kc::ec::timeout
                                                         : kc::ec::network_error,
                            "watch " + req.target + ": " + hec.message());
        st->conn = nullptr;
        break;
      }
      if (req.timeout.count() > 0)
        conn->lowest().expires_after(req.timeout);
      else
        conn->lowest().expires_never();
      auto status = parser.get().result_int();
      line_splitter splitter(status == 200 ? c.cfg.max_watch_line : 1u << 20);
      if (status != 200) {
        std::string text;
        auto collect = [&](std::string_view line) {
          text.append(line).push_back('\n');
          return true;
        };
        auto retry_after = std::string(parser.get()[http::field::retry_after]);
        co_await conn->visit([&](auto& s) {
          return read_watch_body(s, conn->buffer, parser, splitter, collect, 4096);
        });
        text.append(splitter.pending());
        st->conn = nullptr;
        conn->close();
        result = error_from_response(status, text, retry_after);
        if (status == 401 && !reauth_done && c.creds.invalidate()) {
          reauth_done = true;
          result = {};
          continue;
        }
        break;
      }
      auto on_line = [&](std::string_view line) {
        watch_event ev;
        if (auto e = decode_watch_event(line, ev)) {
          result = std::move(e);
          return false;
        }
        if (ev.type == watch_event_type::error) {
          result = error_from_status(*ev.object);
          return false;
        }
        if (!st->cancelled)
          cb.on_event(id, std::move(ev));
        return true;
      };
      auto end = co_await conn->visit([&](auto& s) {
        return read_watch_body(s, conn->buffer, parser, splitter, on_line);
      });
      if (!result)
        result = std::move(end);
      st->conn = nullptr;
      conn->close();
      break;
    }
  } catch (const std::exception& e) {
    result = make_error(kc::ec::unspecified, e.what());
  }
  st->conn = nullptr;
  if (st->cancelled)
    result = make_error(kc::ec::no_error, "cancelled");
  st->active_flag = false;
  try {
    cb.on_done(id, std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("k8s: watch {} on_done threw: {}", id, e.what());
  }
}

} // namespace

std::shared_ptr<watch_handle>
api_client::watch(api_request req, uint64_t request_id, watch_callbacks callbacks) {
  auto st = std::make_shared<watch_state>(*impl_->io, impl_->liveness);
  asio::co_spawn(*impl_->io,
                 run_watch(*impl_, std::move(req), request_id,
                           std::move(callbacks), st),
                 asio::detached);
  return st;
}

} // namespace kc::k8s
