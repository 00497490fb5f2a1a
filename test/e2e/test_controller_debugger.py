# kc-test-labels: e2e
"""The Debugger controller end to end (issue 5; docs/adr/0103).

A `kubecombo controller` runs against a `kubecombo sim --fault-api` (stage
kubelet, 3 nodes). Every deploy/samples Debugger converges to Ready (status,
`kubectl get debug` columns, `kubectl describe debug` with conditions and
Events); spec changes reach the workload; a deleted workload comes back; a
hand edit is reverted; a missing Pinger or an invalid spec gives Degraded
with one Warning Event and no hot loop; steady state makes zero writes
(the sim's per-object write counters, ADR 0012, count API clients only).
Every wait is bounded.
"""
import glob
import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import (  # noqa: E402,F401
    GROUP, SOURCE, NoAnswer as requests_stub, cond as _cond, create as _create,
    crd_controller, get as _get, make_namespace, merge as _merge, path as _path,
    wait_degraded)

QUIET_SECONDS = 4.0


# -- helpers -------------------------------------------------------------
def _ds_path(ns, name=""):
    return _path(ns, "daemonsets", name, "/apis/apps/v1")


def _pod_path(ns, name=""):
    return _path(ns, "pods", name, "/api/v1")


def _ready(sim, ns, name):
    """The Debugger once its status is current and Ready=True, else None."""
    d = _get(sim, _path(ns, "debuggers", name))
    if not d:
        return None
    st = d.get("status") or {}
    if st.get("observedGeneration") != d["metadata"].get("generation"):
        return None
    return d if _cond(d, "Ready").get("status") == "True" else None


def wait_ready(sim, ctl, ns, name, timeout=30):
    try:
        return simlib.wait_until(lambda: _ready(sim, ns, name), timeout=timeout,
                                 what="Debugger %s/%s Ready" % (ns, name))
    except AssertionError:
        d = _get(sim, _path(ns, "debuggers", name))
        raise AssertionError("not Ready: %s\ncontroller log:\n%s" % (
            json.dumps((d or {}).get("status"), indent=1), ctl.log()[-4000:]))


def _events(sim, ns, name, reason=None):
    items = sim.get_json("/api/v1/namespaces/%s/events" % ns)["items"]
    return [e for e in items if e["involvedObject"].get("name") == name
            and e["involvedObject"].get("kind") == "Debugger"
            and (reason is None or e.get("reason") == reason)]


def _wait_events(sim, ns, name, reason, at_least=1):
    """The Events (written asynchronously by the RECORDER), waited for."""
    return simlib.wait_until(
        lambda: (lambda evs: evs if len(evs) >= at_least else None)(
            _events(sim, ns, name, reason)),
        timeout=10, what="%d %s Event(s) on %s" % (at_least, reason, name))


def debugger(name, **spec):
    base = {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi"}
    base.update(spec)
    return {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Debugger",
            "metadata": {"name": name}, "spec": base}


def pinger(name, image="kubecombo/pinger:latest"):
    return {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Pinger",
            "metadata": {"name": name},
            "spec": {"image": image, "ping": "127.0.0.1"}}


def _container(workload, name):
    spec = workload["spec"]
    spec = spec["template"]["spec"] if "template" in spec else spec
    for c in spec["containers"]:
        if c["name"] == name:
            return c
    return None


def _writes(sim, **kw):
    """Write counts, without the simulated kubelets' node Lease renewals."""
    w = simlib.fault_writes(sim, **kw)
    items = [i for i in w["items"] if i["namespace"] != "kube-node-lease"]
    return sum(i["total"] for i in items), items


# -- fixtures ------------------------------------------------------------
@pytest.fixture(scope="module")
def ctl(fault_sim):
    # The controller is up and ready before the tests start.
    yield from crd_controller(fault_sim, "debugger")


@pytest.fixture
def ns(fault_sim, ctl):
    return make_namespace(fault_sim, "dbg")


# -- tests ---------------------------------------------------------------
def test_samples_converge_to_ready(fault_sim, ctl, ns):
    sim = fault_sim
    t0 = time.monotonic()
    for f in sorted(glob.glob(os.path.join(SOURCE, "deploy", "samples", "*.yaml"))):
        rc, out, err = sim.kubectl("apply", "-n", ns, "-f", f)
        assert rc == 0, out + err
    t1 = time.monotonic()
    names = ["node-inspector", "script-job", "troubleshoot-worker-1"]
    for name in names:
        wait_ready(sim, ctl, ns, name)
    t2 = time.monotonic()
    print("samples: 3 kubectl applies %.2fs, all Ready %.2fs after the first apply"
          % (t1 - t0, t2 - t0))
    for name in names:
        d = wait_ready(sim, ctl, ns, name)
        st = d["status"]
        assert _cond(d, "Progressing")["status"] == "False", st
        assert _cond(d, "Degraded")["status"] == "False", st
        assert st["ready"] == st["desired"] >= 1, st
        for c in st["conditions"]:
            assert c["reason"] and c["message"] and c["lastTransitionTime"], c
    ds = sim.get_json(_ds_path(ns, "node-inspector"))
    owner = ds["metadata"]["ownerReferences"][0]
    inspector = _get(sim, _path(ns, "debuggers", "node-inspector"))
    assert (owner["kind"], owner["uid"], owner["controller"]) == (
        "Debugger", inspector["metadata"]["uid"], True)
    assert {c["name"] for c in ds["spec"]["template"]["spec"]["containers"]} == \
        {"debug", "ping"}
    assert inspector["status"]["desired"] == 3
    job = sim.get_json(_pod_path(ns, "script-job"))
    assert job["metadata"]["labels"]["debug"] == "script-job"
    assert any((v.get("configMap") or {}).get("name") == "custom-checks"
               for v in job["spec"]["volumes"]), job["spec"]["volumes"]
    pod = sim.get_json(_pod_path(ns, "troubleshoot-worker-1"))
    assert pod["spec"]["nodeName"] == "kubecombo-worker-1"
    assert pod["spec"].get("hostNetwork") is True
    sa = sim.get_json(_path(ns, "serviceaccounts", "kubecombo-agent", "/api/v1"))
    # Owned by nothing; deleted with the namespace's last Debugger (ADR 0104).
    assert not sa["metadata"].get("ownerReferences"), sa["metadata"]
    # The actor tree (DESIGN §3) in /debug/actors.
    actors = {a["name"]: a for a in ctl.get("/debug/actors", timeout=5).json()["actors"]}
    for kind in ("debuggers", "pingers", "configmaps", "pods", "daemonsets"):
        assert actors["informer/" + kind]["parent"] == "root", actors.keys()
    assert actors["debuggers"]["parent"] == "root"
    for name in names:
        assert actors["debugger/%s/%s" % (ns, name)]["parent"] == "debuggers"
    # kubectl's view: printer columns and describe.
    rc, out, err = sim.kubectl("get", "debug", "-n", ns)
    assert rc == 0, err
    _, rows = simlib.table(out)
    by_name = {r["NAME"]: r for r in rows}
    assert set(by_name) == set(names), out
    assert by_name["node-inspector"]["WORKLOAD"] == "daemonset"
    assert by_name["node-inspector"]["PINGER"] == "mesh-pinger"
    assert by_name["script-job"]["CONFIGMAP"] == "custom-checks"
    # The READY column is the CRD's filter JSONPath
    # (.status.conditions[?(@.type=="Ready")].status), rendered by the sim's
    # server-side Table (k8s/api/jsonpath.cpp); kubectl's own JSONPath agrees.
    assert all(r["READY"] == "True" for r in rows), out
    rc, out, err = sim.kubectl(
        "get", "debug", "-n", ns, "-o",
        'jsonpath={range .items[*]}{.metadata.name}={.status.conditions'
        '[?(@.type=="Ready")].status}{"\\n"}{end}')
    assert rc == 0, err
    assert sorted(out.split()) == sorted(n + "=True" for n in names), out
    _wait_events(sim, ns, "node-inspector", "Created")
    rc, out, err = sim.kubectl("describe", "debug", "-n", ns, "node-inspector")
    assert rc == 0, err
    for text in ("Conditions:", "Ready", "PodsReady", "Events:", "Created",
                 "created DaemonSet node-inspector"):
        assert text in out, out
    assert len(_events(sim, ns, "node-inspector", "Created")) == 1


def test_steady_state_makes_zero_writes(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "pingers", pinger("p"))
    _create(sim, ns, "debuggers", debugger("steady-ds", enablePinger=True, pinger="p"))
    _create(sim, ns, "debuggers", debugger("steady-pod", workloadType="pod"))
    for name in ("steady-ds", "steady-pod"):
        wait_ready(sim, ctl, ns, name)
    simlib.fault_reset_writes(sim)
    time.sleep(QUIET_SECONDS)  # a measurement window, not a synchronisation
    total, items = _writes(sim)
    assert total == 0, json.dumps(items, indent=1)


def test_deleted_workloads_are_recreated(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "debuggers", debugger("re-ds"))
    _create(sim, ns, "debuggers", debugger("re-pod", workloadType="pod"))
    wait_ready(sim, ctl, ns, "re-ds")
    wait_ready(sim, ctl, ns, "re-pod")
    old_ds = sim.get_json(_ds_path(ns, "re-ds"))["metadata"]["uid"]
    old_pod = sim.get_json(_pod_path(ns, "re-pod"))["metadata"]["uid"]
    assert sim.request("DELETE", _ds_path(ns, "re-ds")).status_code == 200
    assert sim.request("DELETE", _pod_path(ns, "re-pod")).status_code == 200
    simlib.wait_until(lambda: ((_get(sim, _ds_path(ns, "re-ds")) or {})
                               .get("metadata", {}).get("uid") not in (None, old_ds)),
                      timeout=20, what="a new DaemonSet")
    simlib.wait_until(lambda: ((_get(sim, _pod_path(ns, "re-pod")) or {})
                               .get("metadata", {}).get("uid") not in (None, old_pod)),
                      timeout=30, what="a new Pod")
    wait_ready(sim, ctl, ns, "re-ds")
    wait_ready(sim, ctl, ns, "re-pod")


def test_hand_edit_of_the_daemonset_is_reverted(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "debuggers", debugger("edited", image="kubecombo/debugger:v1"))
    wait_ready(sim, ctl, ns, "edited")
    r = sim.request("PATCH", _ds_path(ns, "edited"), data=json.dumps(
        {"spec": {"template": {"spec": {"containers": [
            {"name": "debug", "image": "evil/debugger:1"}]}}}}),
        headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert r.status_code == 200, r.text
    assert _container(r.json(), "debug")["image"] == "evil/debugger:1"
    simlib.wait_until(
        lambda: _container(sim.get_json(_ds_path(ns, "edited")), "debug")["image"]
        == "kubecombo/debugger:v1", timeout=20, what="the hand edit reverted")
    _wait_events(sim, ns, "edited", "Updated")
    wait_ready(sim, ctl, ns, "edited")


def test_spec_changes_reach_the_workload(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "pingers", pinger("pp"))
    _create(sim, ns, "debuggers", debugger("changing", enablePinger=True, pinger="pp"))
    wait_ready(sim, ctl, ns, "changing")
    dpath = _path(ns, "debuggers", "changing")

    def ds():
        return sim.get_json(_ds_path(ns, "changing"))

    # image and resources
    _merge(sim, dpath, {"spec": {"image": "kubecombo/debugger:v2", "cpu": "300m",
                                 "memory": "96Mi"}})
    simlib.wait_until(lambda: _container(ds(), "debug")["image"]
                      == "kubecombo/debugger:v2", timeout=20, what="new image")
    res = _container(ds(), "debug")["resources"]
    assert res["limits"]["cpu"] in ("300m", "0.3"), res
    assert res["limits"]["memory"] == "96Mi", res
    # placement: node selector and tolerations
    _merge(sim, dpath, {"spec": {
        "selector": ["kubernetes.io/hostname:kubecombo-worker-2"],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "debug",
                         "effect": "NoSchedule"}]}})
    simlib.wait_until(
        lambda: ds()["spec"]["template"]["spec"].get("nodeSelector", {}).get(
            "kubernetes.io/hostname") == "kubecombo-worker-2",
        timeout=20, what="the node selector")
    tol = ds()["spec"]["template"]["spec"]["tolerations"]
    assert any(t.get("key") == "dedicated" for t in tol), tol
    d = wait_ready(sim, ctl, ns, "changing")
    assert d["status"]["desired"] == 1, d["status"]
    # enablePinger off removes the ping container
    _merge(sim, dpath, {"spec": {"enablePinger": False}})
    simlib.wait_until(lambda: _container(ds(), "ping") is None, timeout=20,
                      what="the ping container removed")
    wait_ready(sim, ctl, ns, "changing")
    _wait_events(sim, ns, "changing", "Updated", 3)
    # a ConfigMap change rolls (here: replaces) the workload
    _create(sim, ns, "configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "scripts"},
                                    "data": {"a.sh": "echo a\n"}}, group="/api/v1")
    _create(sim, ns, "debuggers", debugger("scripted", workloadType="pod",
                                           enableConfigMap=True, configMap="scripts"))
    wait_ready(sim, ctl, ns, "scripted")
    uid = sim.get_json(_pod_path(ns, "scripted"))["metadata"]["uid"]
    _merge(sim, _path(ns, "configmaps", "scripts", "/api/v1"),
           {"data": {"a.sh": "echo b\n"}})
    simlib.wait_until(lambda: ((_get(sim, _pod_path(ns, "scripted")) or {})
                               .get("metadata", {}).get("uid") not in (None, uid)),
                      timeout=30, what="the Pod replaced after the ConfigMap change")
    wait_ready(sim, ctl, ns, "scripted")
    assert len(_wait_events(sim, ns, "scripted", "Replaced")) == 1


def test_workload_type_switch_removes_the_old_workload(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "debuggers", debugger("switch"))
    wait_ready(sim, ctl, ns, "switch")
    _merge(sim, _path(ns, "debuggers", "switch"), {"spec": {"workloadType": "pod"}})
    simlib.wait_until(lambda: _get(sim, _ds_path(ns, "switch")) is None,
                      timeout=20, what="the DaemonSet removed")
    wait_ready(sim, ctl, ns, "switch")
    assert sim.get_json(_pod_path(ns, "switch"))["metadata"]["labels"]["debug"] == "switch"
    _wait_events(sim, ns, "switch", "Deleted")


def test_missing_pinger_degrades_without_a_hot_loop(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "pingers", pinger("gone"))
    _create(sim, ns, "debuggers", debugger("orphan", enablePinger=True, pinger="gone"))
    wait_ready(sim, ctl, ns, "orphan")
    assert sim.request("DELETE", _path(ns, "pingers", "gone")).status_code == 200

    d = wait_degraded(sim, ns, "orphan", "PingerMissing")
    assert "spec.pinger" in _cond(d, "Degraded")["message"]
    assert _cond(d, "Ready")["status"] == "False"
    ev = simlib.wait_until(lambda: _events(sim, ns, "orphan", "PingerMissing"),
                           timeout=10, what="the PingerMissing Event")
    assert ev[0]["type"] == "Warning"
    simlib.fault_reset_writes(sim)
    time.sleep(QUIET_SECONDS / 2)  # a measurement window: no hot loop
    total, items = _writes(sim, namespace=ns)
    assert total == 0, json.dumps(items, indent=1)
    ev = _events(sim, ns, "orphan", "PingerMissing")
    assert len(ev) == 1 and ev[0]["count"] == 1, ev
    # The Pinger comes back: Ready again.
    _create(sim, ns, "pingers", pinger("gone"))
    wait_ready(sim, ctl, ns, "orphan")


def test_invalid_spec_degrades_without_a_hot_loop(fault_sim, ctl, ns):
    sim = fault_sim
    # Passes the CRD schema, fails the cross-field rule (nodeName with a
    # daemonset) that only reconcile (and the webhook) checks.
    _create(sim, ns, "debuggers", debugger("bad", nodeName="kubecombo-worker-1"))

    def degraded():
        d = _get(sim, _path(ns, "debuggers", "bad"))
        c = _cond(d, "Degraded")
        return d if c.get("status") == "True" else None
    d = simlib.wait_until(degraded, timeout=20, what="Degraded InvalidSpec")
    c = _cond(d, "Degraded")
    assert c["reason"] == "InvalidSpec" and "spec.nodeName" in c["message"], c
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
    ev = simlib.wait_until(lambda: _events(sim, ns, "bad", "InvalidSpec"),
                           timeout=10, what="the InvalidSpec Event")
    assert ev[0]["type"] == "Warning"
    assert _get(sim, _ds_path(ns, "bad")) is None
    simlib.fault_reset_writes(sim)
    time.sleep(QUIET_SECONDS / 2)  # a measurement window: no hot loop
    total, items = _writes(sim, namespace=ns)
    assert total == 0, json.dumps(items, indent=1)
    # Fixing the spec converges.
    _merge(sim, _path(ns, "debuggers", "bad"), {"spec": {"nodeName": None}})
    wait_ready(sim, ctl, ns, "bad")


def test_missing_configmap_degrades_until_it_exists(fault_sim, ctl, ns):
    sim = fault_sim
    _create(sim, ns, "debuggers", debugger("needs-cm", workloadType="pod",
                                           enableConfigMap=True, configMap="later"))

    def degraded():
        c = _cond(_get(sim, _path(ns, "debuggers", "needs-cm")), "Degraded")
        return c if c.get("status") == "True" else None
    c = simlib.wait_until(degraded, timeout=20, what="Degraded ConfigMapMissing")
    assert c["reason"] == "ConfigMapMissing" and "spec.configMap" in c["message"], c
    assert _wait_events(sim, ns, "needs-cm", "ConfigMapMissing")[0]["type"] == "Warning"
    assert _get(sim, _pod_path(ns, "needs-cm")) is None
    _create(sim, ns, "configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "later"},
                                    "data": {"x.sh": "true\n"}}, group="/api/v1")
    wait_ready(sim, ctl, ns, "needs-cm")
