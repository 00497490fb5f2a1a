#include "actors/agent/discovery.hpp"

#include "actors/agent/agent_informer.hpp"
#include "actors/agent/peers.hpp"
#include "actors/runtime/informer.hpp"
#include "messages/runtime_types.hpp"
#include "telemetry/logging.hpp"

#include <caf/all.hpp>

namespace kc::agent {

namespace {

using self_ptr = caf::stateful_actor<discovery_state>*;

/// A peer target the engines could not take (tracked, not probed).
constexpr uint32_t no_slot = UINT32_MAX;

std::string key_string(const object_key& k) {
  return k.ns.empty() ? k.name : k.ns + "/" + k.name;
}

bool ip_in_use(const peer_book& b, const std::string& ip) {
  for (auto& [key, v] : b.peers)
    if (v == ip)
      return true;
  return false;
}

/// Puts the targets of one peer IP (idempotent in TARGETS). Book locked.
/// `fresh`: the peer (re-)appeared, so its engine slots are asked for (a
/// known label gets its old slot back and is probed again).
void put_peer(self_ptr self, peer_book& b, const std::string& ip, bool fresh) {
  auto& cfg = self->state.cfg;
  auto t = cfg.targets ? cfg.targets->get() : targets_actor{};
  for (auto& p : cfg.probes) {
    auto label = peer_label(ip, p);
    auto skey = std::to_string(p.proto) + "/" + label;
    auto s = b.slots.find(skey);
    if (s == b.slots.end() || (fresh && cfg.slot_for)) {
      std::optional<uint32_t> slot;
      if (cfg.slot_for)
        slot = cfg.slot_for(p.proto, label);
      else if (p.proto < 4)
        slot = b.next_slot[p.proto]++;
      if (!slot)
        KC_WARN("discovery", "peer {}: no engine slot for it, not probed",
                label); // once per appearance: the sentinel remembers it
      s = b.slots.insert_or_assign(skey, slot.value_or(no_slot)).first;
    }
    if (s->second == no_slot)
      continue;
    if (t)
      self->send(t, atom::put_v, target_def{label, p.proto, s->second, "peer"});
  }
}

/// Removes the targets of one peer IP; their engines stop probing them
/// (the slots stay reserved for the label). Book locked.
void remove_peer(self_ptr self, peer_book& b, const std::string& ip) {
  auto& cfg = self->state.cfg;
  auto t = cfg.targets ? cfg.targets->get() : targets_actor{};
  for (auto& p : cfg.probes) {
    auto label = peer_label(ip, p);
    if (t) // (a restarted TARGETS starts without it anyway)
      self->send(t, atom::remove_v, p.proto, label);
    auto s = b.slots.find(std::to_string(p.proto) + "/" + label);
    if (cfg.release && s != b.slots.end() && s->second != no_slot)
      cfg.release(p.proto, s->second);
  }
}

/// Sets a pod's peer IP (nullopt = not a Ready peer / gone).
void set_peer(self_ptr self, const std::string& key,
              std::optional<std::string> ip) {
  auto& st = self->state;
  auto& b = *st.cfg.book;
  std::lock_guard<std::mutex> guard{b.mtx};
  auto i = b.peers.find(key);
  std::optional<std::string> old;
  if (i != b.peers.end())
    old = i->second;
  if (old == ip)
    return;
  if (old) {
    b.peers.erase(i);
    if (!ip_in_use(b, *old)) {
      remove_peer(self, b, *old);
      ++st.removed;
      KC_INFO("discovery", "peer {} ({}) left", key, *old);
    }
  }
  if (ip) {
    bool had = ip_in_use(b, *ip);
    b.peers[key] = *ip;
    if (!had) {
      put_peer(self, b, *ip, true);
      ++st.added;
      KC_INFO("discovery", "peer {} ({}) ready", key, *ip);
    }
  }
}

void update_entry(self_ptr self) {
  auto& st = self->state;
  if (!st.entry)
    return;
  size_t n = 0;
  {
    std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
    n = st.cfg.book->peers.size();
  }
  st.entry->set_state(std::to_string(n) + " peers, " + std::to_string(st.added)
                      + " added, " + std::to_string(st.removed) + " removed"
                      + (st.synced ? "" : ", not synced"));
}

} // namespace

std::string peer_label(const std::string& ip, const peer_probe& p) {
  if (p.port == 0)
    return ip;
  auto host = ip.find(':') == std::string::npos ? ip : "[" + ip + "]";
  return host + ":" + std::to_string(p.port);
}

caf::behavior discovery(caf::stateful_actor<discovery_state>* self,
                        discovery_config cfg, runtime::entry_ptr entry) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.entry = std::move(entry);
  if (!st.cfg.book)
    st.cfg.book = std::make_shared<peer_book>();
  // Linked: a failed informer (403) takes DISCOVERY down; its supervisor
  // restarts both, and the book keeps the peers meanwhile.
  spawn_linked_informer(self, "peers",
                        {"", "v1", "pods", true, st.cfg.ns, "", ""},
                        st.cfg.api, st.cfg.metrics,
                        peer_selector(st.cfg.debugger));
  {
    // A restarted TARGETS or DISCOVERY: bring the known peers back.
    std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
    for (auto& [key, ip] : st.cfg.book->peers)
      put_peer(self, *st.cfg.book, ip, false);
  }
  self->delayed_send(self, st.cfg.resync, atom::tick_v);
  update_entry(self);
  return {
      [self](const resource_event& ev) {
        auto& st = self->state;
        if (st.entry)
          st.entry->handled(self);
        auto key = key_string(ev.key);
        std::optional<std::string> ip;
        if (ev.snapshot) {
          st.seen.insert(key);
          ip = ready_peer_ip(*ev.snapshot, st.cfg.own_pod);
        } else {
          st.seen.erase(key);
        }
        set_peer(self, key, std::move(ip));
        update_entry(self);
      },
      [self](atom::synced, const std::string&) {
        auto& st = self->state;
        st.synced = true;
        // Peers of an earlier incarnation that this one's LIST did not see.
        std::vector<std::string> gone;
        {
          std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
          st.cfg.book->synced = true;
          for (auto& [key, ip] : st.cfg.book->peers)
            if (!st.seen.count(key))
              gone.push_back(key);
        }
        for (auto& key : gone)
          set_peer(self, key, std::nullopt);
        update_entry(self);
      },
      [self](atom::tick) {
        auto& st = self->state;
        {
          std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
          std::set<std::string> ips;
          for (auto& [key, ip] : st.cfg.book->peers)
            ips.insert(ip);
          for (auto& ip : ips)
            put_peer(self, *st.cfg.book, ip, false);
        }
        self->delayed_send(self, st.cfg.resync, atom::tick_v);
      },
      [self](atom::get) -> std::string {
        std::set<std::string> ips;
        std::lock_guard<std::mutex> guard{self->state.cfg.book->mtx};
        for (auto& [key, ip] : self->state.cfg.book->peers)
          ips.insert(ip);
        std::string out;
        for (auto& ip : ips)
          out += ip + "\n";
        return out;
      },
      [self](atom::status) -> std::string {
        auto& st = self->state;
        std::lock_guard<std::mutex> guard{st.cfg.book->mtx};
        return std::to_string(st.cfg.book->peers.size()) + " peers, "
               + std::to_string(st.added) + " added, "
               + std::to_string(st.removed) + " removed"
               + (st.synced ? "" : ", not synced");
      },
  };
}

} // namespace kc::agent
