#pragma once
/// A sim_fixture with a real TARGETS supervisor (no registry) behind an
/// actor_cell, and bounded queries of its running children: shared by the
/// tests of the agent actors that feed TARGETS (DISCOVERY, NODES).

#include "actors/agent/actor_cell.hpp"
#include "actors/agent/targets.hpp"
#include "messages/pinger_agent_types.hpp"

#include <caf/all.hpp>

#include <memory>
#include <string>

#include "test/actors/support/sim_fixture.hpp"

namespace kc::test {

struct targets_fixture : sim_fixture {
  std::shared_ptr<kc::agent::actor_cell<kc::targets_actor>> cell
      = std::make_shared<kc::agent::actor_cell<kc::targets_actor>>();
  kc::targets_actor targets;

  targets_fixture() {
    kc::agent::targets_config tc;
    tc.registry = nullptr;
    targets = keep(sys.spawn(kc::agent::targets, tc, kc::runtime::entry_ptr{}));
    cell->set(targets);
  }

  /// TARGETS' running children, one name per line ("<timeout>" if none
  /// answer within 2 s).
  std::string running() {
    using namespace std::chrono_literals;
    caf::scoped_actor self{sys};
    std::string out = "<timeout>";
    self->request(targets, 2s, caf::get_atom_v)
        .receive([&](const std::string& s) { out = s; },
                 [&](const caf::error&) {});
    return out;
  }

  /// Waits (bounded, 20 s) until TARGETS runs exactly `want`.
  bool wait_running(const std::string& want) {
    using namespace std::chrono_literals;
    return wait_for([&] { return running() == want; }, 20s);
  }
};

} // namespace kc::test
