#pragma once

// The deterministic actor test fixture (CONVENTIONS rule 31; pitfalls
// 25–28): CAF's testing scheduler under Boost.Test, without dsl.hpp.
//   BOOST_FIXTURE_TEST_CASE(x, kc::test::deterministic_fixture) {
//     auto a = sys.spawn(...);
//     self->send(a, ...);
//     run();                        // queued messages only, no timers
//     advance(100ms);               // fires due timers, then run()
//     auto r = receive_one<int>();  // non-blocking: nullopt if none
//   }
// Never use scoped_actor::request(...).receive(...) here: no thread runs
// the callee (pitfall 27).

#include "messages/runtime_types.hpp"
#include "messages/type_ids.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <optional>
#include <tuple>

namespace kc::test {

/// The configuration: kubecombo's type ids and the testing scheduler.
struct deterministic_config : caf::actor_system_config {
  deterministic_config();
};

/// An actor system driven by hand.
struct deterministic_fixture {
  deterministic_fixture();
  /// Kills what is left and does not wait for it (no hang on teardown).
  ~deterministic_fixture();

  deterministic_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self;

  /// Runs queued messages (no timers); returns how many ran.
  size_t run();
  /// Advances the clock by `d`, firing due timers, then run(). Returns the
  /// number of messages run.
  size_t advance(caf::timespan d);
  /// Advances in steps of `step` until `pred()` or `limit` elapsed.
  template <class Pred>
  bool advance_until(Pred pred, caf::timespan step, caf::timespan limit) {
    run();
    for (caf::timespan t{0}; !pred() && t < limit; t += step)
      advance(step);
    return pred();
  }
  /// The current time of the test clock.
  caf::actor_clock::time_point now() const;

  /// Takes the next message of `self` if it is a tuple of Ts (after run()).
  template <class... Ts>
  std::optional<std::tuple<Ts...>> receive_one() {
    std::optional<std::tuple<Ts...>> result;
    self->receive([&](Ts&... xs) { result.emplace(xs...); },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return result;
  }
  /// Drops everything in self's mailbox; returns how many.
  size_t drain();
};

} // namespace kc::test
