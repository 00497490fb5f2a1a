#include "actors/agent/nodes.hpp"

#include "actors/agent/agent_informer.hpp"
#include "actors/runtime/informer.hpp"
#include "messages/runtime_types.hpp"
#include "telemetry/logging.hpp"

#include <boost/json.hpp>
#include <caf/all.hpp>

#include <set>

namespace kc::agent {

namespace json = boost::json;

namespace {

using self_ptr = caf::stateful_actor<nodes_state>*;
constexpr uint8_t icmp = 0;

bool ip_used(const nodes_state& st, const std::string& ip) {
  for (auto& [n, a] : st.addr)
    if (a == ip)
      return true;
  return false;
}

void set_node(self_ptr self, const std::string& node,
              std::optional<std::string> ip) {
  auto& st = self->state;
  auto i = st.addr.find(node);
  std::optional<std::string> old;
  if (i != st.addr.end())
    old = i->second;
  if (old == ip)
    return;
  auto t = st.cfg.targets ? st.cfg.targets->get() : targets_actor{};
  if (old) {
    st.addr.erase(i);
    if (!ip_used(st, *old)) {
      if (t)
        self->send(t, atom::remove_v, icmp, *old);
      auto s = st.slots.find(*old);
      if (s != st.slots.end() && st.cfg.release)
        st.cfg.release(icmp, s->second);
      KC_INFO("nodes", "node {} ({}) no longer probed", node, *old);
    }
  }
  if (ip) {
    bool had = ip_used(st, *ip);
    st.addr[node] = *ip;
    if (had)
      return;
    std::optional<uint32_t> slot;
    if (st.cfg.slot_for)
      slot = st.cfg.slot_for(icmp, *ip);
    else
      slot = static_cast<uint32_t>(st.slots.size());
    if (!slot) {
      KC_WARN("nodes", "node {} ({}): no engine slot, not probed", node, *ip);
      return;
    }
    st.slots[*ip] = *slot;
    if (t)
      self->send(t, atom::put_v, target_def{*ip, icmp, *slot, "node"});
    KC_INFO("nodes", "node {} ({}) probed", node, *ip);
  }
  if (st.entry)
    st.entry->set_state(std::to_string(st.addr.size()) + " nodes");
}

} // namespace

std::optional<std::string> node_internal_ip(const json::object& node) {
  auto* status = node.if_contains("status");
  auto* addrs = status && status->is_object()
                    ? status->as_object().if_contains("addresses")
                    : nullptr;
  if (!addrs || !addrs->is_array())
    return std::nullopt;
  std::optional<std::string> first;
  for (auto& a : addrs->as_array()) {
    auto* o = a.if_object();
    if (!o)
      continue;
    auto* type = o->if_contains("type");
    auto* addr = o->if_contains("address");
    if (!type || !addr || !type->is_string() || !addr->is_string()
        || type->as_string() != "InternalIP")
      continue;
    std::string ip(addr->as_string());
    if (ip.find(':') == std::string::npos)
      return ip;
    if (!first)
      first = ip;
  }
  return first;
}

caf::behavior nodes(caf::stateful_actor<nodes_state>* self, nodes_config cfg,
                    runtime::entry_ptr entry) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.entry = std::move(entry);
  spawn_linked_informer(self, "nodes", {"", "v1", "nodes", false, "", "", ""},
                        st.cfg.api, st.cfg.metrics);
  return {
      [self](const resource_event& ev) {
        if (self->state.entry)
          self->state.entry->handled(self);
        std::optional<std::string> ip;
        if (ev.snapshot)
          ip = node_internal_ip(*ev.snapshot);
        set_node(self, ev.key.name, std::move(ip));
      },
      [](atom::synced, const std::string&) {},
      [self](atom::get) -> std::string {
        std::set<std::string> ips;
        for (auto& [n, a] : self->state.addr)
          ips.insert(a);
        std::string out;
        for (auto& ip : ips)
          out += ip + "\n";
        return out;
      },
  };
}

} // namespace kc::agent
