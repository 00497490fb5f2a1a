#include "test/actors/support/deterministic_fixture.hpp"

#include <caf/atom.hpp>

namespace kc::test {

deterministic_config::deterministic_config() {
  add_message_types<caf::id_block::kc_types>();
  add_message_types<caf::id_block::kc_runtime>();
  set("scheduler.policy", caf::atom("testing"));
}

deterministic_fixture::deterministic_fixture()
  : sys(cfg),
    sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
    self(sys, true) {
  // Do not start at the clock's epoch (delays are relative anyway).
  sched.clock().current_time += std::chrono::hours(1);
}

deterministic_fixture::~deterministic_fixture() {
  // Drop pending timers: the system's shutdown would otherwise fire them
  // until none are left, forever for an actor that keeps retrying.
  for (int i = 0; i < 10; ++i) {
    sched.clock().cancel_all();
    if (run() == 0)
      break;
  }
  sched.clock().cancel_all();
  // Actors still alive (e.g. a timer loop) must not hang the destructor
  // of actor_system (pitfall 19).
  sys.await_actors_before_shutdown(false);
}

size_t deterministic_fixture::run() {
  return sched.run();
}

size_t deterministic_fixture::advance(caf::timespan d) {
  sched.advance_time(d);
  return sched.run();
}

caf::actor_clock::time_point deterministic_fixture::now() const {
  return sched.clock().now();
}

size_t deterministic_fixture::drain() {
  size_t n = 0;
  bool more = true;
  while (more && n < 1'000'000) {
    more = false;
    self->receive([&](caf::message&) { ++n, more = true; },
                  caf::after(std::chrono::seconds(0)) >> [] {});
  }
  return n;
}

} // namespace kc::test
