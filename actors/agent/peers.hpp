#pragma once

// DISCOVERY's pure part (issue 6, step 3 groundwork): which pods of the own
// DaemonSet are probe peers. The DISCOVERY actor (next step) will watch pods
// with `peer_selector(ds_name)` through an informer and turn every
// `ready_peer_ip` into ICMP (and UDP echo) targets of source "peer".

#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kc::agent {

/// The label selector of the Debugger's pods (CONTRACT: `debug=<name>`).
std::string peer_selector(std::string_view debugger_name);

/// The pod's IP if it is a peer worth probing: not `own_pod`, not being
/// deleted, phase Running, condition Ready=True and a podIP; else nullopt.
std::optional<std::string> ready_peer_ip(const boost::json::object& pod,
                                         std::string_view own_pod);

} // namespace kc::agent
