#pragma once

// Inspection runs in the Debugger controller (issue 8; docs/adr/0051): one
// step after each reconcile pass of a Debugger. It reads the Debugger, its
// Pods (the agents' `kubecombo.com/run-report` annotations) and the run
// overview ConfigMaps from the informer cache, decides with the pure
// functions of k8s/api/kubecombo/run_step.hpp, then writes only what
// changed: the overview ConfigMap(s) (create, then merge patches of new
// keys), the run fields of /status (its own merge patch: currentRun,
// nextRunAt, lastRun, observedRunAt — H1's patch carries the rest), Events
// RunStarted / RunCompleted / RunTimedOut on transitions, deletes of
// overviews beyond historyLimit. It asks for a pass again at the run's
// deadline or the next run instant (no sleeping). What it wrote is
// remembered per reconciler, so a stale cache never repeats a write.

#include "actors/controller/debugger_reconciler.hpp"

#include <functional>
#include <memory>

namespace kc::controller {

/// The continuation of a pass.
using pass_done = std::function<void(reconcile_result)>;

/// Wraps `done` of the pass of `owner` over `debugger`: when the pass
/// finishes, the run step runs and `done` gets both results merged (an
/// error wins; else the shorter non-zero requeue-after).
pass_done with_inspection_runs(std::shared_ptr<debugger_reconciler> owner,
                               snapshot_ptr debugger, pass_done done);

} // namespace kc::controller
