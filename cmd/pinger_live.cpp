#include "cmd/pinger_live.hpp"

#include "probes/target.hpp"

#include <boost/asio/post.hpp>

#include <future>
#include <memory>

namespace kc::cmd {

namespace {

struct put_reply {
  std::optional<uint32_t> slot;
  std::string error;
};

put_reply put_now(pinger_session& s, uint8_t proto, const std::string& label,
                  uint8_t kind) {
  put_reply r;
  probes::target_spec spec;
  if (proto >= 4
      || !probes::parse_target(static_cast<probes::protocol>(proto), label,
                               spec, r.error))
    return r;
  r.slot = s.put(spec, r.error, kind);
  return r;
}

} // namespace

live_session::live_session(boost::asio::io_context& io, pinger_session& session)
  : io_(io), session_(session) {}

std::optional<uint32_t> live_session::put(uint8_t proto,
                                          const std::string& label,
                                          std::string& error, uint8_t kind) {
  std::shared_ptr<std::promise<put_reply>> done;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopped_) {
      error = "shutting down";
      return std::nullopt;
    }
    if (!running_) {
      auto r = put_now(session_, proto, label, kind);
      error = r.error;
      return r.slot;
    }
    done = std::make_shared<std::promise<put_reply>>();
    boost::asio::post(io_, [this, done, proto, label, kind] {
      done->set_value(put_now(session_, proto, label, kind));
    });
  }
  auto f = done->get_future();
  if (f.wait_for(std::chrono::seconds{2}) != std::future_status::ready) {
    error = "the probe engines did not answer within 2 s";
    return std::nullopt;
  }
  auto r = f.get();
  error = r.error;
  return r.slot;
}

void live_session::drop(uint8_t proto, uint32_t slot) {
  if (proto >= 4)
    return;
  auto p = static_cast<probes::protocol>(proto);
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopped_)
    return;
  if (!running_)
    session_.drop(p, slot);
  else
    boost::asio::post(io_, [this, p, slot] { session_.drop(p, slot); });
}

void live_session::reschedule(probes::schedule s) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (stopped_)
    return;
  if (!running_)
    session_.reschedule(s);
  else
    boost::asio::post(io_, [this, s] { session_.reschedule(s); });
}

std::vector<std::string> live_session::start() {
  std::lock_guard<std::mutex> guard{mtx_};
  running_ = true;
  return session_.start({});
}

void live_session::stop() {
  std::lock_guard<std::mutex> guard{mtx_};
  stopped_ = true;
}

} // namespace kc::cmd
