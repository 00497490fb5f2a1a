#include "actors/agent/peers.hpp"

#include <boost/json.hpp>

namespace kc::agent {

namespace {

const boost::json::object* object_at(const boost::json::object& o,
                                     std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

std::string_view string_at(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string())
    return {};
  auto& s = v->get_string();
  return {s.data(), s.size()};
}

} // namespace

std::string peer_selector(std::string_view debugger_name) {
  return "debug=" + std::string(debugger_name);
}

std::optional<std::string> ready_peer_ip(const boost::json::object& pod,
                                         std::string_view own_pod) {
  auto* meta = object_at(pod, "metadata");
  auto* status = object_at(pod, "status");
  if (!meta || !status)
    return std::nullopt;
  if (string_at(*meta, "name") == own_pod || meta->contains("deletionTimestamp"))
    return std::nullopt;
  if (string_at(*status, "phase") != "Running")
    return std::nullopt;
  bool ready = false;
  if (auto* conds = status->if_contains("conditions"); conds && conds->is_array())
    for (auto& c : conds->get_array())
      if (auto* co = c.if_object(); co && string_at(*co, "type") == "Ready")
        ready = string_at(*co, "status") == "True";
  auto ip = string_at(*status, "podIP");
  if (!ready || ip.empty())
    return std::nullopt;
  return std::string(ip);
}

} // namespace kc::agent
