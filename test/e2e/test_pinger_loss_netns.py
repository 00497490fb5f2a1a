# kc-test-labels: e2e integration root
"""Acceptance: the pinger agent reports injected loss accurately and never
flaps a clean path (network namespaces, 198.18.0.0/15 only). Inside
namespace b an nft rule drops 10 % of the echo requests to five lossy
addresses (`numgen random mod 10 == 0 drop`); the agent in namespace a probes
them and one clean address. The mean reported loss ratio
(pinger_target_loss_ratio, a 100-probe window per target, 500 probes in all)
must be within ±5 points of 10 %, and the clean target never leaves `up`.
"""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netnslib import sh, veth_pair  # noqa: E402
from pingerlib import stop  # noqa: E402

KC = os.environ.get("KUBECOMBO", "kubecombo")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nft"),
    reason="SKIP: needs root, ip and nft")

PREFIX = "198.18.11"
CLEAN = PREFIX + ".2"
LOSSY = [PREFIX + ".%d" % i for i in range(3, 8)]
PORT = 18091


def ns_get(ns, url):
    p = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
                        "import sys,urllib.request;sys.stdout.write(urllib."
                        "request.urlopen(sys.argv[1],timeout=5).read().decode())",
                        url], capture_output=True, text=True, timeout=30)
    return p.stdout if p.returncode == 0 else ""


def gauges(text, name):
    out = {}
    for m in re.finditer(r'^%s\{protocol="icmp",target="([^"]+)"\} (\S+)$' % name,
                         text, re.M):
        out[m.group(1)] = float(m.group(2))
    return out


def probes_done(text):
    m = re.search(r'^pinger_probes_total\{protocol="icmp",result="ok"\} (\S+)$',
                  text, re.M)
    return float(m.group(1)) if m else 0.0


def test_ten_percent_loss_is_reported_within_five_points(tmp_path):
    with veth_pair("l", PREFIX, "kcloss") as (a, b):
        for addr in LOSSY[1:]:  # .3 is there already
            sh("ip", "-n", b, "addr", "add", addr + "/24", "dev",
               "kclvb" + a[len("kcla"):])
        sh("ip", "netns", "exec", b, "nft", "add", "rule", "inet", "kcloss",
           "input", "ip", "daddr", "{ " + ", ".join(LOSSY) + " }", "icmp",
           "type", "echo-request", "numgen", "random", "mod", "10", "==", "0",
           "drop")
        log = tmp_path / "pinger.log"
        with open(log, "w") as out:
            # 20 probes per target per second (50 ms apart, 50 ms timeout);
            # loss-threshold 1 = only consecutive failures send a target down.
            agent = subprocess.Popen(
                ["ip", "netns", "exec", a, KC, "pinger", "--interval", "1",
                 "--count", "20", "--ping", ",".join([CLEAN] + LOSSY),
                 "--loss-threshold", "1", "--fail-threshold", "5",
                 "--enable-metrics", "--port", str(PORT)],
                stdout=out, stderr=subprocess.STDOUT,
                env={k: v for k, v in os.environ.items()
                     if k not in ("PING", "KUBERNETES_SERVICE_HOST")})
        try:
            # Wait until every target has a full 100-probe window (6 × 100
            # probes answered or lost; ≈ 5 s), bounded.
            deadline = time.monotonic() + 60
            text = ""
            while time.monotonic() < deadline:
                text = ns_get(a, "http://127.0.0.1:%d/metrics" % PORT)
                if probes_done(text) >= 6 * 110:
                    break
                time.sleep(0.5)
            assert probes_done(text) >= 6 * 110, text[-3000:]
            loss = gauges(text, "pinger_target_loss_ratio")
            up = gauges(text, "pinger_target_up")
            assert set(loss) == set([CLEAN] + LOSSY), loss
            mean = sum(loss[t] for t in LOSSY) / len(LOSSY)
            print("reported loss: mean %.3f, per target %s, clean %.3f"
                  % (mean, {t: loss[t] for t in LOSSY}, loss[CLEAN]))
            assert abs(mean - 0.10) <= 0.05, loss
            for t in LOSSY:  # 100 probes each: 5 sigma ≈ 15 points
                assert loss[t] <= 0.25, loss
            assert loss[CLEAN] <= 0.02, loss
            assert up[CLEAN] == 1, up
        finally:
            stop(agent)
        text = log.read_text()
        assert agent.returncode == 0, text
        assert "%s icmp" % CLEAN not in text, "the clean path flapped:\n" + text
