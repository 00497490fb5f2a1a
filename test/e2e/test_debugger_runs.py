# Inspection runs end to end (issue 8; ADR 0045): a process-mode sim with 3
# nodes, each node's host root prepared with one problem (a full disk, a down
# link, a missing containerd), the controller's DaemonSet of a Debugger and
# its run logic, the resident `kubecombo debugger` agents. spec.runAt → each
# agent reports exactly its node's errors in the `kubecombo.com/run-report`
# annotation of its own Pod, its errlogs hold only the failed checks, the
# overview ConfigMap holds exactly those errors on exactly those nodes and
# status.lastRun and the Events agree; an unchanged node-problem-detector
# plugin runs as a user check; an agent restarted mid-run does not run the
# same run twice; a check that sleeps forever is killed at spec.checkTimeout
# and reported unknown.
# kc-test-labels: e2e root nodenet
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import simlib  # noqa: E402
from controllerlib import Controller  # noqa: E402
from processlib import kubelet_dirs, netns_on, new_namespace, ok, process_sim  # noqa: E402
from test_checks import add_iface, make_tree  # noqa: E402

SOURCE = os.environ.get("KC_SOURCE_DIR", str(Path(__file__).resolve().parents[2]))
GROUP = "vpn-gw.kubecombo.com"
ANNOTATION = "kubecombo.com/run-report"

# An unchanged node-problem-detector custom plugin (exit 0 OK, 1 problem,
# 2 unknown; one message line on stdout).
NPD_PLUGIN = """#!/bin/sh
OK=0
NONOK=1
UNKNOWN=2
if [ -r "$HOST_ROOT/etc/resolv.conf" ]; then
  echo "resolv.conf present"
  exit $OK
fi
echo "resolv.conf missing"
exit $NONOK
"""
HANG = "#!/bin/sh\nexec sleep 1000.%s\n"


def own_kubelet_dir(sim, candidates):
    """The state directory of this sim's process kubelet (other sims may run
    on the machine): the one where a marker pod's hostPath appears."""
    assert candidates, "no kubelet state directory"
    if len(candidates) == 1:
        return Path("/tmp") / next(iter(candidates))
    mark = "kc-mark-" + uuid.uuid4().hex[:8]
    api(sim, "POST", "/api/v1/namespaces/default/pods",
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": mark},
         "spec": {"restartPolicy": "Never",
                  "containers": [{"name": "m", "image": "busybox", "command": ["true"]}],
                  "volumes": [{"name": "m", "hostPath": {"path": "/" + mark,
                                                         "type": "DirectoryOrCreate"}}]}})
    found = simlib.wait_until(
        lambda: [c for c in candidates if list((Path("/tmp") / c).glob("nodes/*/" + mark))],
        timeout=30, interval=0.2, what="marker hostPath")
    return Path("/tmp") / found[0]


@pytest.fixture(scope="module")
def psim():
    before = kubelet_dirs()
    gen = process_sim(nodes=3)
    sim = next(gen)
    sim.kubelet_dir = own_kubelet_dir(sim, kubelet_dirs() - before)
    sim.mounts = []
    try:
        yield sim
    finally:
        for m in reversed(sim.mounts):
            subprocess.run(["umount", "-l", str(m)], check=False)
        next(gen, None)


@pytest.fixture(scope="module")
def ctl(psim):
    ok(psim.kubectl("apply", "-f", os.path.join(SOURCE, "deploy", "crd")))
    c = Controller(psim, "runs").start()
    simlib.wait_until(lambda: (c.get("/readyz", "health") is not None
                               and c.get("/readyz", "health").status_code == 200),
                      timeout=30, what="controller /readyz OK")
    yield c
    assert c.stop() == 0, c.log()[-4000:]


def nodes(sim):
    out = ok(sim.kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"))
    return sorted(out.split())


def prepare_hosts(sim, names):
    """Host roots below the kubelet's node directories: one problem each."""
    roots = {n: sim.kubelet_dir / "nodes" / n for n in names}
    full, link, svc = names
    make_tree(roots[full], mounts="/dev/sdb1 /data ext4 rw,relatime 0 0\n")
    make_tree(roots[link])
    make_tree(roots[svc], procs=("kubelet",))
    add_iface(roots[link], "eth2", oper="down", carrier="0")
    data = roots[full] / "data"
    data.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(data)], check=True)
    sim.mounts.append(data)
    subprocess.run(["dd", "if=/dev/zero", "of=%s/fill" % data, "bs=64k"],
                   capture_output=True, check=False)
    return {full: {("disk", "sdb1")}, link: {("net", "eth2")}, svc: {("svc", "containerd")}}


def api(sim, method, path, body=None, ctype="application/json"):
    r = sim.request(method, path, data=None if body is None else json.dumps(body),
                    headers={"Content-Type": ctype})
    assert r.status_code in (200, 201), r.text
    return r.json()


def debugger_path(ns, name, sub=""):
    return "/apis/%s/v1/namespaces/%s/debuggers/%s%s" % (GROUP, ns, name, sub)


def agent_pods(sim, ns, name):
    out = json.loads(ok(sim.kubectl("get", "pods", "-n", ns, "-l", "debug=" + name,
                                    "-o", "json")))
    return out["items"]


def report_of(pod):
    text = (pod["metadata"].get("annotations") or {}).get(ANNOTATION)
    return json.loads(text) if text else None


def wait_reports(sim, ns, name, run, count, timeout=180):
    def done():
        pods = agent_pods(sim, ns, name)
        reps = [report_of(p) for p in pods]
        if len(pods) == count and all(r and r["run"] == run for r in reps):
            return pods
        return None
    return simlib.wait_until(done, timeout=timeout, interval=1.0,
                             what="%d run reports of %s" % (count, run))


def errors_of(summary):
    return {(cat, item): d["err"] for cat, items in summary.items()
            for item, d in (items or {}).items() if not item.startswith("_") and d}


def logs(sim, ns, pod, previous=False):
    args = ["logs", "-n", ns, pod, "-c", "debug"] + (["--previous"] if previous else [])
    return ok(sim.kubectl(*args))


def create_debugger(sim, ns, name, scripts, timeout="30s"):
    ok(sim.kubectl("create", "configmap", name + "-scripts", "-n", ns,
                   *["--from-literal=%s=%s" % kv for kv in scripts.items()]))
    api(sim, "POST", "/apis/%s/v1/namespaces/%s/debuggers" % (GROUP, ns),
        {"apiVersion": GROUP + "/v1", "kind": "Debugger", "metadata": {"name": name},
         "spec": {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi",
                  "image": "kubecombo/debugger:latest", "enableConfigMap": True,
                  "configMap": name + "-scripts", "checkTimeout": timeout}})


def wait_running(sim, ns, name, count):
    seen = {}

    def running():
        pods = agent_pods(sim, ns, name)
        seen["pods"] = [(p["metadata"]["name"], p["status"].get("phase"),
                         p["status"].get("containerStatuses")) for p in pods]
        seen["logs"] = [sim.kubectl("logs", "-n", ns, p["metadata"]["name"], "-c", "debug")
                        for p in pods if p["status"].get("phase") == "Running"]
        return len(pods) == count and all(
            p["status"].get("phase") == "Running"
            and "watching debugger" in logs(sim, ns, p["metadata"]["name"])
            for p in pods)
    try:
        simlib.wait_until(running, timeout=120, interval=1.0,
                          what="%d agents of %s running and watching" % (count, name))
    except AssertionError:
        raise AssertionError("agents not watching: %r" % seen)


def agent_pid(pod_name):
    """The pid of the debug container's process of `pod_name` (process kubelet)."""
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            env = (d / "environ").read_bytes().split(b"\0")
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if (b"POD_NAME=" + pod_name.encode()) in env and b"debugger" in cmd:
            return int(d.name)
    return None


def status_of(sim, ns, name):
    return api(sim, "GET", debugger_path(ns, name)).get("status") or {}


def wait_current_run(sim, ns, name, not_id=""):
    def cur():
        run = (status_of(sim, ns, name).get("currentRun") or {}).get("id")
        return run if run and run != not_id else None
    return simlib.wait_until(cur, timeout=60, interval=0.5, what="status.currentRun")


def set_run_at(sim, ns, name):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    api(sim, "PATCH", debugger_path(ns, name), {"spec": {"runAt": now}},
        "application/merge-patch+json")


def events_of(sim, ns, name):
    out = json.loads(ok(sim.kubectl("get", "events", "-n", ns, "-o", "json",
                                    "--field-selector", "involvedObject.name=" + name)))
    return [(e["reason"], e.get("message", "")) for e in out["items"]]


def check_reports(sim, ns, pods, run, expected, hang):
    for pod in pods:
        node = pod["spec"]["nodeName"]
        rep = report_of(pod)
        summary = yaml.safe_load(rep["summary"])
        assert rep["node"] == node and rep["phase"] == "Completed", rep
        assert list(summary) == ["disk", "net", "mem", "svc", "custom"], summary
        # The NPD plugin ran unchanged as a user check.
        assert summary["custom"]["npd-resolv.sh"] == {}, summary["custom"]
        errs = errors_of(summary)
        if hang:  # killed at spec.checkTimeout, reported unknown
            err = errs.pop(("custom", "hang.sh"))
            assert err.startswith("unknown: timed out after"), err
        assert set(errs) == expected[node], (node, summary)
        assert rep["failed"] == 1 and rep["unknown"] == (1 if hang else 0), rep
        # One log line per check, then the errlogs of the failed checks only.
        log = logs(sim, ns, pod["metadata"]["name"])
        # The ConfigMap (read-only at custom-src) was copied into the
        # writable /scripts/custom at the agent's start (ADR 0045).
        copied = r"^custom scripts: %d copied from /scripts/custom-src to /scripts/custom$"
        assert re.search(copied % (3 if hang else 2), log, re.M), log
        done = re.search(r"^run %s done: .*$" % run, log, re.M)
        assert done, log
        body = log[log.rindex("run %s: " % run):done.end()]
        lines = re.findall(r"^(disk|net|mem|svc|custom)/(\S+) (ok|PROBLEM|UNKNOWN)\b",
                           body, re.M)
        assert len(lines) == rep["checks"] and len(set(lines)) == len(lines), body
        paths = re.findall(r"errlog ([^;\s]+)", done.group(0))
        cats = sorted({c for c, _ in expected[node]} | ({"custom"} if hang else set()))
        assert sorted(re.sub(r".*/([a-z]+)/errlog/.*", r"\1", x) for x in paths) == cats, paths
        for path in paths:
            assert path.endswith("/errlog/%s.log" % run), path
            text = ok(sim.kubectl("exec", "-n", ns, pod["metadata"]["name"], "-c", "debug",
                                  "--", "cat", path))
            failed = re.findall(r"^=== (\S+) (PROBLEM|UNKNOWN)", text, re.M)
            want = ["custom/hang.sh"] if "/custom/" in path else None
            if want:  # the contract path, not a fallback
                assert path == "/scripts/custom/errlog/%s.log" % run, path
            assert len(failed) == 1, text
            if want:
                assert [f[0] for f in failed] == want, text


def check_overview(sim, ns, name, run, expected, hang):
    cm = json.loads(ok(sim.kubectl("get", "configmap", "-n", ns, "%s-%s" % (name, run),
                                   "-o", "json")))
    labels = cm["metadata"]["labels"]
    assert labels["kubecombo.com/debugger"] == name and labels["kubecombo.com/run"] == run
    data = cm["data"]
    assert sorted(k for k in data if not k.startswith("_")) == sorted(expected), data
    for node, want in expected.items():
        errs = errors_of(yaml.safe_load(data[node]))
        if hang:
            assert errs.pop(("custom", "hang.sh")).startswith("unknown: ")
        assert set(errs) == want, (node, data[node])
    last = status_of(sim, ns, name).get("lastRun") or {}
    assert last.get("id") == run and last.get("phase") == "Completed", last
    assert last.get("nodes") == 3 and last.get("reported") == 3 and last.get("failed") == 3, last
    assert last.get("overview") == "%s-%s" % (name, run), last


def test_runs_report_exactly_the_errors_of_each_node(psim, ctl):
    sim = psim
    if not netns_on(sim):
        pytest.skip("SKIP: node network namespaces are off (another sim on this machine holds "
                    "198.18.0.1, ADR 0072): the three agents would share port 8090 on the "
                    "host network")
    names = nodes(sim)
    assert len(names) == 3, names
    expected = prepare_hosts(sim, names)
    slow_node, restart_node = names[0], names[1]
    release = sim.kubelet_dir / "nodes" / slow_node / "release"
    ns = new_namespace(sim, "runs")
    name = "inspect"
    tag = str(uuid.uuid4().int)[:9]
    # slow.sh holds the run open on one node until the test releases it (at
    # most 25 s), so another node's agent can be restarted mid-run.
    slow = ('#!/bin/sh\n[ "$NODE_NAME" = "%s" ] || exit 0\n'
            'for i in $(seq 125); do [ -e "$HOST_ROOT/release" ] && exit 0; sleep 0.2; done\n'
            'exit 0\n' % slow_node)
    create_debugger(sim, ns, name, {"npd-resolv.sh": NPD_PLUGIN, "slow.sh": slow},
                    timeout="30s")
    wait_running(sim, ns, name, 3)
    set_run_at(sim, ns, name)
    run1 = wait_current_run(sim, ns, name)
    pod_of = {p["spec"]["nodeName"]: p["metadata"]["name"] for p in agent_pods(sim, ns, name)}
    # Mid-run: the restarted agent sees its own report and does not run again.
    simlib.wait_until(lambda: (report_of(json.loads(ok(sim.kubectl(
        "get", "pod", "-n", ns, pod_of[restart_node], "-o", "json")))) or {}).get("run") == run1,
        timeout=60, interval=0.5, what="report of " + restart_node)
    pid = agent_pid(pod_of[restart_node])
    assert pid, "no agent process of " + pod_of[restart_node]
    os.kill(pid, signal.SIGKILL)
    seen = {}

    def skipped():
        seen["log"] = logs(sim, ns, pod_of[restart_node])
        return "run %s: already reported by this pod, not run again" % run1 in seen["log"]
    try:
        simlib.wait_until(skipped, timeout=20, interval=0.5, what="restarted agent skips run")
    except AssertionError:
        raise AssertionError("restarted agent: %r" % seen)
    assert "run %s: " % run1 not in seen["log"].replace("run %s: already" % run1, "")
    assert (status_of(sim, ns, name).get("currentRun") or {}).get("id") == run1, "run closed early"
    release.write_text("")
    pods = wait_reports(sim, ns, name, run1, 3)
    check_reports(sim, ns, [p for p in pods if p["spec"]["nodeName"] != restart_node],
                  run1, expected, hang=False)
    simlib.wait_until(lambda: (status_of(sim, ns, name).get("lastRun") or {}).get("phase")
                      == "Completed", timeout=30, interval=0.5, what="lastRun Completed")
    check_overview(sim, ns, name, run1, expected, hang=False)
    events = events_of(sim, ns, name)
    reasons = [r for r, _ in events]
    assert "RunStarted" in reasons and "RunCompleted" in reasons, events
    # The Event agrees with lastRun and the overview.
    done = [m for r, m in events if r == "RunCompleted" and run1 in m]
    assert len(done) == 1 and re.search(r"\b3 of 3 nodes? reported, 3 with problems\b", done[0]) \
        and "%s-%s" % (name, run1) in done[0], events
    # Run 2: a check that sleeps forever is killed at spec.checkTimeout (30 s)
    # and reported unknown; its processes are gone.
    cm = yaml.safe_load(ok(sim.kubectl(
        "create", "configmap", name + "-scripts", "-n", ns, "--dry-run=client", "-o", "yaml",
        "--from-literal=npd-resolv.sh=" + NPD_PLUGIN, "--from-literal=slow.sh=" + slow,
        "--from-literal=hang.sh=" + HANG % tag)))
    api(sim, "PUT", "/api/v1/namespaces/%s/configmaps/%s" % (ns, name + "-scripts"), cm)

    # The changed ConfigMap rolls the agents (template hash); each new agent
    # copies it into /scripts/custom at start (an old pod may vanish meanwhile).
    def hang_copied():
        pods = agent_pods(sim, ns, name)
        if len(pods) != 3:
            return False
        for p in pods:
            rc, out, _ = sim.kubectl("exec", "-n", ns, p["metadata"]["name"], "-c", "debug",
                                     "--", "ls", "/scripts/custom")
            if rc != 0 or "hang.sh" not in out.split():
                return False
        return True
    simlib.wait_until(hang_copied, timeout=90, interval=1.0, what="hang.sh copied")
    started = time.monotonic()
    time.sleep(1.1)  # run ids have second precision
    set_run_at(sim, ns, name)
    run2 = wait_current_run(sim, ns, name, not_id=run1)
    pods = wait_reports(sim, ns, name, run2, 3)
    took = time.monotonic() - started
    check_reports(sim, ns, pods, run2, expected, hang=True)
    assert 30 <= took < 120, took
    out = subprocess.run(["pgrep", "-f", "sleep 1000.%s" % tag], capture_output=True, text=True)
    assert out.stdout == "", "the timed-out check's processes survived"
    simlib.wait_until(lambda: (status_of(sim, ns, name).get("lastRun") or {}).get("id") == run2
                      and status_of(sim, ns, name)["lastRun"].get("phase") == "Completed",
                      timeout=30, interval=0.5, what="lastRun %s Completed" % run2)
    check_overview(sim, ns, name, run2, expected, hang=True)


def test_api_down_at_start_is_retried_with_one_line(tmp_path):
    """No API at start: one clear line, no crash, SIGTERM → exit 0."""
    binary = os.environ.get("KUBECOMBO", "")
    if not binary:
        pytest.skip("SKIP: KUBECOMBO not set")
    port = simlib.free_port()
    kc = tmp_path / "kubeconfig"
    kc.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:%d" % port}}],
        "users": [{"name": "u", "user": {"token": "x"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEBUGGER_NAME": "d",
           "POD_NAME": "d-x", "POD_NAMESPACE": "default", "NODE_NAME": "n1",
           "DS_NAME": "d"}
    p = subprocess.Popen([binary, "debugger", "--kubeconfig", str(kc), "--port", "0",
                          "--host-root", str(tmp_path), "--scripts-dir", str(scripts)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        time.sleep(3)  # the backoff runs several attempts meanwhile
        assert p.poll() is None, p.stdout.read()
        p.send_signal(signal.SIGTERM)
        out, _ = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    print(out)
    assert p.returncode == 0, out
    assert "resident mode: debugger default/d" in out, out
    failures = [l for l in out.splitlines() if l.startswith("runs: cannot read debugger default/d")]
    assert len(failures) == 1, out
    assert "retrying with backoff" in failures[0]


def test_agent_recovers_when_the_api_comes_up_and_reports_once(tmp_path):
    """API errors at start (no Debugger CRD yet) → one line, backoff; once the
    CRD, the Debugger and its currentRun exist, the agent runs and reports;
    the same currentRun seen again (a status rewrite) is not run twice."""
    binary = os.environ.get("KUBECOMBO", "")
    if not binary:
        pytest.skip("SKIP: KUBECOMBO not set")
    sim = simlib.start_sim(binary, nodes=1)
    agent = None
    try:
        custom = tmp_path / "scripts" / "custom"
        custom.mkdir(parents=True)
        (custom / "ok.sh").write_text("#!/bin/sh\necho 'thing: ok'\nexit 0\n")
        (custom / "ok.sh").chmod(0o755)
        api(sim, "POST", "/api/v1/namespaces/default/pods",
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "agent-x"},
             "spec": {"containers": [{"name": "debug", "image": "busybox"}]}})
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEBUGGER_NAME": "late",
               "POD_NAME": "agent-x", "POD_NAMESPACE": "default", "NODE_NAME": "n1",
               "DS_NAME": "late"}
        log = tmp_path / "agent.log"
        with open(log, "w") as out:
            agent = subprocess.Popen([binary, "debugger", "--kubeconfig", sim.kubeconfig_path,
                                      "--port", "0", "--host-root", str(tmp_path),
                                      "--scripts-dir", str(tmp_path / "scripts")],
                                     stdout=out, stderr=subprocess.STDOUT, env=env)
        simlib.wait_until(lambda: "runs: cannot read debugger default/late" in log.read_text(),
                          timeout=20, interval=0.2, what="the API error line")
        ok(sim.kubectl("apply", "-f", os.path.join(SOURCE, "deploy", "crd")))
        api(sim, "POST", "/apis/%s/v1/namespaces/default/debuggers" % GROUP,
            {"apiVersion": GROUP + "/v1", "kind": "Debugger", "metadata": {"name": "late"},
             "spec": {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi"}})
        run = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        body = {"status": {"currentRun": {"id": run, "at": time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}}
        api(sim, "PATCH", debugger_path("default", "late", "/status"), body,
            "application/merge-patch+json")

        def reported():
            pod = api(sim, "GET", "/api/v1/namespaces/default/pods/agent-x")
            return report_of(pod)
        rep = simlib.wait_until(lambda: (reported() or {}).get("run") == run and reported(),
                                timeout=60, interval=0.3, what="the report")
        assert rep["checks"] == 1 and rep["failed"] == 0 and rep["unknown"] == 0, rep
        assert yaml.safe_load(rep["summary"]) == {"custom": {"thing": {}}}, rep
        # The same run again (status rewritten with a new field) is not run twice.
        api(sim, "PATCH", debugger_path("default", "late", "/status"),
            {"status": {"conditions": []}}, "application/merge-patch+json")
        time.sleep(2)
        text = log.read_text()
        assert text.count("run %s: 1 checks" % run) == 1, text
        assert len([l for l in text.splitlines()
                    if l.startswith("runs: cannot read debugger")]) == 1, text
    finally:
        if agent and agent.poll() is None:
            agent.send_signal(signal.SIGTERM)
            try:
                agent.wait(timeout=20)
            except subprocess.TimeoutExpired:
                agent.kill()
                agent.wait()
        sim.stop()
        sim.cleanup()
    assert agent.returncode == 0
