# kc-test-labels: e2e slow
"""Leader election of `kubecombo controller --leader-elect` (api:L1–L2).

Two controllers on one `kubecombo sim`, default durations (CONTRACT.md has no
duration flags: lease 15 s, renew deadline 10 s, retry period 2 s). SIGSTOP
the leader: the other takes over within lease duration + retry period (plus
up to one retry period until it first observes the last renewal). SIGCONT the
old leader: it stops its writers and exits non-zero. Throughout, a sampler
scrapes both kubecombo_leader gauges and a watch records every Lease write:
never two leaders, and the old holder never writes the Lease again.
"""
import json
import os
import signal
import sys
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import Controller, get_lease, make_namespace  # noqa: E402

LEASE_DURATION = 15.0
RETRY_PERIOD = 2.0


class LeaseWatch(threading.Thread):
    """Records (monotonic time, holder, transitions, rv) of every Lease write."""

    def __init__(self, sim, ns):
        super().__init__(daemon=True)
        self.sim, self.ns = sim, ns
        self.history = []
        self.stop_flag = False
        self.resp = None

    def run(self):
        rv = ""
        deadline = time.monotonic() + 300
        while not self.stop_flag and time.monotonic() < deadline:
            path = ("/apis/coordination.k8s.io/v1/namespaces/%s/leases?watch=true"
                    "&fieldSelector=metadata.name%%3Dkubecombo-controller" % self.ns)
            if rv:
                path += "&resourceVersion=" + rv
            try:
                self.resp = self.sim.session().get(self.sim.kc.server + path,
                                                   stream=True, timeout=(5, 120))
                for line in self.resp.iter_lines():
                    if self.stop_flag:
                        return
                    if not line:
                        continue
                    ev = json.loads(line)
                    meta = ev["object"].get("metadata", {})
                    rv = meta.get("resourceVersion", rv)
                    if ev.get("type") not in ("ADDED", "MODIFIED"):
                        continue
                    spec = ev["object"].get("spec", {})
                    self.history.append((time.monotonic(),
                                         spec.get("holderIdentity", ""),
                                         spec.get("leaseTransitions", 0), rv))
            except (requests.RequestException, ValueError):
                time.sleep(0.2)  # re-watch from the last resourceVersion

    def stop(self):
        self.stop_flag = True
        if self.resp is not None:
            self.resp.close()


class Sampler(threading.Thread):
    """Scrapes kubecombo_leader of every controller every 100 ms."""

    def __init__(self, controllers):
        super().__init__(daemon=True)
        self.controllers = controllers
        self.samples = []
        self.stop_flag = False

    def run(self):
        while not self.stop_flag:
            vals = [c.leader_value(timeout=0.3) for c in self.controllers]
            self.samples.append((time.monotonic(), vals))
            time.sleep(0.1)


def test_sigstop_leader_hands_over_without_overlap(sim):
    ns = make_namespace(sim)
    a = Controller(sim, "a", ("--leader-elect", "--leader-election-namespace", ns))
    b = Controller(sim, "b", ("--leader-elect", "--leader-election-namespace", ns))
    watch = LeaseWatch(sim, ns)
    sampler = Sampler([a, b])
    try:
        a.start()
        watch.start()
        simlib.wait_until(lambda: a.leader_value() == 1.0, timeout=20,
                          what="controller a to lead")
        b.start()
        sampler.start()
        # b stays a candidate while a renews (more than one lease duration).
        deadline = time.monotonic() + LEASE_DURATION + 2 * RETRY_PERIOD
        while time.monotonic() < deadline:
            assert b.leader_value() == 0.0, b.log()
            time.sleep(0.5)
        assert a.leader_value() == 1.0
        lease = get_lease(sim, ns)
        ida, idb = a.identity(), b.identity()
        assert ida and idb and ida != idb
        assert lease["spec"]["holderIdentity"] == ida
        assert lease["spec"]["leaseDurationSeconds"] == 15
        assert lease["spec"]["leaseTransitions"] == 0

        a.signal(signal.SIGSTOP)
        t_stop = time.monotonic()
        simlib.wait_until(lambda: b.leader_value() == 1.0, timeout=40, interval=0.1,
                          what="controller b to take over")
        takeover = time.monotonic() - t_stop
        print("takeover after SIGSTOP: %.1f s" % takeover)
        # lease duration + retry period, plus at most one retry period until b
        # first observed a's last renewal, plus scrape latency.
        assert takeover <= LEASE_DURATION + 2 * RETRY_PERIOD + 1.5, takeover
        # never early: at least a lease duration after a's last renewal
        assert takeover >= LEASE_DURATION - RETRY_PERIOD - 0.5, takeover
        lease = get_lease(sim, ns)
        assert lease["spec"]["holderIdentity"] == idb
        assert lease["spec"]["leaseTransitions"] == 1

        t_cont = time.monotonic()
        a.signal(signal.SIGCONT)
        rc = a.wait(timeout=10)
        assert rc is not None, "old leader still running after SIGCONT:\n" + a.log()
        assert rc != 0, a.log()
        print("old leader exited %d after %.2f s" % (rc, time.monotonic() - t_cont))
        assert "leader election lost" in a.log(), a.log()
        assert "stopping every writer" in a.log()
        time.sleep(2 * RETRY_PERIOD)  # b keeps renewing on its own
        assert b.leader_value() == 1.0
    finally:
        sampler.stop_flag = True
        if sampler.is_alive():
            sampler.join(timeout=5)
        rc_b = b.stop()
        a.stop()
        watch.stop()
        watch.join(timeout=5)
    # Never two leaders in any sample.
    both = [s for s in sampler.samples if s[1][0] == 1.0 and s[1][1] == 1.0]
    assert not both, both[:5]
    assert len(sampler.samples) > 50
    # Lease history: a then b; once b holds it, a never writes it again.
    holders = [h for (_, h, _, _) in watch.history]
    assert ida in holders and idb in holders, holders
    first_b = holders.index(idb)
    assert all(h != ida for h in holders[first_b:]), holders
    assert all(h in (ida, "") for h in holders[:first_b]), holders
    # b released the Lease on its clean shutdown.
    assert rc_b == 0, b.log()
    lease = get_lease(sim, ns)
    assert lease["spec"].get("holderIdentity", "") == "", lease
    assert lease["spec"]["leaseDurationSeconds"] == 1
    assert "released the Lease" in b.log()


def test_clean_shutdown_releases_and_successor_takes_over_at_once(sim):
    ns = make_namespace(sim)
    a = Controller(sim, "c", ("--leader-elect", "--leader-election-namespace", ns))
    b = Controller(sim, "d", ("--leader-elect", "--leader-election-namespace", ns))
    try:
        a.start()
        simlib.wait_until(lambda: a.leader_value() == 1.0, timeout=20,
                          what="controller c to lead")
        b.start()
        simlib.wait_until(lambda: b.leader_value() == 0.0, timeout=10,
                          what="controller d to be a candidate")
        t0 = time.monotonic()
        a.signal(signal.SIGTERM)
        assert a.wait(timeout=15) == 0, a.log()
        simlib.wait_until(lambda: b.leader_value() == 1.0, timeout=15, interval=0.1,
                          what="controller d to take over the released Lease")
        handover = time.monotonic() - t0
        print("handover after a clean shutdown: %.1f s" % handover)
        assert handover < LEASE_DURATION / 2, handover
        assert get_lease(sim, ns)["spec"]["leaseTransitions"] == 1
    finally:
        a.stop()
        b.stop()
