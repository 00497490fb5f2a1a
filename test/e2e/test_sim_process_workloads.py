# kc-test-labels: e2e root nodenet
"""More acceptance of the process kubelet (issue 7; ADRs 0071-0075) against
`kubecombo sim --kubelet process --nodes 3` with the real kubectl:
`kubectl logs -f`, a DaemonSet (one pod per node with its own NODE_NAME and
address), `kubectl exec -i` / `-t`, RBAC of pods/exec and pods/log, kubelet
Events, missing volumes and hostPaths, and nothing left after SIGINT.
"""
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import tempfile
import termios
import time

import pytest
import yaml

import simlib
from simlib import unique, wait_until

from processlib import apply, netns_on, new_namespace, ok, pod_json, process_sim


@pytest.fixture(scope="module")
def psim():
    yield from process_sim()


@pytest.fixture
def ns(psim):
    return new_namespace(psim, "pw")


POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}}}
spec:
  nodeName: {node}
  terminationGracePeriodSeconds: 5
  restartPolicy: {policy}
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", {script}]
"""


def pod(sim, ns, name, script, policy="Always", node="kubecombo-worker-3",
        ready=True):
    apply(sim, POD.format(name=name, ns=ns, script=json.dumps(script),
                          policy=policy, node=node))
    if ready:
        ok(sim.kubectl("wait", "--for=condition=Ready", "pod/" + name, "-n", ns,
                       "--timeout=30s"))


# -- kubectl logs -f ---------------------------------------------------------

def test_logs_follow_streams_until_the_container_ends(psim, ns):
    pod(psim, ns, "ticker", "sleep 2; for i in 1 2 3 4 5 6 7 8; do echo tick $i; "
        "sleep 0.6; done", policy="Never")
    proc = psim.kubectl_popen("logs", "-f", "ticker", "-n", ns)
    reader = simlib.LineReader(proc)
    try:
        wait_until(lambda: "tick 2" in reader.text(), timeout=20, what="tick 2")
        first = time.monotonic()
        assert "tick 8" not in reader.text(), "nothing was streamed: " + reader.text()
        # The stream ends by itself when the container does.
        proc.wait(timeout=20)
        assert time.monotonic() - first > 1.0
        out, err = reader.stop()
        assert proc.returncode == 0, err
        assert out.split("\n")[:8] == ["tick %d" % i for i in range(1, 9)], out
    finally:
        reader.stop()


def test_logs_follow_tail_timestamps_container_and_delete(psim, ns):
    pod(psim, ns, "tailer", "echo one; echo two; echo three; "
        "while true; do sleep 0.3; echo more; done")
    wait_until(lambda: "three" in ok(psim.kubectl("logs", "tailer", "-n", ns)),
               timeout=20, what="three lines")
    proc = psim.kubectl_popen("logs", "-f", "tailer", "-n", ns, "-c", "main",
                              "--tail=1", "--timestamps")
    reader = simlib.LineReader(proc)
    try:
        wait_until(lambda: reader.text().count("more") >= 2, timeout=20,
                   what="followed lines")
        lines = reader.text().splitlines()
        assert "one" not in reader.text() and "two" not in reader.text(), lines
        assert all(l.split()[0].endswith("Z") for l in lines), lines
        # Deleting the pod ends the stream.
        ok(psim.kubectl("delete", "pod", "tailer", "-n", ns, "--wait=false"))
        proc.wait(timeout=20)
    finally:
        reader.stop()


# -- DaemonSet: one pod per node ---------------------------------------------

DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: %s}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: agent
        image: busybox:1.36
        command: ["sh", "-c", "echo node=$NODE_NAME ip=$POD_IP host=$HOST_IP; sleep 600"]
        env:
        - name: NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: HOST_IP
          valueFrom: {fieldRef: {fieldPath: status.hostIP}}
"""

SOCKNAME = ("import socket,sys\n"
            "s=socket.create_connection((sys.argv[1],int(sys.argv[2])),5)\n"
            "print(s.getsockname()[0])\n")


def test_daemonset_runs_once_per_node_with_its_own_name_and_address(psim, ns):
    apply(psim, DAEMONSET % ns)
    nodes = json.loads(ok(psim.kubectl("get", "nodes", "-o", "json")))["items"]
    address = {n["metadata"]["name"]: [a["address"] for a in n["status"]["addresses"]
                                       if a["type"] == "InternalIP"][0]
               for n in nodes}
    assert len(address) == 3

    def running():
        items = json.loads(ok(psim.kubectl("get", "pods", "-n", ns, "-l", "app=agent",
                                           "-o", "json")))["items"]
        up = [p for p in items if p["status"].get("phase") == "Running"
              and p["status"].get("containerStatuses", [{}])[0].get("ready")]
        return up if len(up) == 3 else None
    pods = wait_until(running, timeout=60, what="three Running agent pods")
    assert sorted(p["spec"]["nodeName"] for p in pods) == sorted(address)
    for p in pods:
        name, node = p["metadata"]["name"], p["spec"]["nodeName"]
        assert p["status"]["podIP"] == address[node], p["status"]
        log = wait_until(lambda: ok(psim.kubectl("logs", name, "-n", ns)).strip(),
                         timeout=15, what="agent log")
        assert log == "node=%s ip=%s host=%s" % (node, address[node], address[node])
        out = ok(psim.kubectl("exec", name, "-n", ns, "--", "sh", "-c",
                              "echo $NODE_NAME"))
        assert out.strip() == node
        if netns_on(psim):
            # The node's own address on the bridge, as seen by the gateway.
            out = ok(psim.kubectl("exec", name, "-n", ns, "--", "/usr/bin/python3",
                                  "-c", SOCKNAME, "198.18.0.1", str(psim.port)))
            assert out.strip() == address[node], out
    # The DaemonSet's status counts them.
    ds = wait_until(lambda: (lambda d: d if d["status"].get("numberReady") == 3 else None)(
        json.loads(ok(psim.kubectl("get", "ds", "agent", "-n", ns, "-o", "json")))),
        timeout=30, what="numberReady 3")
    assert ds["status"]["desiredNumberScheduled"] == 3


# -- kubectl exec -i / -t ----------------------------------------------------

def test_exec_with_stdin(psim, ns):
    pod(psim, ns, "stdin", "sleep 600")
    rc, out, err = psim.kubectl("exec", "-i", "stdin", "-n", ns, "--", "sh", "-c",
                                "cat; echo done", input="hello\nworld\n")
    assert rc == 0 and out == "hello\nworld\ndone\n", (rc, out, err)
    rc, out, err = psim.kubectl("exec", "-i", "stdin", "-n", ns, "--", "wc", "-l",
                                input="a\nb\nc\n")
    assert rc == 0 and out.strip() == "3", (rc, out, err)
    rc, out, err = psim.kubectl("exec", "-i", "stdin", "-n", ns, "--", "sh", "-c",
                                "read x; exit $x", input="42\n")
    assert rc == 42, (rc, out, err)


def run_in_pty(sim, args, rows=33, cols=101, timeout=30):
    """Runs kubectl on a pseudo-terminal; (exit code, output)."""
    cache = tempfile.mkdtemp(prefix="kcache-", dir=sim.workdir)
    env = dict(os.environ, KUBECONFIG=sim.kubeconfig_path, KUBECACHEDIR=cache,
               HOME=sim.workdir, TERM="dumb")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(simlib.KUBECTL, [simlib.KUBECTL] + list(args), env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            out += data
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_exec_with_a_tty(psim, ns):
    pod(psim, ns, "tty", "sleep 600")
    rc, out = run_in_pty(psim, ["exec", "-it", "tty", "-n", ns, "--", "sh", "-c",
                                "tty; stty size; exit 5"])
    assert rc == 5, (rc, out)
    assert "/dev/pts/" in out, out
    assert "33 101" in out, out


# -- RBAC of pods/exec and pods/log ------------------------------------------

def sa_kubeconfig(sim, ns, sa):
    token = ok(sim.kubectl("create", "token", sa, "-n", ns)).strip()
    doc = json.loads(json.dumps(sim.kc.doc))
    ctx = doc["current-context"]
    for c in doc["contexts"]:
        if c["name"] == ctx:
            c["context"]["user"] = "sa"
            c["context"]["namespace"] = ns
    doc["users"] = [{"name": "sa", "user": {"token": token}}]
    return sim.write_file(unique("sa") + ".kubeconfig", yaml.safe_dump(doc))


def test_exec_and_logs_need_their_rbac_subresources(psim, ns):
    pod(psim, ns, "guarded", "echo secret-log; sleep 600")
    ok(psim.kubectl("create", "serviceaccount", "limited", "-n", ns))
    ok(psim.kubectl("create", "role", "pods-only", "-n", ns, "--verb=get,list",
                    "--resource=pods"))
    ok(psim.kubectl("create", "rolebinding", "pods-only", "-n", ns,
                    "--role=pods-only", "--serviceaccount=%s:limited" % ns))
    kc = sa_kubeconfig(psim, ns, "limited")
    ok(psim.kubectl("get", "pod", "guarded", kubeconfig=kc))
    rc, out, err = psim.kubectl("exec", "guarded", "--", "echo", "in", kubeconfig=kc)
    assert rc != 0 and "Forbidden" in err, (rc, out, err)
    assert 'cannot create resource "pods/exec"' in err, err
    rc, out, err = psim.kubectl("logs", "guarded", kubeconfig=kc)
    assert rc != 0 and 'cannot get resource "pods/log"' in err, (rc, out, err)
    assert "secret-log" not in out
    rc, out, err = psim.kubectl("logs", "-f", "guarded", kubeconfig=kc, timeout=20)
    assert rc != 0 and 'cannot get resource "pods/log"' in err, (rc, out, err)
    # Granting the subresources lets the same ServiceAccount in.
    ok(psim.kubectl("create", "role", "debugger", "-n", ns, "--verb=create,get",
                    "--resource=pods/exec,pods/log"))
    ok(psim.kubectl("create", "rolebinding", "debugger", "-n", ns,
                    "--role=debugger", "--serviceaccount=%s:limited" % ns))
    out = wait_until(lambda: (lambda r: r[1] if r[0] == 0 else None)(
        psim.kubectl("exec", "guarded", "--", "echo", "in", kubeconfig=kc)),
        timeout=20, what="exec allowed")
    assert out.strip() == "in"
    assert "secret-log" in ok(psim.kubectl("logs", "guarded", kubeconfig=kc))


# -- Events --------------------------------------------------------------------

def events_of(sim, ns, name):
    items = json.loads(ok(sim.kubectl("get", "events", "-n", ns, "-o", "json")))["items"]
    return [e for e in items if e["involvedObject"].get("name") == name]


def test_kubelet_events_in_describe(psim, ns):
    pod(psim, ns, "evt", "echo boom; exit 1", ready=False)
    wait_until(lambda: {"Pulled", "Created", "Started", "BackOff"}
               <= {e["reason"] for e in events_of(psim, ns, "evt")},
               timeout=40, what="Pulled/Created/Started/BackOff events")
    evs = events_of(psim, ns, "evt")
    for e in evs:
        assert e["source"] == {"component": "kubelet", "host": "kubecombo-worker-3"}, e
        assert e["involvedObject"]["kind"] == "Pod", e
        assert e["involvedObject"]["fieldPath"] == "spec.containers{main}", e
    backoff = [e for e in evs if e["reason"] == "BackOff"][0]
    assert backoff["type"] == "Warning"
    assert backoff["message"].startswith("Back-off restarting failed container main")
    pulled = [e for e in evs if e["reason"] == "Pulled"][0]
    assert pulled["message"] == 'Container image "busybox:1.36" already present on machine'
    out = ok(psim.kubectl("describe", "pod", "evt", "-n", ns))
    assert "Events:" in out and "Started container main" in out, out
    assert "Back-off restarting failed container" in out, out

    pod(psim, ns, "stopme", "sleep 600")
    ok(psim.kubectl("delete", "pod", "stopme", "-n", ns, "--timeout=30s"))
    kill = [e for e in events_of(psim, ns, "stopme") if e["reason"] == "Killing"]
    assert kill and kill[0]["message"] == "Stopping container main", kill


# -- bad input -----------------------------------------------------------------

def test_missing_volume_configmap_and_hostpath_outside_the_node(psim, ns):
    apply(psim, """\
apiVersion: v1
kind: Pod
metadata: {name: novol, namespace: %(ns)s}
spec:
  nodeName: kubecombo-worker-1
  containers:
  - name: c
    image: busybox
    command: [sleep, "600"]
    volumeMounts: [{name: cfg, mountPath: /cfg}]
  volumes: [{name: cfg, configMap: {name: absent}}]
---
apiVersion: v1
kind: Pod
metadata: {name: escape, namespace: %(ns)s}
spec:
  nodeName: kubecombo-worker-1
  containers:
  - name: c
    image: busybox
    command: [sleep, "600"]
    volumeMounts: [{name: h, mountPath: /h}]
  volumes: [{name: h, hostPath: {path: /var/../../etc}}]
""" % {"ns": ns})

    def waiting(name):
        cs = pod_json(psim, ns, name)["status"].get("containerStatuses", [{}])[0]
        return cs.get("state", {}).get("waiting", {})

    wait_until(lambda: waiting("escape").get("reason") == "CreateContainerConfigError",
               timeout=30, what="CreateContainerConfigError")
    assert "outside the node directory" in waiting("escape")["message"]
    mount = wait_until(lambda: [e for e in events_of(psim, ns, "novol")
                                if e["reason"] == "FailedMount"],
                       timeout=30, what="FailedMount event")
    assert mount[0]["message"] == ('MountVolume.SetUp failed for volume "cfg" : '
                                   'configmap "absent" not found'), mount
    assert waiting("novol").get("reason") == "ContainerCreating"
    assert pod_json(psim, ns, "novol")["status"]["phase"] == "Pending"
    # Creating the ConfigMap lets the pod start.
    ok(psim.kubectl("create", "configmap", "absent", "-n", ns, "--from-literal=k=v"))
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/novol", "-n", ns,
                    "--timeout=30s"))
    assert ok(psim.kubectl("exec", "novol", "-n", ns, "--", "cat", "/cfg/k")) == "v"
    assert psim.alive()


# -- grace period ----------------------------------------------------------------

def test_sigterm_ignored_means_sigkill_at_the_end_of_the_grace_period(psim, ns):
    marker = unique("stubborn")
    apply(psim, """\
apiVersion: v1
kind: Pod
metadata: {name: stubborn, namespace: %s}
spec:
  nodeName: kubecombo-worker-2
  terminationGracePeriodSeconds: 2
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done # %s"]
""" % (ns, marker))
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/stubborn", "-n", ns,
                    "--timeout=30s"))
    assert subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0
    start = time.monotonic()
    ok(psim.kubectl("delete", "pod", "stubborn", "-n", ns, "--timeout=30s"))
    took = time.monotonic() - start
    assert 1.5 < took < 8, took
    assert subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 1


def test_scheduled_pod_gets_scheduler_and_kubelet_events(psim, ns):
    apply(psim, """\
apiVersion: v1
kind: Pod
metadata: {name: sched, namespace: %s}
spec:
  containers:
  - {name: main, image: busybox, command: [sleep, "600"]}
""" % ns)
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/sched", "-n", ns,
                    "--timeout=30s"))
    evs = wait_until(lambda: (lambda e: e if {"Scheduled", "Pulled", "Created", "Started"}
                              <= {x["reason"] for x in e} else None)(
        events_of(psim, ns, "sched")), timeout=20, what="events")
    node = pod_json(psim, ns, "sched")["spec"]["nodeName"]
    started = [e for e in evs if e["reason"] == "Started"][0]
    assert started["source"]["host"] == node, (started, node)
    out = ok(psim.kubectl("describe", "pod", "sched", "-n", ns))
    for word in ("Scheduled", "Pulled", "Created", "Started"):
        assert word in out.split("Events:")[1], out


def test_logs_since_time_and_since_seconds(psim, ns):
    pod(psim, ns, "since", "echo early; sleep 3; echo late; sleep 600")
    late = wait_until(lambda: [l for l in ok(psim.kubectl(
        "logs", "since", "-n", ns, "--timestamps")).splitlines() if l.endswith(" late")],
        timeout=20, what="the late line")
    stamp = late[0].split()[0]
    out = ok(psim.kubectl("logs", "since", "-n", ns, "--since-time=" + stamp))
    assert out == "late\n", out
    out = ok(psim.kubectl("logs", "since", "-n", ns, "--since=1h"))
    assert out == "early\nlate\n", out
    # Once a second has passed since the late line, --since=1s shows nothing.
    wait_until(lambda: ok(psim.kubectl("logs", "since", "-n", ns, "--since=1s")) == "",
               timeout=10, what="no line within the last second")
