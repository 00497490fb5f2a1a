#include "probes/target_state.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace kc::probes {

std::string format_utc(int64_t real_ns) {
  if (real_ns <= 0)
    return "-";
  std::time_t secs = static_cast<std::time_t>(real_ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

target_health::target_health(std::string label, protocol proto,
                             health_config cfg)
  : label_(std::move(label)), proto_(proto), cfg_(cfg),
    stats_(stats_config{std::max<uint32_t>(cfg.window, 1),
                        std::max<uint32_t>(cfg.fail_threshold, 1),
                        std::max<uint32_t>(cfg.recover_threshold, 1)}) {
  cfg_.window = std::max<uint32_t>(cfg_.window, 1);
  cfg_.fail_threshold = std::max<uint32_t>(cfg_.fail_threshold, 1);
  cfg_.recover_threshold = std::max<uint32_t>(cfg_.recover_threshold, 1);
  cfg_.min_samples = std::clamp<uint32_t>(cfg_.min_samples, 1, cfg_.window);
  recent_.assign(cfg_.window, 0);
}

void target_health::reset_recent() {
  std::fill(recent_.begin(), recent_.end(), uint8_t{0});
  recent_pos_ = recent_n_ = recent_lost_ = 0;
}

double target_health::recent_loss() const {
  return recent_n_ == 0 ? 0.0 : static_cast<double>(recent_lost_) / recent_n_;
}

bool target_health::record(const probe_result& r) {
  stats_.record(r);
  bool ok = r.result == outcome::ok;
  if (ok) {
    fails_ = 0;
    ++oks_;
  } else {
    oks_ = 0;
    ++fails_;
  }
  // The loss ring since the last transition (hysteresis: a target that
  // just recovered is not sent down again by the losses that downed it).
  if (recent_n_ == cfg_.window)
    recent_lost_ -= recent_[recent_pos_];
  else
    ++recent_n_;
  recent_[recent_pos_] = ok ? 0 : 1;
  recent_lost_ += recent_[recent_pos_];
  recent_pos_ = (recent_pos_ + 1) % cfg_.window;

  char why[96];
  auto next = state_;
  if (state_ != target_state::down && fails_ >= cfg_.fail_threshold) {
    next = target_state::down;
    std::snprintf(why, sizeof why, "%u consecutive failures", fails_);
  } else if (state_ != target_state::down && recent_n_ >= cfg_.min_samples
             && recent_loss() > cfg_.loss_threshold) {
    next = target_state::down;
    std::snprintf(why, sizeof why, "loss %.0f%% of %u probes > %.0f%%",
                  recent_loss() * 100, recent_n_, cfg_.loss_threshold * 100);
  } else if (ok && state_ == target_state::unknown) {
    next = target_state::up;
    std::snprintf(why, sizeof why, "first answer");
  } else if (ok && state_ == target_state::down
             && oks_ >= cfg_.recover_threshold) {
    next = target_state::up;
    std::snprintf(why, sizeof why, "%u consecutive successes", oks_);
  }
  if (next == state_)
    return false;
  last_ = transition{state_, next, r.sent_at, since_, why, {}};
  state_ = next;
  since_ = r.sent_at;
  char loss[16];
  std::snprintf(loss, sizeof loss, "%.1f%%", stats_.loss() * 100);
  auto& line = last_.line;
  line = label_ + " " + std::string(to_string(proto_)) + " "
         + std::string(to_string(last_.from)) + " → "
         + std::string(to_string(last_.to)) + ": loss " + loss + ", rtt p50 "
         + format_seconds(stats_.quantile(0.5)) + " p99 "
         + format_seconds(stats_.quantile(0.99)) + ", jitter "
         + format_seconds(stats_.jitter()) + ", " + last_.reason;
  if (next == target_state::down)
    line += ", last " + std::string(to_string(r.result));
  if (last_.from != target_state::unknown && last_.from_since > 0
      && last_.at >= last_.from_since)
    line += ", " + std::string(to_string(last_.from)) + " for "
            + format_seconds(static_cast<double>(last_.at - last_.from_since)
                             * 1e-9)
            + " (since " + format_utc(last_.from_since) + ")";
  if (!last_.quiet()) // the quiet start keeps counting from the first probe
    reset_recent();
  return true;
}

void target_health::set_thresholds(uint32_t fail, uint32_t recover,
                                   double loss) {
  cfg_.fail_threshold = std::max<uint32_t>(fail, 1);
  cfg_.recover_threshold = std::max<uint32_t>(recover, 1);
  cfg_.loss_threshold = loss;
}

std::string target_health::describe() const {
  char loss[16];
  std::snprintf(loss, sizeof loss, "%.1f%%", stats_.loss() * 100);
  return std::string(to_string(state_)) + " since " + format_utc(since_)
         + ", loss " + loss + ", rtt p50 "
         + format_seconds(stats_.quantile(0.5)) + " p99 "
         + format_seconds(stats_.quantile(0.99)) + ", " + std::to_string(fails_)
         + " consecutive failures";
}

} // namespace kc::probes
