#include "probes/dns_engine.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <ares.h>
#include <arpa/nameser.h>

#include <mutex>
#include <unordered_map>

namespace kc::probes {

struct dns_engine::query {
  dns_engine* self = nullptr;
  uint32_t slot = 0;
  uint32_t gen = 0;
};

namespace {

struct watch {
  watch(asio::io_context& io, int fd) : sd(io, fd) {}
  asio::posix::stream_descriptor sd;
  bool want_read = false, want_write = false;
  bool reading = false, writing = false, alive = true;
};

outcome outcome_of_status(int status) {
  switch (status) {
    case ARES_SUCCESS:
      return outcome::ok;
    case ARES_ENODATA:
      return outcome::nodata;
    case ARES_ENOTFOUND:
      return outcome::nxdomain;
    case ARES_ESERVFAIL:
    case ARES_EFORMERR:
    case ARES_ENOTIMP:
    case ARES_EBADRESP:
      return outcome::servfail;
    case ARES_EREFUSED:
      return outcome::dns_refused;
    case ARES_ECONNREFUSED:
      return outcome::refused;
    case ARES_ETIMEOUT:
      return outcome::timeout;
    default:
      return outcome::send_error;
  }
}

// Lower is more telling when neither A nor AAAA answered.
int rank(outcome o) {
  switch (o) {
    case outcome::ok:
      return 0;
    case outcome::nxdomain:
      return 1;
    case outcome::servfail:
      return 2;
    case outcome::dns_refused:
      return 3;
    case outcome::refused:
      return 4;
    case outcome::nodata:
      return 5;
    case outcome::timeout:
      return 6;
    default:
      return 7;
  }
}

} // namespace

struct dns_engine::channel {
  dns_engine* self = nullptr;
  ares_channel ch = nullptr;
  bool search = true; // system resolver: use the search list
  std::unordered_map<int, std::shared_ptr<watch>> watches;

  void arm(const std::shared_ptr<watch>& w, int fd) {
    using base = asio::posix::descriptor_base;
    if (w->want_read && !w->reading) {
      w->reading = true;
      w->sd.async_wait(base::wait_read, [this, w, fd](auto ec) {
        w->reading = false;
        if (ec || !w->alive)
          return;
        ares_process_fd(ch, fd, ARES_SOCKET_BAD);
        self->flush_if_urgent();
        if (w->alive)
          arm(w, fd);
      });
    }
    if (w->want_write && !w->writing) {
      w->writing = true;
      w->sd.async_wait(base::wait_write, [this, w, fd](auto ec) {
        w->writing = false;
        if (ec || !w->alive)
          return;
        ares_process_fd(ch, ARES_SOCKET_BAD, fd);
        self->flush_if_urgent();
        if (w->alive)
          arm(w, fd);
      });
    }
  }

  static void state_cb(void* data, ares_socket_t fd, int readable,
                       int writable) {
    auto* c = static_cast<channel*>(data);
    auto it = c->watches.find(fd);
    if (!readable && !writable) {
      if (it != c->watches.end()) {
        it->second->alive = false;
        it->second->sd.release(); // c-ares closes the fd itself
        c->watches.erase(it);
      }
      return;
    }
    if (it == c->watches.end())
      it = c->watches.emplace(fd, std::make_shared<watch>(c->self->io_, fd))
               .first;
    it->second->want_read = readable;
    it->second->want_write = writable;
    c->arm(it->second, fd);
  }

  ~channel() {
    if (ch)
      ares_destroy(ch);
    for (auto& [fd, w] : watches) {
      w->alive = false;
      w->sd.release();
    }
  }
};

namespace {

void on_answer(void* arg, int status, int, unsigned char*, int) {
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION)
    return;
  auto* q = static_cast<dns_engine::query*>(arg);
  q->self->answered(*q, status);
}

} // namespace

dns_engine::dns_engine(asio::io_context& io, result_sink& sink,
                       std::chrono::milliseconds timeout)
  : probe_engine(io, protocol::dns, sink), timeout_(timeout),
    resolver_timer_(io) {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

dns_engine::~dns_engine() {
  channels_.clear();
}

dns_engine::channel* dns_engine::channel_for(const std::string& server) {
  if (auto it = channels_.find(server); it != channels_.end())
    return it->second.get();
  auto c = std::make_unique<channel>();
  c->self = this;
  c->search = server.empty();
  ares_options opts{};
  // A little under the engine's deadline, so c-ares reports "refused" or
  // "timeout" itself instead of racing the engine's expiry.
  opts.timeout
      = static_cast<int>(std::max<int64_t>(timeout_.count() * 9 / 10, 1));
  opts.tries = 1;
  opts.flags = ARES_FLAG_NOCHECKRESP; // report SERVFAIL/REFUSED, do not retry
  opts.sock_state_cb = &channel::state_cb;
  opts.sock_state_cb_data = c.get();
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS
             | ARES_OPT_SOCK_STATE_CB;
  if (int rc = ares_init_options(&c->ch, &opts, mask); rc != ARES_SUCCESS) {
    error_ = std::string("DNS resolver setup failed: ") + ares_strerror(rc);
    c->ch = nullptr;
    return nullptr;
  }
  if (!server.empty()) {
    if (int rc = ares_set_servers_ports_csv(c->ch, server.c_str());
        rc != ARES_SUCCESS) {
      error_ = "bad DNS server \"" + server + "\": " + ares_strerror(rc);
      return nullptr;
    }
  }
  return channels_.emplace(server, std::move(c)).first->second.get();
}

std::optional<uint32_t> dns_engine::add(const std::string& name,
                                        const std::string& server) {
  auto* c = channel_for(server);
  if (!c)
    return std::nullopt;
  targets_.push_back({name, c});
  auto slot = static_cast<uint32_t>(targets_.size() - 1);
  queries_.push_back({this, slot, 0});
  queries_.push_back({this, slot, 0});
  return add_slot();
}

void dns_engine::send(std::span<const uint32_t> slots) {
  for (auto s : slots) {
    auto& t = targets_[s];
    auto& q = queries_[s * 2 + (gen(s) & 1)];
    q.gen = gen(s);
    t.outstanding = 2;
    t.best = outcome::timeout;
    t.first_ok = 0;
    sent(s, real_now_ns());
    outstanding_ += 2;
    for (int type : {ns_t_a, ns_t_aaaa}) {
      if (t.chan->search)
        ares_search(t.chan->ch, t.name.c_str(), ns_c_in, type, on_answer, &q);
      else
        ares_query(t.chan->ch, t.name.c_str(), ns_c_in, type, on_answer, &q);
    }
  }
  tick_resolver();
  flush_if_urgent();
}

void dns_engine::answered(query& q, int status) {
  if (outstanding_ > 0)
    --outstanding_;
  auto& t = targets_[q.slot];
  bool current = q.gen == gen(q.slot) && t.outstanding > 0;
  if (current)
    --t.outstanding;
  if (!pending(q.slot, q.gen)) {
    if (!current) // the probe already timed out
      ++counters_.late;
    return;
  }
  auto o = outcome_of_status(status);
  if (o == outcome::ok && t.first_ok == 0)
    t.first_ok = real_now_ns();
  if (rank(o) < rank(t.best))
    t.best = o;
  // One family answering is enough; otherwise wait for both.
  if (o == outcome::ok || t.outstanding == 0)
    complete(q.slot, q.gen, t.best,
             t.best == outcome::ok ? t.first_ok - sent_at(q.slot) : -1);
}

void dns_engine::tick_resolver() {
  // c-ares handles its own timeouts when called; poke it while busy.
  if (ticking_ || outstanding_ == 0 || !running())
    return;
  ticking_ = true;
  resolver_timer_.expires_after(std::chrono::milliseconds{10});
  resolver_timer_.async_wait([this](const boost::system::error_code& ec) {
    ticking_ = false;
    if (ec)
      return;
    for (auto& [_, c] : channels_)
      ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    flush_if_urgent();
    tick_resolver();
  });
}

void dns_engine::shutdown() {
  resolver_timer_.cancel();
  for (auto& [_, c] : channels_)
    ares_cancel(c->ch);
  outstanding_ = 0;
}

} // namespace kc::probes
