# kc-test-labels: e2e integration root
"""ICMP probing across network namespaces joined by a veth pair, with an nft
rule blackholing one address (198.18.0.0/15 only). Namespaces, processes and
nft tables are removed even on failure."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from netnslib import sh, veth_pair

KC = os.environ.get("KUBECOMBO", "kubecombo")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("nft"),
    reason="needs root, ip and nft")

LIVE, DEAD = "198.18.7.2", "198.18.7.3"


@pytest.fixture
def net():
    with veth_pair("p", "198.18.7", "kctest", drop=(DEAD,)) as ab:
        yield ab


def test_job_live_and_blackholed(net):
    a, _ = net
    p = subprocess.run(["ip", "netns", "exec", a, KC, "pinger", "--mode", "job",
                        "--count", "2", "--ping", f"{LIVE},{DEAD}"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, p.stdout + p.stderr
    lines = {l.split()[2]: l for l in p.stdout.splitlines()
             if l.startswith(("ok", "FAILED"))}
    assert lines[LIVE].startswith("ok") and "2/2 answered" in lines[LIVE]
    assert lines[DEAD].startswith("FAILED") and "timeout" in lines[DEAD]


def wait_for(path, text, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(path) as f:
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


def test_server_logs_down_and_up_transitions_only(net, tmp_path):
    a, b = net
    log = tmp_path / "pinger.log"
    with open(log, "w") as out:
        server = subprocess.Popen(["ip", "netns", "exec", a, KC, "pinger",
                                   "--interval", "0.2", "--ping",
                                   f"{LIVE},{DEAD}"],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        # 3 failures at 0.2 s: down well within 3 intervals + timeout.
        assert wait_for(log, f"{DEAD} icmp unknown → down", 5), log.read_text()
        sh("ip", "netns", "exec", b, "nft", "flush", "chain", "inet", "kctest",
           "input")
        assert wait_for(log, f"{DEAD} icmp down → up", 5), log.read_text()
        time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    text = log.read_text()
    assert server.returncode == 0, text
    assert LIVE + " icmp" not in text, "the live path flapped:\n" + text
    # No per-probe lines: start line + two transitions (+ nothing else).
    assert len(text.strip().splitlines()) <= 4, text
