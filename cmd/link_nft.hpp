#pragma once

// nftables in a node's network namespace for `kubecombo link` (ADR 0077).

#include <string>

namespace kc::cmd::link {

/// The namespace /run/netns/kc<pid>-<node> of the one running kubecombo
/// up/sim; "" with the reason in `err` when there is none or several.
std::string find_node_netns(const std::string& node, std::string& err);

/// Letters, digits, '-', '_' and '.' only (it goes on a command line).
bool valid_netns_name(const std::string& name);

/// The nft script that (re)creates table inet kubecombo_link: drop to and
/// from 198.18.0.0/16 on eth0, except 198.18.0.1 unless `all`.
std::string down_rules(bool all);

/// The nft script that removes the table (no error if it is absent).
std::string up_rules();

/// Runs `ip netns exec NETNS nft -f -` with `script` on stdin; output and
/// errors in `out`; returns the exit code.
int nft(const std::string& netns, const std::string& script, std::string& out);

/// `nft list table inet kubecombo_link` in NETNS ("" when absent).
int nft_list(const std::string& netns, std::string& out);

} // namespace kc::cmd::link
