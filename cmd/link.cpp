// `kubecombo link down|up|status NODE`: breaks and repairs one simulated
// node's network path with nftables inside the node's network namespace
// (ADR 0077), so the tour of `kubecombo up` can show TargetDown/TargetUp.
//
// down: table inet kubecombo_link drops every packet on the node's eth0 to
//       or from another node (198.18.0.0/16), except the gateway
//       198.18.0.1 where the control plane listens (agents keep reporting);
//       with --all the gateway is cut too.
// up:   deletes the table. status: prints it (or "link up").

#include "cmd/commands.hpp"
#include "cmd/link_nft.hpp"

#include <iostream>

namespace kc::cmd {

int run_link(const arguments& args) {
  flag_set flags("link", "Breaks (down) and repairs (up) a simulated node's "
                         "network path with nftables in its network namespace; "
                         "`status` shows it. Usage: kubecombo link "
                         "down|up|status NODE [--all] [--netns NAME]");
  bool all = false;
  std::string netns;
  flags.add("all", &all,
            "down: also cut the gateway 198.18.0.1 (the control plane)");
  flags.add("netns", &netns,
            "the node's network namespace [the one /run/netns/kc*-NODE]");
  if (auto rc = flags.parse(args))
    return *rc;
  auto& pos = flags.positional();
  if (pos.size() != 2)
    return usage_error("link", "want ACTION NODE (ACTION: down, up, status)");
  auto& action = pos[0];
  if (action != "down" && action != "up" && action != "status")
    return usage_error("link", "unknown action \"" + action
                                   + "\" (down, up or status)");
  std::string err;
  if (netns.empty())
    netns = link::find_node_netns(pos[1], err);
  if (netns.empty()) {
    std::cerr << "kubecombo link: " << err << '\n';
    return 1;
  }
  if (!link::valid_netns_name(netns))
    return usage_error("link",
                       "--netns: not a namespace name: \"" + netns + "\"");
  std::string out;
  int rc = 0;
  if (action == "down")
    rc = link::nft(netns, link::down_rules(all), out);
  else if (action == "up")
    rc = link::nft(netns, link::up_rules(), out);
  else
    rc = link::nft_list(netns, out);
  if (rc != 0) {
    std::cerr << "kubecombo link: nft in " << netns << " failed: " << out;
    return 1;
  }
  if (action == "status")
    std::cout << (out.empty() ? "link up (no kubecombo_link table)\n" : out);
  else
    std::cout << "kubecombo link: " << pos[1] << " (" << netns << ") "
              << (action == "down"
                      ? (all ? "cut off, the control plane too"
                             : "cut off from the other nodes; the control "
                               "plane at 198.18.0.1 stays reachable")
                      : "repaired")
              << '\n';
  return 0;
}

} // namespace kc::cmd
