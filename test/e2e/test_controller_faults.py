# kc-test-labels: e2e
"""The Debugger controller survives what the control plane does to it
(issue 5 acceptance; ADRs 0012, 0103, 0104).

Against `kubecombo sim --fault-api` (stage kubelet, 3 nodes), each test with
its own `kubecombo controller`:
- every fault of the fault API (429, 500, 503, connection resets, slow,
  dropped and compacted watches, 403) injected while Debuggers are being
  reconciled is survived, and everything converges once it is cleared, with
  one workload and one `Created` Event per Debugger;
- a controller SIGKILLed mid-reconcile and restarted converges without
  duplicates (workloads, Events);
- after convergence, KC_QUIET_SECONDS [60] seconds without changes produce
  zero writes (the sim's write counter counts API clients only);
- a Pinger deleted under a Debugger gives Degraded PingerMissing and one
  Warning Event, and no hot loop (bounded passes, zero writes), then
  recovers when the Pinger comes back.
Every wait is bounded.
"""
import os
import signal
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import (  # noqa: E402
    Controller, apply_crds, make_namespace, wait_degraded)
from test_controller_debugger import (  # noqa: E402
    _cond, _create, _ds_path, _events, _get, _path, _pod_path,
    _wait_events, _writes, debugger, pinger, wait_ready)

QUIET_SECONDS = float(os.environ.get("KC_QUIET_SECONDS", "60"))


def start_controller(sim, name):
    return Controller(sim, name).start().wait_readyz()


def reconciles(ctl):
    """kc_reconcile_total of the debuggers controller (all results)."""
    r = ctl.get("/metrics", timeout=5)
    assert r is not None and r.status_code == 200
    n = 0
    for line in r.text.splitlines():
        if line.startswith('kc_reconcile_total{controller="debuggers"'):
            n += int(float(line.split()[-1]))
    return n


@pytest.fixture(scope="module")
def crds(fault_sim):
    apply_crds(fault_sim)


@pytest.fixture
def ctl(fault_sim, crds):
    simlib.fault_clear(fault_sim)
    c = start_controller(fault_sim, "faults")
    yield c
    simlib.fault_clear(fault_sim)
    assert c.stop() == 0, c.log()[-4000:]


def workloads(sim, ns):
    """Names of the DaemonSets and Pods the controller made (debug label)."""
    ds = sim.get_json(_ds_path(ns) + "?labelSelector=debug")["items"]
    pods = [p for p in sim.get_json(_pod_path(ns))["items"]
            if any(o.get("kind") == "Debugger"
                   for o in p["metadata"].get("ownerReferences") or [])]
    return (sorted(d["metadata"]["name"] for d in ds),
            sorted(p["metadata"]["name"] for p in pods))


def make_set(sim, ns, prefix, n_ds=2, n_pod=1):
    _create(sim, ns, "pingers", pinger(prefix + "-p"))
    names = []
    for i in range(n_ds):
        names.append("%s-ds%d" % (prefix, i))
        _create(sim, ns, "debuggers", debugger(names[-1], enablePinger=True,
                                               pinger=prefix + "-p"))
    for i in range(n_pod):
        names.append("%s-pod%d" % (prefix, i))
        _create(sim, ns, "debuggers", debugger(names[-1], workloadType="pod"))
    return names


def assert_converged(sim, ctl, ns, names, n_ds, timeout=60):
    for name in names:
        wait_ready(sim, ctl, ns, name, timeout=timeout)
    ds, pods = workloads(sim, ns)
    assert ds == sorted(n for n in names if "-ds" in n), ds
    assert pods == sorted(n for n in names if "-pod" in n), pods
    assert len(ds) == n_ds
    sa = _get(sim, _path(ns, "serviceaccounts", "kubecombo-agent", "/api/v1"))
    assert sa is not None, "no agent ServiceAccount"


def controller_paths(ns):
    """Path prefixes only the controller uses (its informers' cluster-wide
    lists and watches, the workload, RBAC, status and Event writes), so the
    test's own requests (namespaced creates, reads) are never faulted."""
    return ["/apis/apps/", "/api/v1/pods", "/api/v1/namespaces/%s/pods" % ns,
            "/api/v1/namespaces/%s/serviceaccounts" % ns,
            "/apis/rbac.authorization.k8s.io/",
            "/apis/vpn-gw.kubecombo.com/v1/namespaces/%s/debuggers/" % ns,
            "/apis/vpn-gw.kubecombo.com/v1/debuggers",
            "/api/v1/namespaces/%s/events" % ns, "/apis/events.k8s.io/"]


def errors(code, **kw):
    return lambda s, ns: [simlib.fault_errors(s, code, fraction=0.5,
                                              path_prefix=p, **kw)
                          for p in controller_paths(ns)]


FAULTS = {
    "429": errors(429, retry_after=1),
    "500": errors(500),
    "503": errors(503, retry_after=1),
    "reset": lambda s, ns: [simlib.fault_reset(s, fraction=0.4, path_prefix=p)
                            for p in controller_paths(ns)],
    "reset-watches": lambda s, ns: (
        simlib.fault_reset(s, fraction=0.5, watch_only=True),
        simlib.fault_drop_watches(s)),
    "watch-delay": lambda s, ns: simlib.fault_watch_delay(s, 700),
    "drop-watches": lambda s, ns: simlib.fault_drop_watches(s),
    "compact": lambda s, ns: (simlib.fault_compact(s),
                              simlib.fault_drop_watches(s)),
    "deny-writes": lambda s, ns: [simlib.fault_deny(s, v, r) for v, r in (
        ("create", "daemonsets"), ("create", "pods"), ("patch", "debuggers"),
        ("create", "serviceaccounts"))],
}

# Faults that are one-shot actions: repeated through the fault window.
REPEATED = {"drop-watches", "compact", "reset-watches"}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_during_reconcile_is_survived(fault_sim, ctl, fault):
    sim = fault_sim
    ns = make_namespace(sim, "flt")
    FAULTS[fault](sim, ns)
    names = make_set(sim, ns, "f")
    # The fault window: a measured interval, not a synchronisation.
    for _ in range(6):
        time.sleep(0.5)
        if fault in REPEATED:
            simlib.fault_drop_watches(sim) if fault == "reset-watches" \
                else FAULTS[fault](sim, ns)
    served = simlib.fault_state(sim)
    simlib.fault_clear(sim)
    simlib.fault_watch_delay(sim, 0)
    assert ctl.proc.poll() is None, ctl.log()[-4000:]
    assert_converged(sim, ctl, ns, names, 2)
    for name in names:
        created = _wait_events(sim, ns, name, "Created")
        assert len(created) == 1 and created[0].get("count", 1) == 1, (
            name, created, served)
    # The fault really hit the controller's requests.
    code = {"429": "429", "500": "500", "503": "503", "reset": "reset",
            "reset-watches": "reset", "deny-writes": "403"}.get(fault)
    if code:
        assert served["served"].get(code, 0) > 0, served


def test_sigkill_mid_reconcile_converges_without_duplicates(fault_sim, crds):
    sim = fault_sim
    simlib.fault_clear(sim)
    ns = make_namespace(sim, "kill")
    first = start_controller(sim, "killed")
    try:
        names = make_set(sim, ns, "k", n_ds=12, n_pod=4)
        # Kill once some workloads exist and before everything is Ready.
        simlib.wait_until(lambda: len(workloads(sim, ns)[0]) >= 1, timeout=30,
                          what="a first DaemonSet")
        ready_at_kill = sum(1 for n in names
                            if _cond(_get(sim, _path(ns, "debuggers", n)),
                                     "Ready").get("status") == "True")
        first.proc.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
    finally:
        first.stop()
    assert ready_at_kill < len(names), "all Ready before the kill: not mid-reconcile"
    second = start_controller(sim, "restarted")
    try:
        assert_converged(sim, second, ns, names, 12)
        for name in names:
            assert len(_events(sim, ns, name, "Created")) <= 1, name
            evs = _events(sim, ns, name, "Ready")
            assert sum(e.get("count", 1) for e in evs) <= 1, (name, evs)
    finally:
        assert second.stop() == 0, second.log()[-4000:]


def test_steady_state_writes_nothing_for_a_while(fault_sim, ctl):
    sim = fault_sim
    ns = make_namespace(sim, "quiet")
    names = make_set(sim, ns, "q", n_ds=2, n_pod=2)
    _create(sim, ns, "configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "scripts"},
                                    "data": {"a.sh": "echo a\n"}}, group="/api/v1")
    _create(sim, ns, "debuggers", debugger("q-script", workloadType="pod",
                                           enableConfigMap=True, configMap="scripts"))
    for name in names + ["q-script"]:
        wait_ready(sim, ctl, ns, name)
    # Let the last status writes and Events land, then measure.
    simlib.wait_until(lambda: all(_events(sim, ns, n, "Ready") for n in names),
                      timeout=10, what="Ready Events")
    simlib.fault_reset_writes(sim)
    before = reconciles(ctl)
    time.sleep(QUIET_SECONDS)  # the measurement window
    total, items = _writes(sim)
    assert total == 0, items
    print("quiet %.0fs: 0 writes, %d passes" % (QUIET_SECONDS,
                                                reconciles(ctl) - before))


def test_pinger_deleted_gives_degraded_without_a_hot_loop(fault_sim, ctl):
    sim = fault_sim
    ns = make_namespace(sim, "pgone")
    _create(sim, ns, "pingers", pinger("mesh"))
    _create(sim, ns, "debuggers", debugger("orphan", enablePinger=True, pinger="mesh"))
    wait_ready(sim, ctl, ns, "orphan")

    def warnings():
        return sum(e.get("count", 1)
                   for e in _events(sim, ns, "orphan", "PingerMissing"))
    # A loaded machine may list the Debugger before its Pinger (one early
    # PingerMissing); count what the deletion adds.
    early = warnings()
    r = sim.request("DELETE", _path(ns, "pingers", "mesh"))
    assert r.status_code == 200, r.text

    d = wait_degraded(sim, ns, "orphan", "PingerMissing")
    assert _cond(d, "Ready")["status"] == "False", d["status"]
    assert "mesh" in _cond(d, "Degraded")["message"], d["status"]
    warn = _wait_events(sim, ns, "orphan", "PingerMissing")
    assert warn[0]["type"] == "Warning", warn
    simlib.wait_until(lambda: warnings() > early, timeout=10,
                      what="the PingerMissing Warning of the deletion")
    # No hot loop: a quiet window with no writes and a bounded pass count.
    simlib.fault_reset_writes(sim)
    before = reconciles(ctl)
    time.sleep(5)  # the measurement window
    passes = reconciles(ctl) - before
    total, items = _writes(sim, namespace=ns)
    assert total == 0, items
    assert passes <= 3, passes
    assert warnings() == early + 1, _events(sim, ns, "orphan", "PingerMissing")
    # The workload is left alone while degraded, and recovers.
    assert workloads(sim, ns)[0] == ["orphan"]
    _create(sim, ns, "pingers", pinger("mesh"))
    wait_ready(sim, ctl, ns, "orphan")
    assert _cond(_get(sim, _path(ns, "debuggers", "orphan")),
                 "Degraded")["status"] == "False"
