# kc-test-labels: e2e
"""Issue 6 item 5 / ADR 0043: the controller's Pinger status roll-up.

A `kubecombo controller` runs against a `kubecombo sim --fault-api` (stage
kubelet, 3 nodes, deploy/crd applied). A Pinger's status follows its agents —
the pods of the Debuggers that name it (env PINGER_NAME) — and the summary
each agent writes on its own Pod (annotation kubecombo.com/pinger-summary; set
by the test here, as the agent's engineer writes it): observedGeneration,
agents, reportingAgents, targets, unhealthyTargets, downTargets, conditions
Ready/Progressing/Degraded with reasons, a Warning Event when targets go down;
an invalid spec is Degraded; steady state (and pod updates that change
nothing the roll-up reads) makes zero writes. Every wait is bounded.
"""
import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import (  # noqa: E402
    cond as _cond, create as _create, crd_controller,
    make_namespace, merge as _merge, path as _path)

ANNOTATION = "kubecombo.com/pinger-summary"
QUIET_SECONDS = 3.0


def pinger(name, **spec):
    base = {"image": "kubecombo/kubecombo:latest", "ping": "127.0.0.1"}
    base.update(spec)
    return {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Pinger",
            "metadata": {"name": name}, "spec": base}


def debugger(name, pinger_name):
    return {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Debugger",
            "metadata": {"name": name},
            "spec": {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi",
                     "enablePinger": True, "pinger": pinger_name}}


def _pinger_with_3_agents(sim, ctl, ns, name):
    """Pinger `name` and its DaemonSet Debugger `name`-ds, once 3 agents count."""
    _create(sim, ns, "pingers", pinger(name))
    _create(sim, ns, "debuggers", debugger(name + "-ds", name))
    wait_status(sim, ctl, ns, name, lambda p: p["status"].get("agents") == 3,
                "3 agents")


def wait_status(sim, ctl, ns, name, pred, what, timeout=20):
    """The Pinger once its status is current and pred(status) holds."""
    last = {}

    def probe():
        r = sim.request("GET", _path(ns, "pingers", name))
        if r.status_code != 200:
            return None
        p = r.json()
        last["p"] = p
        st = p.get("status") or {}
        if st.get("observedGeneration") != p["metadata"]["generation"]:
            return None
        return p if pred(p) else None
    try:
        return simlib.wait_until(probe, timeout=timeout, what=what)
    except AssertionError:
        raise AssertionError("%s: status %s\ncontroller log:\n%s" % (
            what, json.dumps((last.get("p") or {}).get("status"), indent=1),
            ctl.log()[-3000:]))


def _agent_pods(sim, ns, debugger_name):
    items = sim.get_json("/api/v1/namespaces/%s/pods?labelSelector=debug%%3D%s"
                         % (ns, debugger_name))["items"]
    return sorted((p for p in items if not p["metadata"].get("deletionTimestamp")),
                  key=lambda p: p["metadata"]["name"])


def _summarise(sim, ns, pod, targets, down):
    value = json.dumps({"targets": targets, "unhealthy": len(down), "down": down},
                       separators=(",", ":"))
    _merge(sim, "/api/v1/namespaces/%s/pods/%s" % (ns, pod),
           {"metadata": {"annotations": {ANNOTATION: value}}})


def _writes(sim, ns):
    w = simlib.fault_writes(sim, namespace=ns)
    return sum(i["total"] for i in w["items"]), w["items"]


@pytest.fixture(scope="module")
def ctl(fault_sim):
    yield from crd_controller(fault_sim, "pinger")


@pytest.fixture
def ns(fault_sim, ctl):
    return make_namespace(fault_sim, "png")


def test_status_rolls_up_the_agents_summaries(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "pingers", pinger("mesh"))
    p = wait_status(sim, ctl, ns, "mesh",
                    lambda p: _cond(p, "Ready").get("reason") == "NoAgents",
                    "no agents yet")
    st = p["status"]
    assert (st["agents"], st["targets"], st["unhealthyTargets"]) == (0, 0, 0), st
    assert _cond(p, "Ready")["status"] == "False"
    assert _cond(p, "Degraded")["status"] == "False"

    _create(sim, ns, "debuggers", debugger("inspector", "mesh"))
    p = wait_status(sim, ctl, ns, "mesh",
                    lambda p: p["status"].get("agents") == 3,
                    "3 agents (one per node)")
    assert _cond(p, "Ready")["reason"] == "WaitingForAgents", p["status"]
    assert _cond(p, "Progressing")["status"] == "True"
    assert p["status"]["reportingAgents"] == 0

    pods = [x["metadata"]["name"] for x in _agent_pods(sim, ns, "inspector")]
    assert len(pods) == 3, pods
    _summarise(sim, ns, pods[0], 4, [])
    _summarise(sim, ns, pods[1], 4, [])
    _summarise(sim, ns, pods[2], 4, ["icmp/10.0.0.9"])
    t0 = time.monotonic()
    p = wait_status(sim, ctl, ns, "mesh",
                    lambda p: p["status"].get("reportingAgents") == 3,
                    "3 agents reporting")
    print("roll-up: 3 annotations → status in %.2fs" % (time.monotonic() - t0))
    st = p["status"]
    assert (st["agents"], st["targets"], st["unhealthyTargets"]) == (3, 12, 1), st
    assert st["downTargets"] == ["%s: icmp/10.0.0.9" % pods[2]], st
    ready, degraded = _cond(p, "Ready"), _cond(p, "Degraded")
    assert (ready["status"], ready["reason"]) == ("True", "AgentsReporting"), st
    assert (degraded["status"], degraded["reason"]) == ("True", "TargetsUnhealthy"), st
    assert "1 of 12 targets down" in degraded["message"] and "icmp/10.0.0.9" in \
        degraded["message"], degraded
    for c in st["conditions"]:
        assert c["lastTransitionTime"] and c["message"], c

    # One Warning Event for the transition.
    def events():
        items = sim.get_json("/api/v1/namespaces/%s/events" % ns)["items"]
        return [e for e in items if e["involvedObject"].get("kind") == "Pinger"
                and e["reason"] == "TargetsUnhealthy"]
    evs = simlib.wait_until(events, timeout=10, what="TargetsUnhealthy Event")
    assert evs[0]["type"] == "Warning" and evs[0]["involvedObject"]["name"] == "mesh"

    # kubectl's printer columns show the roll-up.
    rc, out, err = sim.kubectl("get", "ping", "mesh", "-n", ns)
    assert rc == 0, err
    _, rows = simlib.table(out)
    assert (rows[0]["AGENTS"], rows[0]["UNHEALTHY"], rows[0]["READY"]) == \
        ("3", "1", "True"), out

    # The target recovers.
    _summarise(sim, ns, pods[2], 4, [])
    p = wait_status(sim, ctl, ns, "mesh",
                    lambda p: p["status"].get("unhealthyTargets") == 0,
                    "every target healthy")
    assert _cond(p, "Degraded")["status"] == "False"
    assert p["status"]["downTargets"] == []
    assert len(events()) == 1


def test_steady_state_and_unrelated_pod_updates_make_zero_writes(fault_sim, ctl, ns):
    sim = fault_sim
    _pinger_with_3_agents(sim, ctl, ns, "quiet")
    pods = [x["metadata"]["name"] for x in _agent_pods(sim, ns, "quiet-ds")]
    for pod in pods:
        _summarise(sim, ns, pod, 2, [])
    wait_status(sim, ctl, ns, "quiet",
                lambda p: _cond(p, "Ready").get("status") == "True", "Ready")
    # Let the Debugger's own status settle too, then measure.
    simlib.wait_until(lambda: _cond(sim.get_json(_path(ns, "debuggers", "quiet-ds")),
                                    "Ready").get("status") == "True",
                      timeout=20, what="Debugger Ready")
    time.sleep(1.0)  # let in-flight status writes land before the window
    simlib.fault_reset_writes(sim)
    # Pod updates the roll-up does not read: a label, the same summary again.
    _merge(sim, "/api/v1/namespaces/%s/pods/%s" % (ns, pods[0]),
           {"metadata": {"labels": {"touched": "yes"}}})
    _summarise(sim, ns, pods[1], 2, [])
    time.sleep(QUIET_SECONDS)  # a measurement window, not a synchronisation
    total, items = _writes(sim, ns)
    ours = [i for i in items if "pingers" in json.dumps(i)]
    assert not ours, json.dumps(items, indent=1)
    # Only the test's own two pod patches were written in the namespace.
    assert total == 2, json.dumps(items, indent=1)


def test_invalid_pinger_is_degraded(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "pingers", pinger("broken", tcpPing="10.0.0.1"))
    p = wait_status(sim, ctl, ns, "broken",
                    lambda p: _cond(p, "Degraded").get("status") == "True",
                    "Degraded")
    d = _cond(p, "Degraded")
    assert d["reason"] == "InvalidSpec" and "spec.tcpPing" in d["message"], d
    assert _cond(p, "Ready")["status"] == "False"
    # Fixing the spec (generation 2) clears it.
    _merge(sim, _path(ns, "pingers", "broken"), {"spec": {"tcpPing": "10.0.0.1:80"}})
    p = wait_status(sim, ctl, ns, "broken",
                    lambda p: _cond(p, "Degraded").get("status") == "False",
                    "not Degraded")
    assert p["status"]["observedGeneration"] == 2


def test_agents_leave_with_their_debugger(fault_sim, ctl, ns):
    sim = fault_sim
    _pinger_with_3_agents(sim, ctl, ns, "leaving")
    r = sim.request("DELETE", _path(ns, "debuggers", "leaving-ds"))
    assert r.status_code == 200, r.text
    p = wait_status(sim, ctl, ns, "leaving",
                    lambda p: p["status"].get("agents") == 0, "0 agents", timeout=30)
    assert _cond(p, "Ready")["reason"] == "NoAgents"


def test_actor_tree_names(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "pingers", pinger("named"))
    wait_status(sim, ctl, ns, "named", lambda p: True, "status")
    r = ctl.get("/debug/actors", timeout=5)
    assert r is not None and r.status_code == 200
    names = {a["name"]: a for a in r.json()["actors"]}
    assert "pingers" in names and names["pingers"]["parent"] == "root", names.keys()
    assert "pinger/%s/named" % ns in names, sorted(names)
    assert names["pinger/%s/named" % ns]["parent"] == "pingers"
    for inf in ("informer/pinger-specs", "informer/pinger-agents"):
        assert inf in names, sorted(names)
