#pragma once

#include "cmd/flags.hpp"

namespace kc::cmd {

/// `kubecombo sim`: the embedded Kubernetes-compatible control plane.
int run_sim(const arguments& args);
/// `kubecombo controller`: reconciles Debugger and Pinger resources.
int run_controller(const arguments& args);
/// `kubecombo pinger`: the probe agent in the `ping` container.
int run_pinger(const arguments& args);
/// `kubecombo debugger`: the inspection agent in the `debug` container.
int run_debugger(const arguments& args);
/// `kubecombo up`: the embedded default, everything on one machine.
int run_up(const arguments& args);
/// `kubecombo link`: breaks/repairs a node's network path (ADR 0077).
int run_link(const arguments& args);

} // namespace kc::cmd
