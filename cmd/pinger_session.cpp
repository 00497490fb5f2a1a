#include "cmd/pinger_session.hpp"

#include "cmd/pinger_legacy.hpp"
#include "telemetry/metrics.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstdio>
#include <ostream>

namespace kc::cmd {

using namespace kc::probes;
namespace ip = asio::ip;

struct pinger_session::entry {
  std::string label;
  protocol proto;
  target_stats stats;
  std::string error; // unresolvable: never probed
  uint32_t slot = 0;
  uint8_t kind = 0; // 0 listed, 1 peer pod, 2 node (legacy metrics)
  telemetry::family<telemetry::gauge>::handle up, loss;
};

struct pinger_session::metrics {
  using counter_h = telemetry::family<telemetry::counter>::handle;
  telemetry::family<telemetry::counter>* probes_total;
  std::vector<counter_h> by_outcome[4];
  telemetry::family<telemetry::histogram>::handle rtt[4];
  telemetry::family<telemetry::gauge>* targets;
  counter_h send_errors[4], recv_errors[4], late[4];
  telemetry::family<telemetry::gauge>::handle lag[4];
  engine_counters published[4];
};

namespace {

size_t index(protocol p) {
  return static_cast<size_t>(p);
}

// Resolves a host: an IP literal as is, else the first IPv4 (then IPv6)
// address; returns "" or the error text.
std::string resolve(asio::io_context& io, const std::string& host,
                    ip::address& out) {
  boost::system::error_code ec;
  out = ip::make_address(host, ec);
  if (!ec)
    return "";
  ip::tcp::resolver r(io);
  auto results = r.resolve(host, "", ec);
  if (ec)
    return "cannot resolve \"" + host + "\": " + ec.message();
  for (auto& e : results)
    if (e.endpoint().address().is_v4()) {
      out = e.endpoint().address();
      return "";
    }
  if (results.empty())
    return "cannot resolve \"" + host + "\": no address";
  out = results.begin()->endpoint().address();
  return "";
}

} // namespace

pinger_session::pinger_session(asio::io_context& io, session_config cfg)
  : io_(io), cfg_(cfg), metrics_timer_(io) {}

pinger_session::~pinger_session() = default;

size_t pinger_session::size() const {
  return entries_.size();
}

probe_engine* pinger_session::engine(protocol p) {
  switch (p) {
    case protocol::icmp:
      if (!icmp_)
        icmp_ = std::make_unique<icmp_engine>(io_, *this);
      return icmp_.get();
    case protocol::tcp:
      if (!tcp_)
        tcp_ = std::make_unique<tcp_engine>(io_, *this);
      return tcp_.get();
    case protocol::udp:
      if (!udp_)
        udp_ = std::make_unique<udp_engine>(io_, *this);
      return udp_.get();
    case protocol::dns:
      if (!dns_)
        dns_ = std::make_unique<dns_engine>(
            io_, *this,
            std::chrono::duration_cast<std::chrono::milliseconds>(
                cfg_.sched.timeout));
      return dns_.get();
  }
  return nullptr;
}

std::string pinger_session::add(const target_spec& spec) {
  std::string label = spec.text;
  entries_.push_back(
      {label, spec.proto, target_stats(cfg_.stats), {}, 0, 0, {}, {}});
  auto& e = entries_.back();
  auto fail = [&](std::string why) {
    e.error = std::string(flag_of(spec.proto)) + ": " + why;
    return e.error;
  };
  auto n = static_cast<uint32_t>(entries_.size() - 1);
  uint32_t slot = 0;
  if (spec.proto == protocol::dns) {
    auto s = static_cast<dns_engine*>(engine(protocol::dns))
                 ->add(spec.host, spec.server);
    if (!s)
      return fail(dns_->error());
    slot = *s;
  } else {
    ip::address addr;
    if (auto err = resolve(io_, spec.host, addr); !err.empty())
      return fail(err);
    if (spec.proto == protocol::icmp) {
      auto* icmp = static_cast<icmp_engine*>(engine(spec.proto));
      if (icmp->socket_kind(addr.is_v6()) == "disabled") {
        // Said once at start (icmp_engine::error()), not once per target.
        e.error = "--ping: ICMP disabled";
        return "";
      }
      slot = icmp->add(addr);
    } else if (spec.proto == protocol::tcp)
      slot = static_cast<tcp_engine*>(engine(spec.proto))
                 ->add({addr, spec.port});
    else
      slot = static_cast<udp_engine*>(engine(spec.proto))
                 ->add({addr, spec.port});
  }
  e.slot = slot;
  auto& map = by_slot_[index(spec.proto)];
  if (map.size() <= slot)
    map.resize(slot + 1);
  map[slot] = n;
  return "";
}

std::vector<pinger_session::target_info> pinger_session::targets() const {
  std::vector<target_info> out;
  for (auto& e : entries_)
    if (e.error.empty())
      out.push_back({e.label, e.proto, e.slot});
  return out;
}

void pinger_session::add_invalid(std::string error) {
  invalid_.push_back(std::move(error));
}

std::vector<std::string> pinger_session::start(std::function<void()> done) {
  std::vector<std::string> warnings;
  if (icmp_ && !icmp_->error().empty())
    warnings.push_back(icmp_->error());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  std::vector<probe_engine*> engines;
  for (probe_engine* e : {static_cast<probe_engine*>(icmp_.get()),
                          static_cast<probe_engine*>(tcp_.get()),
                          static_cast<probe_engine*>(udp_.get()),
                          static_cast<probe_engine*>(dns_.get())})
    if (e)
      engines.push_back(e);
  started_ = true;
  // Count first: an engine without targets finishes inside start().
  running_ = engines.size();
  for (auto* e : engines) {
    e->on_finished([this, shared_done] {
      if (--running_ == 0 && *shared_done)
        (*shared_done)();
    });
    e->start(cfg_.sched);
  }
  if (engines.empty() && *shared_done)
    asio::post(io_, *shared_done);
  return warnings;
}

std::optional<uint32_t> pinger_session::put(const target_spec& spec,
                                            std::string& error, uint8_t kind) {
  for (auto& e : entries_)
    if (e.proto == spec.proto && e.label == spec.text && e.error.empty()) {
      engine(spec.proto)->resume(e.slot);
      e.kind = kind;
      return e.slot;
    }
  bool fresh_engine = engine_exists(spec.proto) == false;
  error = add(spec);
  auto& e = entries_.back();
  if (!e.error.empty()) {
    if (error.empty())
      error = e.error;
    entries_.pop_back(); // not kept: a later put() tries again
    return std::nullopt;
  }
  e.kind = kind; // peer / node / external: the legacy series it feeds
  if (started_ && fresh_engine)
    engine(spec.proto)->start(cfg_.sched);
  return e.slot;
}

bool pinger_session::engine_exists(protocol p) const {
  switch (p) {
    case protocol::icmp:
      return icmp_ != nullptr;
    case protocol::tcp:
      return tcp_ != nullptr;
    case protocol::udp:
      return udp_ != nullptr;
    case protocol::dns:
      return dns_ != nullptr;
  }
  return false;
}

void pinger_session::drop(protocol p, uint32_t slot) {
  if (engine_exists(p))
    engine(p)->drop(slot);
}

void pinger_session::reschedule(const probes::schedule& s) {
  cfg_.sched.interval = s.interval;
  cfg_.sched.timeout = s.timeout;
  for (auto p : {protocol::icmp, protocol::tcp, protocol::udp, protocol::dns})
    if (engine_exists(p))
      engine(p)->reschedule(cfg_.sched);
}

void pinger_session::stop() {
  for (probe_engine* e : {static_cast<probe_engine*>(icmp_.get()),
                          static_cast<probe_engine*>(tcp_.get()),
                          static_cast<probe_engine*>(udp_.get()),
                          static_cast<probe_engine*>(dns_.get())})
    if (e)
      e->stop();
  metrics_timer_.cancel();
}

void pinger_session::on_results(protocol proto,
                                std::span<const probe_result> batch) {
  auto& map = by_slot_[index(proto)];
  auto* m = metrics_.get();
  for (auto& r : batch) {
    if (m) {
      auto& h = m->by_outcome[index(proto)][static_cast<size_t>(r.result)];
      if (!h)
        h = m->probes_total->with({to_string(proto), to_string(r.result)});
      h->inc();
      if (r.result == outcome::ok)
        m->rtt[index(proto)]->observe(static_cast<double>(r.rtt_ns) * 1e-9);
    }
    if (legacy && r.slot < map.size()) {
      auto& e = entries_[map[r.slot]];
      legacy->observe(proto, e.label, e.kind, r);
    }
    if (forward)
      continue; // the TARGET actors own statistics and state
    auto& e = entries_[map[r.slot]];
    if (!e.stats.record(r))
      continue;
    if (e.up)
      e.up->set(e.stats.state() == target_state::up ? 1 : 0);
    bool quiet_start = e.stats.previous_state() == target_state::unknown
                       && e.stats.state() == target_state::up;
    if (on_transition && !quiet_start)
      on_transition(e.stats.state() == target_state::down,
                    e.stats.transition_line(e.label, proto));
  }
  if (forward)
    forward(proto, batch);
}

bool pinger_session::report(std::ostream& out) const {
  size_t answered = 0;
  for (auto& e : entries_) {
    auto& s = e.stats;
    bool ok = e.error.empty() && s.received() > 0;
    answered += ok;
    char line[512];
    std::string detail;
    if (!e.error.empty()) {
      detail = e.error;
    } else {
      detail = std::to_string(s.received()) + "/" + std::to_string(s.sent())
               + " answered";
      if (s.received() > 0)
        detail += ", rtt p50 " + format_seconds(s.quantile(0.5)) + " p99 "
                  + format_seconds(s.quantile(0.99));
      if (s.last_ttl() != 0)
        detail += ", ttl " + std::to_string(s.last_ttl());
      if (s.last_outcome() != outcome::ok)
        detail += ", last " + std::string(to_string(s.last_outcome()));
    }
    std::snprintf(line, sizeof line, "%-6s %-4s %-28s %s\n",
                  ok ? "ok" : "FAILED", std::string(to_string(e.proto)).c_str(),
                  e.label.c_str(), detail.c_str());
    out << line;
  }
  for (auto& err : invalid_)
    out << "FAILED " << err << '\n';
  size_t total = entries_.size() + invalid_.size();
  out << "pinger: " << answered << " of " << total << " targets answered\n";
  return answered == total;
}

void pinger_session::enable_metrics(telemetry::registry& reg,
                                    size_t max_target_series) {
  metrics_ = std::make_unique<metrics>();
  auto& m = *metrics_;
  std::vector<double> bounds(target_stats::bounds.begin(),
                             target_stats::bounds.end());
  m.probes_total = &reg.add_counter_family(
      "pinger_probes_total", "Probes finished, by protocol and result.",
      {"protocol", "result"});
  auto& rtt = reg.add_histogram_family("pinger_rtt_seconds",
                                       "Round-trip time of answered probes.",
                                       {"protocol"}, bounds);
  m.targets = &reg.add_gauge_family("pinger_targets",
                                    "Targets by protocol and up/down state.",
                                    {"protocol", "state"});
  auto& send_errors
      = reg.add_counter_family("pinger_send_errors_total",
                               "Probes that could not be sent.", {"protocol"});
  auto& recv_errors = reg.add_counter_family(
      "pinger_receive_errors_total", "Failed socket receives.", {"protocol"});
  auto& late = reg.add_counter_family(
      "pinger_late_replies_total", "Replies that arrived after their deadline.",
      {"protocol"});
  auto& lag = reg.add_gauge_family(
      "pinger_scheduling_lag_seconds",
      "Worst delay of a probe behind its schedule.", {"protocol"});
  auto& up = reg.add_gauge_family(
      "pinger_target_up", "1 if the target is up, 0 if down (bounded set).",
      {"protocol", "target"});
  auto& loss = reg.add_gauge_family(
      "pinger_target_loss_ratio",
      "Lost fraction of the target's recent probes (bounded set).",
      {"protocol", "target"});
  for (auto p : {protocol::icmp, protocol::tcp, protocol::udp, protocol::dns}) {
    auto i = index(p);
    auto name = to_string(p);
    m.by_outcome[i].resize(static_cast<size_t>(outcome::disabled) + 1);
    m.rtt[i] = rtt.with({name});
    m.send_errors[i] = send_errors.with({name});
    m.recv_errors[i] = recv_errors.with({name});
    m.late[i] = late.with({name});
    m.lag[i] = lag.with({name});
  }
  families_ = {&up, &loss, m.targets};
  size_t n = 0;
  for (auto& e : entries_) {
    if (forward)
      break; // the TARGETS supervisor hands out the per-target series
    if (!e.error.empty() || n++ >= max_target_series)
      continue;
    e.up = up.with({to_string(e.proto), e.label});
    e.loss = loss.with({to_string(e.proto), e.label});
  }
  publish_engine_counters();
}

void pinger_session::publish_engine_counters() {
  if (!metrics_)
    return;
  auto& m = *metrics_;
  size_t states[4][3] = {};
  for (auto& e : entries_) {
    if (forward)
      break; // published by the TARGETS supervisor
    if (e.error.empty())
      ++states[index(e.proto)][static_cast<size_t>(e.stats.state())];
    if (e.loss)
      e.loss->set(e.stats.loss());
  }
  for (probe_engine* e : {static_cast<probe_engine*>(icmp_.get()),
                          static_cast<probe_engine*>(tcp_.get()),
                          static_cast<probe_engine*>(udp_.get()),
                          static_cast<probe_engine*>(dns_.get())}) {
    if (!e)
      continue;
    auto i = index(e->proto());
    auto& c = e->counters();
    auto& old = m.published[i];
    m.send_errors[i]->inc(static_cast<double>(c.send_errors - old.send_errors));
    m.recv_errors[i]->inc(static_cast<double>(c.recv_errors - old.recv_errors));
    m.late[i]->inc(static_cast<double>(c.late - old.late));
    m.lag[i]->set(static_cast<double>(c.max_lag_ns) * 1e-9);
    old = c;
  }
  for (auto p : {protocol::icmp, protocol::tcp, protocol::udp, protocol::dns})
    for (auto st :
         {target_state::unknown, target_state::up, target_state::down})
      if (!forward && by_slot_[index(p)].size() > 0)
        m.targets->with({to_string(p), to_string(st)})
            ->set(
                static_cast<double>(states[index(p)][static_cast<size_t>(st)]));
  metrics_timer_.expires_after(std::chrono::seconds{1});
  metrics_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec)
      publish_engine_counters();
  });
}

} // namespace kc::cmd
