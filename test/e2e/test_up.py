# kc-test-labels: e2e root nodenet
"""`kubecombo up` as a newcomer runs it (issue 9, ADRs 0076, 0077): started in
the background with no terminal and no stdin, it brings up the control plane
with its nodes as network namespaces, the controller as a Pod with in-cluster
config, the samples; the test then follows the README tour with kubectl and
`kubecombo link`, and after SIGINT nothing is left: no processes, network
namespaces, veth devices, mounts, state directories or kubeconfig."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import simlib
from conftest import _binary, _require_kubectl

UP_TIMEOUT = 240.0
NODES = ["kubecombo-worker-1", "kubecombo-worker-2", "kubecombo-worker-3"]


def gateway_taken():
    return subprocess.run(["ip", "-o", "addr", "show", "to", "198.18.0.1/32"],
                          capture_output=True, text=True).stdout.strip()


def descendants(pid):
    """Every process below `pid` (the pods' processes are its children)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in out:
                out.add(c)
                todo.append(c)
    return out


class Up:
    def __init__(self, binary):
        self.binary = binary
        self.workdir = tempfile.mkdtemp(prefix="kc-e2e-up-")
        self.port = simlib.free_port()
        self.kubeconfig = os.path.join(self.workdir, "kubecombo.kubeconfig")
        self.log_path = os.path.join(self.workdir, "up.log")
        self.cachedir = tempfile.mkdtemp(prefix="kc-e2e-up-cache-")
        self.proc = None
        self.ready_after = None

    def start(self):
        log = open(self.log_path, "wb")
        t0 = time.monotonic()
        # As `kubecombo up </dev/null &` from a script would: no terminal,
        # no stdin, its own session, SIGINT ignored (what a non-interactive
        # shell does to background jobs) — SIGINT must still stop it.
        self.proc = subprocess.Popen(
            [self.binary, "up", "--listen", "127.0.0.1:%d" % self.port,
             "--kubeconfig-out", self.kubeconfig],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=self.workdir, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        log.close()
        simlib.wait_until(lambda: "kubecombo is up" in self.log()
                          or self.proc.poll() is not None,
                          timeout=UP_TIMEOUT, interval=0.2, what="the tour")
        assert self.proc.poll() is None, self.log()
        self.ready_after = time.monotonic() - t0
        print("kubecombo up: tour printed %.1fs after start" % self.ready_after)
        return self

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def kubectl(self, *args, timeout=60):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig,
                   KUBECACHEDIR=tempfile.mkdtemp(dir=self.cachedir))
        r = subprocess.run([simlib.KUBECTL] + list(args), capture_output=True,
                           text=True, env=env, timeout=timeout)
        return r.returncode, r.stdout, r.stderr

    def ok(self, *args):
        rc, out, err = self.kubectl(*args)
        assert rc == 0, "kubectl %s: %s %s" % (" ".join(args), out, err)
        return out

    def json(self, *args):
        return json.loads(self.ok(*(list(args) + ["-o", "json"])))

    def link(self, *args):
        return subprocess.run([self.binary, "link"] + list(args),
                              capture_output=True, text=True, timeout=30)

    def prefix(self):
        return "kc%d-" % (self.proc.pid % 100000)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def up():
    if os.geteuid() != 0:
        pytest.skip("SKIP: kubecombo up needs root (node network namespaces, "
                    "pod mount namespaces)")
    _require_kubectl()
    for tool in ("ip", "nft"):
        if not shutil.which(tool):
            pytest.skip("SKIP: %s not installed" % tool)
    binary = _binary()
    # Only one kubecombo per machine gets node namespaces (ADR 0072); wait
    # for another test's sim to finish rather than fail on it.
    deadline = time.monotonic() + 300
    while gateway_taken() and time.monotonic() < deadline:
        time.sleep(1)
    if gateway_taken():
        pytest.skip("SKIP: 198.18.0.1 held by another kubecombo for 300 s: %s"
                    % gateway_taken())
    u = Up(binary)
    try:
        yield u.start()
    finally:
        u.kill()
        shutil.rmtree(u.workdir, ignore_errors=True)
        shutil.rmtree(u.cachedir, ignore_errors=True)


def test_help_and_bad_usage():
    binary = _binary()
    for sub in ("up", "link"):
        r = subprocess.run([binary, sub, "--help"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    r = subprocess.run([binary, "link", "sideways", "kubecombo-worker-1"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "sideways" in r.stderr


def _by_key(objs):
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
            for o in objs}


@pytest.mark.parametrize("webhooks", [False, True])
def test_render_matches_kubectl_kustomize(webhooks, tmp_path):
    """What `up` applies is what `kubectl kustomize` renders of deploy/
    (plus, with webhooks, the Secret and caBundle `up` generates)."""
    import yaml
    _require_kubectl()
    binary, source = _binary(), os.environ.get("KC_SOURCE_DIR")
    if not source:
        pytest.skip("SKIP: KC_SOURCE_DIR not set")
    r = subprocess.run([binary, "up", "--render", "--webhooks=%s" % str(webhooks).lower()],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    ours = _by_key(json.loads(r.stdout)["items"])
    target = os.path.join(source, "deploy")
    if webhooks:
        # As deploy/kustomization.yaml says: add `components: [webhook]`.
        copy = tmp_path / "deploy"
        shutil.copytree(target, copy)
        with open(copy / "kustomization.yaml", "a") as f:
            f.write("components:\n  - webhook\n")
        target = str(copy)
    k = subprocess.run([simlib.KUBECTL, "kustomize", target], capture_output=True,
                       text=True, timeout=60,
                       env=dict(os.environ, KUBECACHEDIR=str(tmp_path / "cache")))
    assert k.returncode == 0, k.stderr
    theirs = _by_key(d for d in yaml.safe_load_all(k.stdout) if d)
    if webhooks:
        secret = ours.pop(("Secret", "kubecombo-system", "kubecombo-webhook-cert"))
        assert set(secret["data"]) == {"tls.crt", "tls.key", "ca.crt"}
        for key, o in ours.items():
            for h in o.get("webhooks", []):
                assert h["clientConfig"].pop("caBundle") == secret["data"]["ca.crt"]
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert ours[key] == theirs[key], key


def test_progress_and_tour_printed(up):
    log = up.log()
    for step in ("[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"):
        assert step in log, log
    assert "timed out" not in log, log
    assert "export KUBECONFIG=" + up.kubeconfig in log
    for line in ("kubectl patch debug node-inspector", "kubecombo link down",
                 "/metrics", "errlog"):
        assert line in log
    m = re.search(r"everything up ([0-9.]+)s after start", log)
    assert m, log
    print("kubecombo up: everything up %ss after start" % m.group(1))


def test_nodes_are_namespaces(up):
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True).stdout
    for n in NODES:
        assert up.prefix() + n in netns, netns
    nodes = up.json("get", "nodes")["items"]
    assert sorted(n["metadata"]["name"] for n in nodes) == NODES


def test_controller_runs_as_pod_with_incluster_config(up):
    pods = up.json("get", "pods", "-n", "kubecombo-system")["items"]
    assert len(pods) == 1, pods
    pod = pods[0]
    assert pod["status"]["phase"] == "Running"
    assert pod["spec"]["serviceAccountName"] == "kubecombo-controller"
    name = pod["metadata"]["name"]
    env = up.ok("exec", "-n", "kubecombo-system", name, "--", "env")
    assert "KUBERNETES_SERVICE_HOST=198.18.0.1" in env
    assert "KUBERNETES_SERVICE_PORT=%d" % up.port in env
    files = up.ok("exec", "-n", "kubecombo-system", name, "--", "ls",
                  "/var/run/secrets/kubernetes.io/serviceaccount")
    assert {"token", "ca.crt", "namespace"} <= set(files.split())
    lease = up.json("get", "lease", "-n", "kubecombo-system",
                    "kubecombo-controller")
    assert lease["spec"]["holderIdentity"].startswith(name + "_"), lease


def test_webhook_rejects_an_invalid_debugger(up):
    """deploy/webhook is applied with a generated certificate: the
    controller's validating webhook answers kubectl."""
    path = os.path.join(up.workdir, "bad.yaml")
    with open(path, "w") as f:
        f.write("apiVersion: vpn-gw.kubecombo.com/v1\nkind: Debugger\n"
                "metadata: {name: bad}\nspec: {workloadType: daemonset}\n")
    rc, out, err = up.kubectl("apply", "-f", path)
    os.unlink(path)
    assert rc != 0, out
    assert 'The Debugger "bad" is invalid' in err and "spec.cpu" in err, err


def test_agents_running_on_every_node(up):
    pods = up.json("get", "pods", "-l", "debug=node-inspector")["items"]
    assert sorted(p["spec"]["nodeName"] for p in pods) == NODES
    for p in pods:
        assert p["status"]["phase"] == "Running", p["status"]
        assert all(c["ready"] for c in p["status"]["containerStatuses"])
        idx = NODES.index(p["spec"]["nodeName"])
        assert p["status"]["podIP"] == "198.18.0.%d" % (11 + idx)
    ready = up.ok("get", "debug", "node-inspector", "-o",
                  "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
    assert ready == "True"


def _pinger_status(up):
    return up.json("get", "ping", "mesh-pinger").get("status", {})


def test_pinger_rolls_up_every_agent(up):
    """`kubectl get ping`: the agents report their targets (gateway, control
    plane, peers) and the controller rolls them up: AGENTS 3, READY True."""
    def ready():
        st = _pinger_status(up)
        conds = {c["type"]: c["status"] for c in st.get("conditions", [])}
        return st if st.get("agents") == 3 and st.get("reportingAgents") == 3 \
            and conds.get("Ready") == "True" \
            and st.get("targets", 0) >= 3 * 4 else None  # ICMP+TCP gateway, 2 peers
    st = simlib.wait_until(ready, timeout=90, interval=1, what="mesh-pinger Ready")
    assert st.get("unhealthyTargets", 0) == 0, st


def test_script_job_ran_its_scripts(up):
    pod = up.json("get", "pod", "script-job")
    assert pod["status"]["phase"] == "Succeeded", pod["status"]
    log = up.ok("logs", "script-job", "-c", "debug")
    assert "custom/check-api.sh ok" in log, log
    assert "custom/check-disk.sh ok" in log, log


def test_exec_into_an_agent(up):
    pods = up.json("get", "pods", "-l", "debug=node-inspector")["items"]
    name = pods[0]["metadata"]["name"]
    out = up.ok("exec", name, "-c", "debug", "--", "ls", "/scripts")
    assert {"disk", "net", "mem", "svc"} <= set(out.split()), out
    # The errlog folders exist from the agent's start (CONTRACT.md).
    up.ok("exec", name, "-c", "debug", "--", "test", "-d", "/scripts/net/errlog")


def test_inspection_run_overview_and_errlog(up):
    """Tour: trigger a run with runAt, read its overview ConfigMap (a key
    per node: category → item → details) and an agent's errlog."""
    import yaml
    now = time.gmtime()
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", now)
    run_id = time.strftime("%Y%m%d-%H%M%S", now)
    up.ok("patch", "debug", "node-inspector", "--type", "merge", "-p",
          json.dumps({"spec": {"runAt": at}}))
    t0 = time.monotonic()

    def completed():
        st = up.json("get", "debug", "node-inspector").get("status", {})
        last = st.get("lastRun") or {}
        return last if last.get("id") == run_id and last.get("phase") == "Completed" \
            else None
    last = simlib.wait_until(completed, timeout=120, interval=1,
                             what="run %s Completed" % run_id)
    print("run %s Completed %.1fs after runAt: %s" % (run_id, time.monotonic() - t0, last))
    assert last["nodes"] == 3 and last["reported"] == 3, last
    assert last["overview"] == "node-inspector-" + run_id
    cm = up.json("get", "configmap", last["overview"])
    labels = cm["metadata"]["labels"]
    assert labels["kubecombo.com/debugger"] == "node-inspector"
    assert labels["kubecombo.com/run"] == run_id
    assert "_summary" in cm["data"]
    for node in NODES:
        summary = yaml.safe_load(cm["data"][node])
        assert {"disk", "net", "mem", "svc"} <= set(summary), summary
        # The agents see the machine through the node's host root.
        assert "gateway-198.18.0.1" in summary["net"], summary["net"]
    pod = up.json("get", "pods", "-l", "debug=node-inspector",
                  "--field-selector", "spec.nodeName=" + NODES[0])["items"][0]
    name = pod["metadata"]["name"]
    logs = up.ok("exec", name, "-c", "debug", "--", "ls", "/scripts/svc/errlog")
    assert run_id + ".log" in logs.split(), logs
    up.ok("exec", name, "-c", "debug", "--", "cat",
          "/scripts/svc/errlog/%s.log" % run_id)


def _metrics(addr):
    import urllib.request
    with urllib.request.urlopen("http://%s/metrics" % addr, timeout=10) as r:
        return r.read().decode()


def test_metrics_reachable(up):
    """Tour: the debugger agents' and the controller's /metrics at their pod
    addresses (the bridge makes them reachable from the machine)."""
    for ip in ("198.18.0.11", "198.18.0.12", "198.18.0.13"):
        assert "kubecombo_" in _metrics(ip + ":8090")
    ctl = up.json("get", "pods", "-n", "kubecombo-system")["items"][0]
    text = _metrics(ctl["status"]["podIP"] + ":8080")
    assert "kubecombo_leader" in text, text[:2000]
    # The sample Pinger has enableMetrics and metricsPort 9080: each agent's
    # ping container serves the pinger_ series there.
    for ip in ("198.18.0.11", "198.18.0.12", "198.18.0.13"):
        text = _metrics(ip + ":9080")
        assert "pinger_" in text, text[:2000]


def _ping(ns, addr):
    return subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", "1", "-W",
                           "1", addr], capture_output=True).returncode == 0


def _events(up, reason):
    items = up.json("get", "events")["items"]
    return [e for e in items if e.get("reason") == reason]


def test_link_down_and_up(up):
    w1, w2 = up.prefix() + NODES[0], up.prefix() + NODES[1]
    assert _ping(w1, "198.18.0.12")
    r = up.link("down", NODES[1])
    assert r.returncode == 0, r.stdout + r.stderr
    st = up.link("status", NODES[1])
    assert "kubecombo_link" in st.stdout, st.stdout + st.stderr
    assert not _ping(w1, "198.18.0.12")
    assert _ping(w2, "198.18.0.1"), "the control plane stays reachable"
    # The peers' pingers notice: TargetDown on a pod of another node, for
    # the broken node's address.
    agents = {p["spec"]["nodeName"]: p["metadata"]["name"] for p in
              up.json("get", "pods", "-l", "debug=node-inspector")["items"]}
    t0 = time.monotonic()
    down = simlib.wait_until(
        lambda: [e for e in _events(up, "TargetDown")
                 if e["involvedObject"]["name"] == agents[NODES[0]]
                 and "198.18.0.12" in e.get("message", "")],
        timeout=90, interval=1, what="TargetDown for 198.18.0.12 on " + agents[NODES[0]])
    print("TargetDown %.1fs after link down: %s" % (time.monotonic() - t0,
                                                     down[0]["message"]))
    unhealthy = simlib.wait_until(
        lambda: _pinger_status(up).get("unhealthyTargets", 0) >= 2, timeout=90,
        interval=1, what="mesh-pinger unhealthyTargets while the link is down")
    print("mesh-pinger while down:", _pinger_status(up))
    r = up.link("up", NODES[1])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "link up" in up.link("status", NODES[1]).stdout
    assert _ping(w1, "198.18.0.12")
    t0 = time.monotonic()
    simlib.wait_until(
        lambda: [e for e in _events(up, "TargetUp")
                 if e["involvedObject"]["name"] == agents[NODES[0]]
                 and "198.18.0.12" in e.get("message", "")],
        timeout=90, interval=1, what="TargetUp for 198.18.0.12")
    print("TargetUp %.1fs after link up" % (time.monotonic() - t0))


def test_sigint_leaves_nothing(up):
    """Last: Ctrl-C stops everything and nothing remains."""
    pid = up.proc.pid
    children = descendants(pid)
    assert len(children) >= 1 + 2 * 3, children  # controller + agents
    # Our kubelet's state directory, from a pod process's mounts (other
    # tests may run their own kubelets at the same time).
    state = set()
    for c in children:
        try:
            with open("/proc/%d/mountinfo" % c) as f:
                state |= set(re.findall(r"/tmp/kubecombo-kubelet-[A-Za-z0-9]+", f.read()))
        except OSError:
            pass
    assert len(state) == 1, state
    state = state.pop()
    up.proc.send_signal(signal.SIGINT)
    rc = up.proc.wait(timeout=60)
    log = up.log()
    assert rc == 0, log
    assert "SIGINT received" in log and "kubecombo up: stopped" in log
    alive = [p for p in children if os.path.exists("/proc/%d" % p)]
    assert alive == [], alive
    prefix = "kc%d" % (pid % 100000)
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True).stdout
    assert prefix + "-" not in netns, netns
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True,
                           text=True).stdout
    assert (": " + prefix) not in links, links
    with open("/proc/mounts") as f:
        assert [l for l in f if state in l] == []
    assert not os.path.exists(state)
    assert not os.path.exists(up.kubeconfig)
    assert os.listdir(up.workdir) == ["up.log"]
