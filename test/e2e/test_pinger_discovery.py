# kc-test-labels: e2e integration root
"""`kubecombo pinger` server mode discovers its peers: with a kubeconfig of a
`kubecombo sim`, POD_NAME/POD_NAMESPACE and --ds-name, the Ready pods labelled
debug=<name> (their pod IPs on 127.0.0.0/8) become ICMP targets (not the own
pod, not unready ones) and show in /debug/actors and /metrics; peers that
appear later are probed at once, departed ones dropped."""
import json
import os
import subprocess
import urllib.request

import pytest

import simlib
from pingerlib import stop

KC = os.environ.get("KUBECOMBO", "kubecombo")


def status_patch(ip, ready):
    return json.dumps({"status": {"phase": "Running", "podIP": ip, "conditions": [
        {"type": "Ready", "status": "True" if ready else "False"}]}})


def get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
        return r.read().decode()


def test_ready_peers_become_icmp_targets():
    if os.geteuid() != 0:
        pytest.skip("SKIP: ICMP probing needs root here")
    sim = simlib.Sim(KC, nodes=0).start()
    proc = None
    try:
        for name, ip, ready in [("me", "127.0.0.2", True), ("a", "127.0.0.3", True),
                                ("b", "127.0.0.4", False)]:
            rc, _, err = sim.kubectl("run", name, "--image=x", "--labels=debug=dbg")
            assert rc == 0, err
            rc, _, err = sim.kubectl("patch", "pod", name, "--subresource=status",
                                     "--type=merge", "-p", status_patch(ip, ready))
            assert rc == 0, err
        port = simlib.free_port()
        env = dict(os.environ, POD_NAME="me", POD_NAMESPACE="default")
        log = open(os.path.join(sim.workdir, "pinger.log"), "wb")
        proc = subprocess.Popen([KC, "pinger", "--kubeconfig", sim.kubeconfig_path,
                                 "--ds-name", "dbg", "--ping", "127.0.0.1",
                                 "--interval", "0.5", "--enable-metrics",
                                 "--legacy-metrics",
                                 "--port", str(port)], env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

        def up():
            try:
                return 'pinger_target_up{protocol="icmp",target="127.0.0.3"} 1' \
                    in get(port, "/metrics")
            except OSError:
                return False
        simlib.wait_until(up, timeout=30, what="peer 127.0.0.3 up")
        # --legacy-metrics: a discovered peer feeds upstream's pod series,
        # not the external ones (a new entry keeps its kind).
        simlib.wait_until(lambda: "pinger_pod_ping_count_total" in get(port, "/metrics"),
                          timeout=30, what="legacy pod series for the peer")
        legacy = [line for line in get(port, "/metrics").splitlines()
                  if line.startswith("pinger_external_ping_") and "127.0.0.3" in line]
        assert legacy == [], legacy
        names = [a["name"] for a in json.loads(get(port, "/debug/actors"))["actors"]]
        assert "discovery" in names
        assert "target/icmp/127.0.0.3" in names
        assert "target/icmp/127.0.0.2" not in names  # the own pod
        assert "target/icmp/127.0.0.4" not in names  # not Ready
        # A peer that appears later is probed at once (engines add slots
        # live, ADR 0023); one that leaves is dropped with its series.
        rc, _, err = sim.kubectl("run", "c", "--image=x", "--labels=debug=dbg")
        assert rc == 0, err
        rc, _, err = sim.kubectl("patch", "pod", "c", "--subresource=status",
                                 "--type=merge", "-p", status_patch("127.0.0.5", True))
        assert rc == 0, err
        simlib.wait_until(
            lambda: 'pinger_target_up{protocol="icmp",target="127.0.0.5"} 1'
            in get(port, "/metrics"), timeout=30, what="late peer 127.0.0.5 up")
        rc, _, err = sim.kubectl("delete", "pod", "a", "--grace-period=0",
                                 "--force")
        assert rc == 0, err
        simlib.wait_until(
            lambda: 'target="127.0.0.3"' not in get(port, "/metrics"),
            timeout=30, what="departed peer 127.0.0.3 gone from /metrics")
        names = [a["name"] for a in json.loads(get(port, "/debug/actors"))["actors"]]
        assert "target/icmp/127.0.0.3" not in names
        assert "target/icmp/127.0.0.5" in names
    finally:
        stop(proc)
        sim.stop()
        sim.cleanup()
