# kc-test-labels: e2e
"""Inspection runs in the controller end to end (issue 8; docs/adr/0051).

A `kubecombo controller` runs against a `kubecombo sim --fault-api` (stage
kubelet, 3 nodes, no agents). The test writes the agents' run reports itself:
the annotation `kubecombo.com/run-report` on the Debugger's own Pods (team
interface). Asserted: a past runAt starts a run now (status.currentRun,
RunStarted, overview ConfigMap with labels and owner), reports become keys
per node and `_summary` counts, all reported → Completed + RunCompleted, a
node that never reports → TimedOut at the deadline + RunTimedOut, a future
runAt waits for its time, a schedule produces a run on time, the history
limit prunes, a runAt that ran is not run again by a restarted controller,
an open run survives a controller restart (the overview is re-read), invalid
runAt / cron → Degraded naming the field. Every wait is bounded.
"""
import datetime
import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import (  # noqa: E402
    GROUP, crd_controller, get as _get, make_namespace, merge as _merge)

REPORT = "kubecombo.com/run-report"


# -- helpers -------------------------------------------------------------
def _dbg_path(ns, name=""):
    return "%s/namespaces/%s/debuggers%s" % (GROUP, ns, "/" + name if name else "")


def _cm_path(ns, name=""):
    return "/api/v1/namespaces/%s/configmaps%s" % (ns, "/" + name if name else "")


def rfc3339(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def run_id(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc) \
        .strftime("%Y%m%d-%H%M%S")


def create_debugger(sim, ns, name, **spec):
    base = {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi"}
    base.update(spec)
    r = sim.request("POST", _dbg_path(ns), json={
        "apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Debugger",
        "metadata": {"name": name}, "spec": base})
    assert r.status_code == 201, r.text
    return r.json()


def status(sim, ns, name):
    return ((_get(sim, _dbg_path(ns, name)) or {}).get("status")) or {}


def cond(st, ctype):
    for c in st.get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return {}


def wait_status(sim, ctl, ns, name, pred, what, timeout=20):
    try:
        return simlib.wait_until(
            lambda: (lambda st: st if pred(st) else None)(status(sim, ns, name)),
            timeout=timeout, what=what)
    except AssertionError:
        raise AssertionError("%s; status: %s\ncontroller log:\n%s" % (
            what, json.dumps(status(sim, ns, name), indent=1), ctl.log()[-3000:]))


def pods(sim, ns, name):
    items = sim.get_json("/api/v1/namespaces/%s/pods?labelSelector=debug%%3D%s"
                         % (ns, name))["items"]
    return [p for p in items if p["spec"].get("nodeName")]


def wait_pods(sim, ns, name, n):
    return simlib.wait_until(
        lambda: (lambda ps: ps if len(ps) == n else None)(pods(sim, ns, name)),
        timeout=20, what="%d pods of %s" % (n, name))


def report(sim, pod, run, failed=0):
    node = pod["spec"]["nodeName"]
    summary = ('disk:\n  sdb1:\n    err: "disk full"\nnet: {}\n' if failed
               else "disk:\n  sdb1: {}\nnet: {}\n")
    value = json.dumps({"run": run, "node": node, "phase": "Completed",
                        "checks": 14, "failed": failed, "unknown": 0,
                        "summary": summary}, separators=(",", ":"))
    _merge(sim, "/api/v1/namespaces/%s/pods/%s" % (
        pod["metadata"]["namespace"], pod["metadata"]["name"]),
        {"metadata": {"annotations": {REPORT: value}}})
    return node


def events(sim, ns, name, reason):
    items = sim.get_json("/api/v1/namespaces/%s/events" % ns)["items"]
    return [e for e in items if e["involvedObject"].get("name") == name
            and e["involvedObject"].get("kind") == "Debugger"
            and e.get("reason") == reason]


def wait_event(sim, ns, name, reason):
    return simlib.wait_until(lambda: events(sim, ns, name, reason), timeout=10,
                             what="%s Event on %s" % (reason, name))


def overview(sim, ns, name):
    return _get(sim, _cm_path(ns, name))


def summary(cm):
    out = {}
    for line in cm["data"]["_summary"].splitlines():
        k, _, v = line.partition(": ")
        out[k] = v.strip('"')
    return out


# -- fixtures ------------------------------------------------------------
@pytest.fixture(scope="module")
def ctl(fault_sim):
    yield from crd_controller(fault_sim, "runs")


@pytest.fixture
def ns(fault_sim, ctl):
    return make_namespace(fault_sim, "runs")


# -- tests ---------------------------------------------------------------
def test_past_run_at_runs_now_and_completes_when_all_nodes_report(fault_sim, ctl, ns):
    sim = fault_sim
    create_debugger(sim, ns, "inspect")
    ps = wait_pods(sim, ns, "inspect", 3)
    wait_status(sim, ctl, ns, "inspect", lambda st: st.get("desired") == 3,
                "desired 3")
    at = time.time() - 120
    t0 = time.monotonic()
    _merge(sim, _dbg_path(ns, "inspect"), {"spec": {"runAt": rfc3339(at)}})
    rid = run_id(at)
    st = wait_status(sim, ctl, ns, "inspect",
                     lambda st: (st.get("currentRun") or {}).get("id") == rid,
                     "currentRun %s" % rid)
    print("runAt in the past → currentRun after %.2fs" % (time.monotonic() - t0))
    assert st["currentRun"]["at"] == rfc3339(at)
    assert st["lastRun"]["phase"] == "Running" and st["lastRun"]["nodes"] == 3, st
    assert st["lastRun"]["overview"] == "inspect-" + rid
    assert "finishedAt" not in st["lastRun"]
    started = wait_event(sim, ns, "inspect", "RunStarted")
    assert rid in started[0]["message"] and started[0]["type"] == "Normal"
    cm = simlib.wait_until(lambda: overview(sim, ns, "inspect-" + rid),
                           timeout=10, what="overview ConfigMap")
    labels = cm["metadata"]["labels"]
    assert labels["kubecombo.com/debugger"] == "inspect"
    assert labels["kubecombo.com/run"] == rid
    owner = cm["metadata"]["ownerReferences"][0]
    dbg = _get(sim, _dbg_path(ns, "inspect"))
    assert (owner["kind"], owner["name"], owner["uid"]) == (
        "Debugger", "inspect", dbg["metadata"]["uid"])
    assert summary(cm)["phase"] == "Running"

    # Two nodes report (one with a problem): a key per node, counts.
    n0 = report(sim, ps[0], rid, failed=1)
    n1 = report(sim, ps[1], rid)
    cm = simlib.wait_until(
        lambda: (lambda c: c if c and summary(c).get("reported") == "2" else None)(
            overview(sim, ns, "inspect-" + rid)), timeout=10, what="2 reports")
    assert 'err: "disk full"' in cm["data"][n0]
    assert cm["data"][n1] == "disk:\n  sdb1: {}\nnet: {}"
    assert summary(cm)["failed"] == "1" and summary(cm)["nodes"] == "3"
    assert set(cm["data"]) == {"_summary", n0, n1}
    # A report of another run is not counted.
    report(sim, ps[2], "20200101-000000")
    time.sleep(1.0)  # nothing to wait for: asserting that nothing happens
    assert status(sim, ns, "inspect")["lastRun"]["phase"] == "Running"

    n2 = report(sim, ps[2], rid)
    st = wait_status(sim, ctl, ns, "inspect",
                     lambda st: st.get("lastRun", {}).get("phase") == "Completed",
                     "run Completed")
    assert "currentRun" not in st, st
    last = st["lastRun"]
    assert (last["nodes"], last["reported"], last["failed"]) == (3, 3, 1), last
    assert last["finishedAt"] >= last["startedAt"]
    done = wait_event(sim, ns, "inspect", "RunCompleted")
    assert "3 of 3 nodes reported, 1 with problems" in done[0]["message"]
    cm = overview(sim, ns, "inspect-" + rid)
    assert summary(cm)["phase"] == "Completed" and n2 in cm["data"]

    # Steady state: no writes to the Debugger or its overview.
    rv_d = _get(sim, _dbg_path(ns, "inspect"))["metadata"]["resourceVersion"]
    rv_c = cm["metadata"]["resourceVersion"]
    time.sleep(3.0)  # asserting that nothing happens
    assert _get(sim, _dbg_path(ns, "inspect"))["metadata"]["resourceVersion"] == rv_d
    assert overview(sim, ns, "inspect-" + rid)["metadata"]["resourceVersion"] == rv_c
    assert len(events(sim, ns, "inspect", "RunStarted")) == 1
    assert events(sim, ns, "inspect", "RunStarted")[0].get("count", 1) == 1

    # A restarted controller does not run the same runAt again.
    ctl.stop()
    ctl.start().wait_readyz(what="/readyz after restart")
    simlib.wait_until(lambda: ctl.leader_value() == 1, timeout=30,
                      what="the restarted controller leads")
    time.sleep(3.0)  # asserting that nothing happens
    st = status(sim, ns, "inspect")
    assert "currentRun" not in st and st["lastRun"]["id"] == rid, st
    assert events(sim, ns, "inspect", "RunStarted")[0].get("count", 1) == 1


def test_a_node_that_never_reports_times_out_at_the_deadline(fault_sim, ctl, ns):
    sim = fault_sim
    create_debugger(sim, ns, "late", runDeadline="4s", checkTimeout="1s")
    ps = wait_pods(sim, ns, "late", 3)
    wait_status(sim, ctl, ns, "late", lambda st: st.get("desired") == 3,
                "desired 3")
    at = time.time() - 5
    _merge(sim, _dbg_path(ns, "late"), {"spec": {"runAt": rfc3339(at)}})
    rid = run_id(at)
    st = wait_status(sim, ctl, ns, "late",
                     lambda st: (st.get("currentRun") or {}).get("id") == rid,
                     "currentRun")
    t0 = time.monotonic()
    report(sim, ps[0], rid)
    report(sim, ps[1], rid)
    st = wait_status(sim, ctl, ns, "late",
                     lambda st: st.get("lastRun", {}).get("phase") == "TimedOut",
                     "run TimedOut", timeout=15)
    print("TimedOut %.2fs after the start (runDeadline 4s)" % (time.monotonic() - t0))
    last = st["lastRun"]
    assert (last["nodes"], last["reported"], last["failed"]) == (3, 2, 0), last
    assert "currentRun" not in st
    ev = wait_event(sim, ns, "late", "RunTimedOut")
    missing = ps[2]["spec"]["nodeName"]
    assert ev[0]["type"] == "Warning" and missing in ev[0]["message"], ev[0]
    cm = overview(sim, ns, "late-" + rid)
    assert cm["data"][missing].startswith("_timedOut:"), cm["data"]
    s = summary(cm)
    assert (s["phase"], s["reported"], s["timedOut"]) == ("TimedOut", "2", "1"), s
    # A report after the close changes nothing.
    report(sim, ps[2], rid)
    time.sleep(1.5)  # asserting that nothing happens
    assert status(sim, ns, "late")["lastRun"]["phase"] == "TimedOut"
    assert overview(sim, ns, "late-" + rid)["data"][missing].startswith("_timedOut:")


def test_a_future_run_at_waits_for_its_time(fault_sim, ctl, ns):
    sim = fault_sim
    at = int(time.time()) + 6
    create_debugger(sim, ns, "later", workloadType="pod", runAt=rfc3339(at))
    st = wait_status(sim, ctl, ns, "later", lambda st: st.get("nextRunAt"),
                     "nextRunAt")
    assert st["nextRunAt"] == rfc3339(at) and "currentRun" not in st, st
    while time.time() < at - 1:
        st = status(sim, ns, "later")
        assert "currentRun" not in st and "lastRun" not in st, st
        time.sleep(0.2)
    st = wait_status(sim, ctl, ns, "later",
                     lambda st: (st.get("currentRun") or {}).get("id") == run_id(at),
                     "the run at its time", timeout=10)
    started = datetime.datetime.strptime(st["lastRun"]["startedAt"],
                                         "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    print("future runAt: started %.0fs after its instant" % (started - at))
    assert at <= started <= at + 5, st


def test_a_schedule_runs_on_time_and_history_is_pruned(fault_sim, ctl, ns):
    sim = fault_sim
    create_debugger(sim, ns, "cron", workloadType="pod", schedule="* * * * *",
                    runDeadline="2s", checkTimeout="1s", historyLimit=2)
    st = wait_status(sim, ctl, ns, "cron", lambda st: st.get("nextRunAt"),
                     "nextRunAt")
    nxt = st["nextRunAt"]
    assert nxt.endswith(":00Z") and "currentRun" not in st, st
    t_next = datetime.datetime.strptime(nxt, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    assert 0 < t_next - time.time() <= 61
    st = wait_status(sim, ctl, ns, "cron",
                     lambda st: st.get("lastRun", {}).get("id") == run_id(t_next),
                     "the scheduled run", timeout=t_next - time.time() + 10)
    started = datetime.datetime.strptime(st["lastRun"]["startedAt"],
                                         "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    print("schedule: run %s started %.0fs after its instant"
          % (st["lastRun"]["id"], started - t_next))
    assert 0 <= started - t_next <= 5
    # Two more runs by runAt (each times out after 2s: no agents) → 3 runs,
    # historyLimit 2 keeps the newest two overviews.
    ids = [st["lastRun"]["id"]]
    for back in (300, 200):
        wait_status(sim, ctl, ns, "cron", lambda st: "currentRun" not in st,
                    "the previous run closed", timeout=10)
        at = time.time() - back
        _merge(sim, _dbg_path(ns, "cron"), {"spec": {"runAt": rfc3339(at)}})
        wait_status(sim, ctl, ns, "cron",
                    lambda st: st.get("lastRun", {}).get("id") == run_id(at),
                    "run %s" % run_id(at))
        ids.append(run_id(at))
    wait_status(sim, ctl, ns, "cron", lambda st: "currentRun" not in st,
                "the last run closed", timeout=10)

    def names():
        items = sim.get_json(_cm_path(ns) + "?labelSelector=kubecombo.com%2Fdebugger%3Dcron")
        return sorted(i["metadata"]["name"] for i in items["items"])
    newest = sorted(ids)[1:]
    want = sorted("cron-" + i for i in newest)
    simlib.wait_until(lambda: names() == want, timeout=10,
                      what="history pruned to %s (have %s)" % (want, names()))


def test_invalid_run_at_and_schedule_are_degraded_naming_the_field(fault_sim, ctl, ns):
    sim = fault_sim
    create_debugger(sim, ns, "bad-at", workloadType="pod", runAt="tomorrow")
    create_debugger(sim, ns, "bad-cron", workloadType="pod", schedule="61 * * * *")
    for name, field in (("bad-at", "spec.runAt"), ("bad-cron", "spec.schedule")):
        st = wait_status(sim, ctl, ns, name,
                         lambda st: cond(st, "Degraded").get("status") == "True",
                         "%s Degraded" % name)
        msg = cond(st, "Degraded")["message"]
        assert field in msg, msg
        assert "currentRun" not in st and "lastRun" not in st, st


def test_an_open_run_survives_a_controller_restart(fault_sim, ctl, ns):
    sim = fault_sim
    create_debugger(sim, ns, "survive", runDeadline="2m")
    ps = wait_pods(sim, ns, "survive", 3)
    wait_status(sim, ctl, ns, "survive", lambda st: st.get("desired") == 3,
                "desired 3")
    at = time.time() - 30
    rid = run_id(at)
    _merge(sim, _dbg_path(ns, "survive"), {"spec": {"runAt": rfc3339(at)}})
    wait_status(sim, ctl, ns, "survive",
                lambda st: (st.get("currentRun") or {}).get("id") == rid,
                "currentRun")
    first = report(sim, ps[0], rid, failed=1)
    simlib.wait_until(
        lambda: (lambda c: c if c and first in c["data"] else None)(
            overview(sim, ns, "survive-" + rid)), timeout=10, what="first report")
    started = status(sim, ns, "survive")["lastRun"]["startedAt"]
    ctl.stop()
    # The Pod of the first node is replaced meanwhile: its report is gone
    # from the Pods but stays in the overview.
    _merge(sim, "/api/v1/namespaces/%s/pods/%s" % (ns, ps[0]["metadata"]["name"]),
           {"metadata": {"annotations": {REPORT: None}}})
    report(sim, ps[1], rid)
    ctl.start()
    simlib.wait_until(lambda: ctl.leader_value() == 1, timeout=30,
                      what="the restarted controller leads")
    report(sim, ps[2], rid)
    st = wait_status(sim, ctl, ns, "survive",
                     lambda st: st.get("lastRun", {}).get("phase") == "Completed",
                     "run Completed after the restart")
    last = st["lastRun"]
    assert (last["reported"], last["failed"], last["startedAt"]) == (3, 1, started), last
    cm = overview(sim, ns, "survive-" + rid)
    assert len([k for k in cm["data"] if not k.startswith("_")]) == 3, cm["data"]
    assert 'err: "disk full"' in cm["data"][first]
    assert len(events(sim, ns, "survive", "RunStarted")) == 1
    assert events(sim, ns, "survive", "RunStarted")[0].get("count", 1) == 1
    wait_event(sim, ns, "survive", "RunCompleted")
