#include "test/actors/support/test_actors.hpp"

#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/supervisor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/local_actor.hpp>

#include <stdexcept>

namespace kc::test {

namespace {

caf::behavior worker(caf::event_based_actor* self, child_context ctx,
                     std::shared_ptr<child_log> log) {
  ++log->starts[ctx.name];
  self->set_exception_handler(kc::runtime::keep_exception_text);
  self->attach_functor([log, name = ctx.name] { log->stops.push_back(name); });
  auto sum = std::make_shared<int>(0);
  return {
    [self, ctx, sum](int n) {
      if (ctx.entry)
        ctx.entry->handled(self);
      *sum += n;
      return *sum;
    },
    [](crash) -> int { throw std::runtime_error("boom"); },
  };
}

caf::behavior stubborn(caf::event_based_actor* self, child_context ctx,
                       std::shared_ptr<child_log> log) {
  ++log->starts[ctx.name];
  self->attach_functor([log, name = ctx.name] { log->stops.push_back(name); });
  self->set_exit_handler([](caf::exit_msg&) {
    // Ignore: only exit_reason::kill ends this actor.
  });
  return {
    [](int n) { return n; },
  };
}

} // namespace

child_factory worker_factory(std::shared_ptr<child_log> log) {
  return [log](caf::local_actor* parent, const child_context& ctx) {
    return caf::actor_cast<caf::actor>(parent->spawn(worker, ctx, log));
  };
}

child_factory stubborn_factory(std::shared_ptr<child_log> log) {
  return [log](caf::local_actor* parent, const child_context& ctx) {
    return caf::actor_cast<caf::actor>(parent->spawn(stubborn, ctx, log));
  };
}

} // namespace kc::test
