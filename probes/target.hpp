#pragma once

#include "probes/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kc::probes {

/// One target as written by the user (CONTRACT.md, `kubecombo pinger`).
/// ping: `host`; tcpping / udpping: `host:port` (`[v6]:port`);
/// dns: `name` or `name@server[:port]` (`name@[v6]:port`).
struct target_spec {
  protocol proto = protocol::icmp;
  std::string text;   // as written (trimmed)
  std::string host;   // icmp/tcp/udp: IP literal or hostname; dns: the name
  uint16_t port = 0;  // tcp/udp
  std::string server; // dns: "" = system resolv.conf, else "ip[:port]"
};

/// A parsed list: the good entries and one error line per bad entry.
struct target_list {
  std::vector<target_spec> good;
  std::vector<std::string> errors;
};

/// Parses one entry; on failure returns false and sets `error`.
bool parse_target(protocol p, std::string_view text, target_spec& out,
                  std::string& error);

/// Parses a comma-separated list; entries of the form `@FILE` are replaced
/// by the file's lines (blank lines and `#` comments skipped). Entries are
/// trimmed; empty entries are ignored (upstream bug P2 fixed).
target_list parse_target_list(protocol p, std::string_view list);

/// True if `host` is an IPv4 or IPv6 literal.
bool is_ip_literal(std::string_view host);

/// The flag that takes targets of `p` ("--ping", "--tcpping", ...).
std::string_view flag_of(protocol p);

} // namespace kc::probes
