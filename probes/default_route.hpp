#pragma once

// The IPv4 default gateway from the kernel's routing table (`--gateway auto`,
// issue 6): the first up route to 0.0.0.0/0 with RTF_GATEWAY in
// /proc/net/route. Plain C++.

#include <optional>
#include <string>
#include <string_view>

namespace kc::probes {

/// Parses the text of /proc/net/route; the gateway as a dotted quad.
std::optional<std::string> default_gateway_from(std::string_view route_table);

/// Reads `path` (default /proc/net/route); nullopt if none or unreadable.
std::optional<std::string> default_gateway(const std::string& path
                                           = "/proc/net/route");

} // namespace kc::probes
