# kc-test-labels: e2e integration
"""`kubecombo pinger` applies its own Pinger live (CONFIG actor, ADR 0024):
with a kubeconfig of a `kubecombo sim`, PINGER_NAME and POD_NAMESPACE, the
Pinger's targets are probed; `kubectl patch` of the Pinger changes the probed
set without a restart (checked in /metrics); an invalid spec is one log line
and the last good configuration stays; thresholds and the interval apply too;
the `kubecombo.com/pinger-summary` annotation on the own Pod follows.
"""
import json
import os
import subprocess
import urllib.request

import simlib
from pingerlib import free_port, stop, tcp_listener  # noqa: F401 (fixture)

KC = os.environ.get("KUBECOMBO", "kubecombo")
SRC = os.environ.get("KC_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))


def get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                timeout=5) as r:
        return r.read().decode()


def metrics(port):
    try:
        return get(port, "/metrics")
    except OSError:
        return ""


def up_series(text, proto):
    """{target: value} of pinger_target_up for one protocol."""
    out = {}
    prefix = 'pinger_target_up{protocol="%s",target="' % proto
    for line in text.splitlines():
        if line.startswith(prefix):
            target = line[len(prefix):].split('"', 1)[0]
            out[target] = float(line.rsplit(" ", 1)[1])
    return out


def summary(sim):
    rc, out, _ = sim.kubectl("get", "pod", "me", "-o", "json")
    if rc != 0:
        return None
    ann = json.loads(out)["metadata"].get("annotations", {})
    value = ann.get("kubecombo.com/pinger-summary")
    return json.loads(value) if value else None


def patch(sim, spec):
    rc, _, err = sim.kubectl("patch", "pinger", "p1", "--type=merge", "-p",
                             json.dumps({"spec": spec}))
    assert rc == 0, err


def test_pinger_edits_apply_live(tcp_listener, tmp_path):
    sim = simlib.Sim(KC, nodes=0).start()
    proc = None
    log_path = tmp_path / "pinger.log"
    try:
        rc, _, err = sim.kubectl("apply", "-f",
                                 os.path.join(SRC, "deploy", "crd", "pingers.yaml"))
        assert rc == 0, err
        simlib.wait_until(lambda: sim.kubectl("get", "pingers")[0] == 0,
                          timeout=20, what="the Pinger CRD served")
        live = "127.0.0.1:%d" % tcp_listener
        doc = {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Pinger",
               "metadata": {"name": "p1", "namespace": "default"},
               "spec": {"image": "kubecombo:dev", "tcpPing": live,
                        "interval": 1, "mesh": False}}
        rc, _, err = sim.kubectl("apply", "-f", "-", input=json.dumps(doc))
        assert rc == 0, err
        rc, _, err = sim.kubectl("run", "me", "--image=x", "--labels=debug=dbg")
        assert rc == 0, err
        port = simlib.free_port()
        env = dict(os.environ, PINGER_NAME="p1", POD_NAMESPACE="default",
                   POD_NAME="me")
        for k in ("PING", "TCP_PING", "UDP_PING", "DNS",
                  "KUBERNETES_SERVICE_HOST"):
            env.pop(k, None)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [KC, "pinger", "--kubeconfig", sim.kubeconfig_path,
                 "--enable-metrics", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        # 1. The Pinger's target is probed (no flag targets at all).
        simlib.wait_until(lambda: up_series(metrics(port), "tcp").get(live) == 1,
                          timeout=30, what="the Pinger's TCP target up")
        names = [a["name"] for a in json.loads(get(port, "/debug/actors"))["actors"]]
        assert "config" in names, names
        assert "target/tcp/" + live in names
        # 2. Edit: the live target goes, a closed port comes (and goes down).
        closed = "127.0.0.1:%d" % free_port()
        patch(sim, {"tcpPing": closed, "failureThreshold": 2})
        simlib.wait_until(
            lambda: up_series(metrics(port), "tcp") == {closed: 0.0},
            timeout=30, what="only the closed port, down")
        # The summary annotation on the own Pod follows (for the roll-up).
        want = {"targets": 1, "unhealthy": 1, "down": ["tcp/" + closed]}
        simlib.wait_until(lambda: summary(sim) == want, timeout=30,
                          what="pinger-summary annotation " + json.dumps(want))
        # 3. An invalid edit: one clear line, the last good config stays.
        patch(sim, {"tcpPing": "127.0.0.1"})  # no port
        simlib.wait_until(lambda: "is invalid" in log_path.read_text(),
                          timeout=20, what="the invalid-spec line")
        text = log_path.read_text()
        bad = [l for l in text.splitlines() if "is invalid" in l]
        assert len(bad) == 1, text
        assert "spec.tcpPing" in bad[0] and "keeping the last good" in bad[0]
        assert up_series(metrics(port), "tcp") == {closed: 0.0}
        # 4. Both back, and a shorter interval: probes run faster.
        patch(sim, {"tcpPing": live + "," + closed, "interval": 1, "count": 4})
        simlib.wait_until(
            lambda: up_series(metrics(port), "tcp") == {live: 1.0, closed: 0.0},
            timeout=30, what="both targets")
        assert proc.poll() is None
        text = log_path.read_text()
        assert "count 4" in text, text
    finally:
        stop(proc)
        sim.stop()
        sim.cleanup()
    assert proc.returncode == 0, log_path.read_text()
