# kc-test-labels: e2e root nodenet
"""Acceptance of the process kubelet (ADR 0071) against
`kubecombo sim --kubelet process --nodes 3` with the real kubectl: logs,
ConfigMap volumes (and their refresh), restarts with a growing count,
graceful deletion, bad input, and nothing left behind after SIGINT.
"""
import json
import os
import subprocess
import time

import pytest

import simlib
from simlib import unique, wait_until

from conftest import _binary
from processlib import (apply, kubelet_dirs, leftovers, netns_on, new_namespace,
                         ok, pod_json, process_sim)


@pytest.fixture(scope="module")
def psim():
    yield from process_sim()


@pytest.fixture
def ns(psim):
    return new_namespace(psim, "pk")


POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}}}
spec:
  nodeName: kubecombo-worker-2
  terminationGracePeriodSeconds: {grace}
  restartPolicy: {policy}
  containers:
  - name: main
    image: busybox:1.36
    command: ["sh", "-c", {script}]
    env:
    - name: NODE_NAME
      valueFrom: {{fieldRef: {{fieldPath: spec.nodeName}}}}
    - name: POD_IP
      valueFrom: {{fieldRef: {{fieldPath: status.podIP}}}}
    volumeMounts:
    - {{name: cfg, mountPath: /etc/kc-e2e}}
  volumes:
  - name: cfg
    configMap: {{name: cfg, optional: true}}
"""


def pod(sim, ns, name, script, grace=5, policy="Always"):
    apply(sim, POD.format(name=name, ns=ns, script=json.dumps(script),
                          grace=grace, policy=policy))


def test_logs_show_stdout_and_env(psim, ns):
    pod(psim, ns, "hello", 'echo "hello from $NODE_NAME $POD_IP"; echo err >&2; '
        "sleep 300")
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/hello", "-n", ns,
                    "--timeout=30s"))
    out = wait_until(lambda: ok(psim.kubectl("logs", "hello", "-n", ns)).strip() or None,
                     timeout=15, what="log lines")
    assert "hello from kubecombo-worker-2 198.18.0.12" in out
    assert "err" in out
    tail = ok(psim.kubectl("logs", "hello", "-n", ns, "-c", "main", "--tail=1"))
    assert tail.strip() == "err", tail
    ts = ok(psim.kubectl("logs", "hello", "-n", ns, "--timestamps"))
    assert ts.split()[0].endswith("Z") and "hello from" in ts, ts


def test_configmap_volume_file_and_refresh(psim, ns):
    ok(psim.kubectl("create", "configmap", "cfg", "-n", ns, "--from-literal=greeting=one"))
    pod(psim, ns, "cm", "while true; do cat /etc/kc-e2e/greeting; echo; sleep 0.2; done")
    wait_until(lambda: "one" in ok(psim.kubectl("logs", "cm", "-n", ns, "--tail=1")),
               timeout=30, what="ConfigMap value in the log")
    out = ok(psim.kubectl("exec", "cm", "-n", ns, "--", "cat", "/etc/kc-e2e/greeting"))
    assert out == "one", out
    ok(psim.kubectl("patch", "configmap", "cfg", "-n", ns, "--type=merge",
                    "-p", '{"data":{"greeting":"two"}}'))
    wait_until(lambda: "two" in ok(psim.kubectl("logs", "cm", "-n", ns, "--tail=1")),
               timeout=30, what="changed ConfigMap value in the log")
    out = ok(psim.kubectl("exec", "cm", "-n", ns, "--", "cat", "/etc/kc-e2e/greeting"))
    assert out == "two", out


def test_exec_exit_code_and_stderr(psim, ns):
    pod(psim, ns, "ex", "sleep 300")
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/ex", "-n", ns,
                    "--timeout=30s"))
    rc, out, err = psim.kubectl("exec", "ex", "-n", ns, "--", "sh", "-c",
                                "echo out; echo oops >&2; exit 3")
    assert rc == 3, (rc, out, err)
    assert out.strip() == "out" and "oops" in err, (out, err)
    rc, out, _ = psim.kubectl("exec", "ex", "-n", ns, "--", "sh", "-c",
                              "echo $NODE_NAME; hostname -i 2>/dev/null || true")
    assert rc == 0 and out.split()[0] == "kubecombo-worker-2", out


def test_crashing_container_restarts_with_growing_count(psim, ns):
    pod(psim, ns, "crash", "echo boom; exit 3")
    def restarts():
        st = pod_json(psim, ns, "crash")["status"]
        cs = st.get("containerStatuses", [{}])[0]
        return cs if cs.get("restartCount", 0) >= 2 else None
    cs = wait_until(restarts, timeout=40, what="two restarts")
    term = cs["lastState"]["terminated"]
    assert term["exitCode"] == 3 and term["reason"] == "Error", cs
    prev = ok(psim.kubectl("logs", "crash", "-n", ns, "--previous"))
    assert "boom" in prev


def test_completed_pod_succeeds_and_failed_pod_fails(psim, ns):
    pod(psim, ns, "done", "exit 0", policy="Never")
    pod(psim, ns, "bad", "exit 7", policy="Never")
    wait_until(lambda: pod_json(psim, ns, "done")["status"]["phase"] == "Succeeded",
               timeout=30, what="Succeeded")
    st = wait_until(lambda: (lambda s: s if s["phase"] == "Failed" else None)(
        pod_json(psim, ns, "bad")["status"]), timeout=30, what="Failed")
    assert st["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 7


def test_delete_stops_processes_within_grace(psim, ns):
    pod(psim, ns, "stopper", "trap 'echo bye; exit 0' TERM; echo $$ > /dev/null; "
        "while true; do sleep 0.1; done", grace=10)
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/stopper", "-n", ns,
                    "--timeout=30s"))
    uid = pod_json(psim, ns, "stopper")["metadata"]["uid"]
    start = time.monotonic()
    ok(psim.kubectl("delete", "pod", "stopper", "-n", ns, "--timeout=30s"))
    assert time.monotonic() - start < 10
    rc, _, err = psim.kubectl("get", "pod", "stopper", "-n", ns)
    assert rc != 0 and "NotFound" in err
    # No process of the pod is left (its directory is gone too).
    out = subprocess.run(["pgrep", "-f", "trap 'echo bye"], capture_output=True,
                         text=True).stdout
    assert out.strip() == "", out
    assert not any(os.path.isdir("/tmp/%s/pods/%s" % (d, uid)) for d in kubelet_dirs())


def test_bad_input_reasons(psim, ns):
    apply(psim, """\
apiVersion: v1
kind: Pod
metadata: {name: nocmd, namespace: %s}
spec:
  nodeName: kubecombo-worker-1
  containers: [{name: c, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata: {name: missing, namespace: %s}
spec:
  nodeName: kubecombo-worker-1
  containers:
  - name: c
    image: busybox
    command: [sleep, "300"]
    env:
    - name: X
      valueFrom: {configMapKeyRef: {name: nope, key: k}}
---
apiVersion: v1
kind: Pod
metadata: {name: noexec, namespace: %s}
spec:
  nodeName: kubecombo-worker-1
  containers: [{name: c, image: busybox, command: [/no/such/tool]}]
""" % (ns, ns, ns))

    def reason(name):
        cs = pod_json(psim, ns, name)["status"].get("containerStatuses", [{}])[0]
        st = cs.get("state", {})
        last = cs.get("lastState", {}).get("terminated", {})
        return st.get("waiting", {}).get("reason") or last.get("reason")

    wait_until(lambda: reason("nocmd") == "RunContainerError", timeout=30,
               what="RunContainerError")
    wait_until(lambda: reason("missing") == "CreateContainerConfigError", timeout=30,
               what="CreateContainerConfigError")
    wait_until(lambda: reason("noexec") in ("ContainerCannotRun", "CrashLoopBackOff"),
               timeout=30, what="ContainerCannotRun")
    assert psim.alive()


def test_nothing_left_after_sigint():
    """A separate sim: SIGINT with running pods leaves no process or dir."""
    if os.geteuid() != 0:
        pytest.skip("SKIP: needs root")
    before = kubelet_dirs()
    s = simlib.start_sim(_binary(), nodes=1, extra=("--kubelet", "process"))
    try:
        marker = unique("leftover")
        s.write_file("p.yaml", POD.format(
            name="p", ns="default", grace=30, policy="Always",
            script=json.dumps("sleep 1000 # %s" % marker)).replace(
                "kubecombo-worker-2", "kubecombo-worker-1"))
        ok(s.kubectl("apply", "-f", os.path.join(s.workdir, "p.yaml")))
        ok(s.kubectl("wait", "--for=condition=Ready", "pod/p", "--timeout=30s"))
        assert subprocess.run(["pgrep", "-f", marker]).returncode == 0
        pid = s.proc.pid
        assert s.stop() == 0
        assert subprocess.run(["pgrep", "-f", marker]).returncode == 1
        assert kubelet_dirs() - before == set()
        assert leftovers(pid) == ([], [], []), leftovers(pid)
    finally:
        s.stop()
        s.cleanup()


def test_pods_on_two_nodes_reach_each_other_and_the_gateway(psim, ns):
    if not netns_on(psim):
        pytest.skip("SKIP: node network namespaces are off: " + psim.log()[-300:])
    apply(psim, """\
apiVersion: v1
kind: Pod
metadata: {name: srv, namespace: %s}
spec:
  nodeName: kubecombo-worker-1
  containers:
  - {name: c, image: python, command: [/usr/bin/python3, -m, http.server, "18080"]}
""" % ns)
    pod(psim, ns, "cli", "sleep 300")
    for name in ("srv", "cli"):
        ok(psim.kubectl("wait", "--for=condition=Ready", "pod/" + name, "-n", ns,
                        "--timeout=30s"))
    probe = ("import socket,sys\n"
             "s=socket.create_connection((sys.argv[1],int(sys.argv[2])),5)\n"
             "print('connected', s.getsockname()[0])\n")
    def reach(host, port):
        return psim.kubectl("exec", "cli", "-n", ns, "--", "/usr/bin/python3", "-c",
                            probe, host, str(port))
    rc, out, err = wait_until(lambda: (lambda r: r if r[0] == 0 else None)(
        reach("198.18.0.11", 18080)), timeout=20, what="srv reachable")
    assert "connected 198.18.0.12" in out, out
    rc, out, err = reach("198.18.0.1", psim.port)
    assert rc == 0 and "connected 198.18.0.12" in out, (out, err)


IN_CLUSTER = """\
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_incluster_config()
try:
    client.CoreV1Api().list_namespaced_pod(open(
        "/var/run/secrets/kubernetes.io/serviceaccount/namespace").read())
    print("status 200")
except ApiException as e:
    print("status", e.status)
"""


def test_in_cluster_config_with_token_under_rbac(psim, ns):
    pod(psim, ns, "incl", "sleep 300")
    ok(psim.kubectl("wait", "--for=condition=Ready", "pod/incl", "-n", ns,
                    "--timeout=30s"))
    def ask():
        rc, out, err = psim.kubectl("exec", "incl", "-n", ns, "--",
                                    "/usr/bin/python3", "-c", IN_CLUSTER)
        assert rc == 0, (out, err)
        return out.strip()
    assert ask() == "status 403"
    ok(psim.kubectl("create", "rolebinding", "view", "-n", ns, "--clusterrole=view",
                    "--serviceaccount=%s:default" % ns))
    wait_until(lambda: ask() == "status 200", timeout=20, what="RBAC allows")
