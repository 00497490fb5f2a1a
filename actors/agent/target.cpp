#include "actors/agent/target.hpp"

#include "telemetry/logging.hpp"

namespace kc::agent {

std::string target_name(const target_def& def) {
  return "target/"
         + std::string(
             probes::to_string(static_cast<probes::protocol>(def.proto)))
         + "/" + def.label;
}

target_actor::behavior_type
target(target_actor::stateful_pointer<target_state> self, target_def def,
       probes::health_config cfg, targets_actor parent, target_gauges gauges,
       runtime::entry_ptr entry) {
  auto& st = self->state;
  st.health.emplace(def.label, static_cast<probes::protocol>(def.proto), cfg);
  st.def = std::move(def);
  st.parent = std::move(parent);
  st.gauges = std::move(gauges);
  st.entry = std::move(entry);
  if (st.entry) {
    st.entry->set_id(self->id());
    st.entry->set_state(st.health->describe());
  }
  return {
      [self](atom::results, const probe_batch& batch) {
        auto& st = self->state;
        if (st.entry)
          st.entry->handled(self);
        auto& h = *st.health;
        for (auto& r : batch) {
          ++st.results;
          if (!h.record(r))
            continue;
          auto& t = h.last_transition();
          if (st.gauges.up)
            st.gauges.up->set(h.state() == probes::target_state::up ? 1 : 0);
          self->send(st.parent, target_transition{st.def.label, st.def.proto,
                                                  static_cast<uint8_t>(t.from),
                                                  static_cast<uint8_t>(t.to),
                                                  t.at, t.reason, t.line});
        }
        if (st.gauges.loss)
          st.gauges.loss->set(h.stats().loss());
        if (st.entry)
          st.entry->set_state(h.describe());
      },
      [self](const target_thresholds& t) {
        self->state.health->set_thresholds(t.fail, t.recover, t.loss);
      },
      [self](atom::status) -> std::string {
        auto& st = self->state;
        return target_name(st.def) + ": " + st.health->describe() + ", "
               + std::to_string(st.results) + " results";
      },
  };
}

} // namespace kc::agent
