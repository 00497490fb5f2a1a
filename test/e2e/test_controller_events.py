# kc-test-labels: e2e
"""Events written by `kubecombo controller` (api:E3).

The controller records a `LeaderElection` Event on its Lease when it becomes
leader, through its RECORDER: a core/v1 Event with involvedObject.apiVersion,
source, reportingComponent and reportingInstance set, readable by kubectl
and the events.k8s.io view. The correlator itself (100 identical failures →
one Event with count 25; 30 similar messages → aggregation) is exercised
against a sim by test/actors/recorder_test.cpp (the Debugger logic that
produces reconcile failures comes in its own issue); this file runs that
suite too when the actors_test binary is built.
"""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import Controller, make_namespace  # noqa: E402


def _events(sim, ns):
    return sim.get_json("/api/v1/namespaces/%s/events" % ns)["items"]


def test_leader_election_event_on_the_lease(sim):
    ns = make_namespace(sim, "events")
    c = Controller(sim, "ev", ("--leader-elect", "--leader-election-namespace", ns))
    try:
        c.start()
        simlib.wait_until(lambda: c.leader_value() == 1.0, timeout=20,
                          what="controller to lead")
        ident = c.identity()
        evs = simlib.wait_until(
            lambda: [e for e in _events(sim, ns) if e.get("reason") == "LeaderElection"],
            timeout=10, what="the LeaderElection Event")
        assert len(evs) == 1, evs
        e = evs[0]
        assert e["message"] == "%s became leader" % ident
        assert e["type"] == "Normal"
        assert e["count"] == 1
        inv = e["involvedObject"]
        assert inv["kind"] == "Lease"
        assert inv["apiVersion"] == "coordination.k8s.io/v1"
        assert inv["name"] == "kubecombo-controller"
        assert inv["namespace"] == ns
        assert e["source"]["component"] == "kubecombo-controller"
        assert e["source"]["host"] == ident.rsplit("_", 1)[0]
        assert e["reportingComponent"] == "kubecombo-controller"
        assert e["reportingInstance"] == ident
        assert e["metadata"]["name"].startswith("kubecombo-controller.")
        assert e["firstTimestamp"] == e["lastTimestamp"]
        # The same object through the events.k8s.io/v1 view.
        v1 = sim.get_json("/apis/events.k8s.io/v1/namespaces/%s/events/%s"
                          % (ns, e["metadata"]["name"]))
        assert v1["reportingController"] == "kubecombo-controller"
        assert v1["regarding"]["apiVersion"] == "coordination.k8s.io/v1"
    finally:
        assert c.stop() == 0, c.log()


def test_recorder_correlation_suite_against_the_sim():
    build = os.environ.get("KC_BUILD_DIR", "")
    binary = os.path.join(build, "test", "actors_test")
    if not build or not os.access(binary, os.X_OK):
        pytest.skip("SKIP: %s not built (ninja actors_test)" % binary)
    p = subprocess.run([binary, "--run_test=recorder", "--log_level=message"],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ))
    print(p.stdout[-3000:], p.stderr[-3000:])
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "SKIP" not in p.stdout
    assert "written=25 skipped=75" in p.stdout
