# kc-test-labels: e2e integration root
"""The pinger agent end to end inside network namespaces (198.18.0.0/15 only):
an nft rule drops every packet to one target; its TARGET goes up → down
within a few intervals, the log shows one TargetDown line and the embedded
control plane (running in the same namespace) receives a `TargetDown` Event on
the agent's Pod; after the rule is removed, `down → up` and `TargetUp`.
Namespaces, processes, nft tables and temp files are removed even on failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from netnslib import sh, veth_pair  # noqa: E402
from pingerlib import stop  # noqa: E402

KC = os.environ.get("KUBECOMBO", "kubecombo")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nft")
    or not os.access(simlib.KUBECTL, os.X_OK),
    reason="SKIP: needs root, ip, nft and kubectl")

LIVE, DEAD = "198.18.9.2", "198.18.9.3"
INTERVAL = 0.5
POD = "pinger-agent-e2e"


@pytest.fixture
def net():
    with veth_pair("q", "198.18.9", "kcagent") as ab:
        yield ab


@pytest.fixture
def sim(net):
    a, _ = net
    s = simlib.Sim(KC, nodes=1)
    s.args = ["ip", "netns", "exec", a] + s.args  # its 127.0.0.1 is a's
    try:
        s.start()
        yield s
    finally:
        s.stop()
        s.cleanup()


def ns_kubectl(ns, sim, *args):
    cache = tempfile.mkdtemp(prefix="kcache-", dir=sim.workdir)
    env = dict(os.environ, KUBECONFIG=sim.kubeconfig_path, KUBECACHEDIR=cache,
               HOME=sim.workdir)
    try:
        p = subprocess.run(["ip", "netns", "exec", ns, simlib.KUBECTL] + list(args),
                           env=env, capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def target_events(ns, sim, reason):
    rc, out, err = ns_kubectl(ns, sim, "get", "events", "-n", "default", "-o",
                              "json")
    if rc != 0:
        return []
    return [e for e in json.loads(out)["items"]
            if e.get("reason") == reason
            and e["involvedObject"].get("name") == POD
            and e["involvedObject"].get("kind") == "Pod"]


def ns_get(ns, url):
    """GET inside the namespace (the agent's admin port is on its loopback)."""
    p = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
                        "import sys,urllib.request;sys.stdout.write(urllib."
                        "request.urlopen(sys.argv[1],timeout=5).read().decode())",
                        url], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout


def wait_for_text(path, text, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path) as f:
            if text in f.read():
                return time.monotonic()
        time.sleep(0.05)
    return None


def test_blackholed_target_down_event_and_recovery(net, sim, tmp_path):
    a, b = net
    log = tmp_path / "pinger.log"
    env = dict(os.environ, POD_NAME=POD, POD_NAMESPACE="default",
               NODE_NAME="node-1")
    for k in ("PING", "TCP_PING", "UDP_PING", "DNS", "KUBERNETES_SERVICE_HOST"):
        env.pop(k, None)
    with open(log, "w") as out:
        agent = subprocess.Popen(
            ["ip", "netns", "exec", a, KC, "pinger", "--interval", str(INTERVAL),
             "--ping", f"{LIVE},{DEAD}", "--kubeconfig", sim.kubeconfig_path,
             "--enable-metrics", "--port", "18080"],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        assert wait_for_text(log, "probing 2 targets", 10), log.read_text()
        time.sleep(3 * INTERVAL)  # both targets answer (quiet unknown → up)
        assert "→" not in log.read_text(), log.read_text()
        # Blackhole DEAD: every packet to it is dropped.
        t0 = time.monotonic()
        sh("ip", "netns", "exec", b, "nft", "add", "rule", "inet", "kcagent",
           "input", "ip", "daddr", DEAD, "drop")
        t_down = wait_for_text(log, f"{DEAD} icmp up → down", 10)
        assert t_down, log.read_text()
        detect = t_down - t0
        print(f"detection: {detect:.2f}s at interval {INTERVAL}s "
              f"({detect / INTERVAL:.1f} intervals)")
        # 3 failures: ≤ 3 intervals + the probe timeout, plus scheduling slack.
        assert detect < 3 * INTERVAL + INTERVAL + 1.5, log.read_text()
        ev = simlib.wait_until(lambda: target_events(a, sim, "TargetDown"),
                               timeout=15, what="TargetDown Event")
        assert ev[0]["type"] == "Warning"
        assert ev[0]["involvedObject"]["namespace"] == "default"
        assert ev[0]["message"].startswith(f"{DEAD} icmp up → down"), ev[0]
        # The tree in /debug/actors and the state counts in /metrics.
        actors = json.loads(ns_get(a, "http://127.0.0.1:18080/debug/actors"))
        names = {x["name"]: x for x in actors["actors"]}
        for n in ("root", "recorder", "reporter", "targets",
                  f"target/icmp/{LIVE}", f"target/icmp/{DEAD}"):
            assert n in names, names.keys()
        assert names[f"target/icmp/{DEAD}"]["parent"] == "targets"
        assert names[f"target/icmp/{DEAD}"]["state"].startswith("down since")
        metrics = ns_get(a, "http://127.0.0.1:18080/metrics")
        assert 'pinger_targets{protocol="icmp",state="down"} 1' in metrics
        assert 'pinger_targets{protocol="icmp",state="up"} 1' in metrics
        assert f'pinger_target_up{{protocol="icmp",target="{DEAD}"}} 0' in metrics
        # Repair.
        sh("ip", "netns", "exec", b, "nft", "flush", "chain", "inet",
           "kcagent", "input")
        assert wait_for_text(log, f"{DEAD} icmp down → up", 10), log.read_text()
        ev = simlib.wait_until(lambda: target_events(a, sim, "TargetUp"),
                               timeout=15, what="TargetUp Event")
        assert ev[0]["type"] == "Normal"
        assert f"{DEAD} icmp down → up" in ev[0]["message"]
    finally:
        stop(agent)
    text = log.read_text()
    assert agent.returncode == 0, text
    assert f"{LIVE} icmp" not in text, "the live path flapped:\n" + text
    assert text.count("→") == 2, text  # exactly one down and one up line


def test_no_api_no_crash_and_lines_still_logged(net, tmp_path):
    """An unreachable API (nothing listens) must not stop the agent."""
    a, b = net
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        "    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\n"
        "users:\n- name: u\n  user:\n    token: x\ncontexts:\n- name: c\n"
        "  context:\n    cluster: c\n    user: u\ncurrent-context: c\n")
    sh("ip", "netns", "exec", b, "nft", "add", "rule", "inet", "kcagent",
       "input", "ip", "daddr", DEAD, "drop")
    log = tmp_path / "pinger.log"
    env = dict(os.environ, POD_NAME=POD, POD_NAMESPACE="default")
    with open(log, "w") as out:
        agent = subprocess.Popen(
            ["ip", "netns", "exec", a, KC, "pinger", "--interval", "0.2",
             "--ping", f"{LIVE},{DEAD}", "--kubeconfig", str(kubeconfig)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        assert wait_for_text(log, f"{DEAD} icmp unknown → down", 10), \
            log.read_text()
        assert agent.poll() is None, log.read_text()
    finally:
        stop(agent)
    assert agent.returncode == 0, log.read_text()
