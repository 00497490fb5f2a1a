#include "actors/agent/reporter.hpp"

#include "probes/target_state.hpp"
#include "telemetry/logging.hpp"

#include <caf/all.hpp>

namespace kc::agent {

event_request make_target_event(const pod_ref& pod,
                                const target_transition& t) {
  bool down = t.to == static_cast<uint8_t>(probes::target_state::down);
  event_request ev;
  ev.kind = "Pod";
  ev.api_version = "v1";
  ev.ns = pod.ns;
  ev.name = pod.name;
  ev.uid = pod.uid;
  ev.field_path = "spec.containers{ping}";
  ev.type = down ? "Warning" : "Normal";
  ev.reason = down ? "TargetDown" : "TargetUp";
  ev.message = t.line;
  return ev;
}

reporter_actor::behavior_type
reporter(reporter_actor::stateful_pointer<reporter_state> self,
         reporter_config cfg, runtime::entry_ptr entry) {
  self->state.cfg = std::move(cfg);
  self->state.entry = std::move(entry);
  if (self->state.entry)
    self->state.entry->set_id(self->id());
  return {
    [self](const target_transition& t) {
      auto& st = self->state;
      if (st.entry)
        st.entry->handled(self);
      auto from = static_cast<probes::target_state>(t.from);
      auto to = static_cast<probes::target_state>(t.to);
      if (from == probes::target_state::unknown
          && to == probes::target_state::up)
        return; // the quiet start: neither a line nor an Event
      bool down = to == probes::target_state::down;
      ++(down ? st.down : st.up);
      if (down)
        KC_WARN("targets", "{}", t.line);
      else
        KC_INFO("targets", "{}", t.line);
      if (!st.cfg.pod.name.empty() && st.cfg.recorder)
        if (auto rec = st.cfg.recorder->get()) {
          self->send(rec, make_target_event(st.cfg.pod, t));
          ++st.events;
        }
      if (st.entry)
        st.entry->set_state(std::to_string(st.down) + " down, "
                            + std::to_string(st.up) + " up, "
                            + std::to_string(st.events) + " events");
    },
    [self](atom::status) -> std::string {
      auto& st = self->state;
      return std::to_string(st.down) + " down, " + std::to_string(st.up)
             + " up, " + std::to_string(st.events) + " events sent";
    },
  };
}

} // namespace kc::agent
