# kc-test-labels: e2e integration root
"""Acceptance of `kubecombo pinger` server mode against real services on
loopback: TCP and UDP listeners the test starts and closed ports, a real
dnsmasq (a good name, NXDOMAIN, and a second dnsmasq that is stopped while
the agent runs — reported as `refused`/`timeout`, distinct from `nxdomain`),
and a real Prometheus that scrapes the agent (`up == 1`, pinger series
queryable) with `promtool check metrics` clean. Everything is cleaned up.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import pytest

import simlib
from pingerlib import free_port, stop

KC = os.environ.get("KUBECOMBO", "kubecombo")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("dnsmasq"),
    reason="SKIP: needs root and dnsmasq (dnsmasq on 127.0.0.x)")


def http(url):
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.read().decode()
    except OSError:
        return ""


def wait(pred, timeout, what):
    return simlib.wait_until(pred, timeout=timeout, interval=0.2, what=what)


def up(text, proto, target):
    m = re.search(r'^pinger_target_up\{protocol="%s",target="%s"\} (\S+)$'
                  % (proto, re.escape(target)), text, re.M)
    return float(m.group(1)) if m else None


def count(text, proto, result):
    m = re.search(r'^pinger_probes_total\{protocol="%s",result="%s"\} (\S+)$'
                  % (proto, result), text, re.M)
    return float(m.group(1)) if m else 0.0


def dnsmasq(addr, port):
    p = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--no-resolv",
                          "--no-hosts", "--bind-interfaces",
                          "--listen-address=" + addr, "--port=%d" % port,
                          "--address=/good.kc.test/198.18.0.5",
                          "--address=/kc.test/", "--user=root", "--pid-file="],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.3)
    assert p.poll() is None, p.stderr.read().decode()
    return p


class UdpEcho:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                data, peer = self.sock.recvfrom(2048)
                self.sock.sendto(data, peer)
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


def test_tcp_udp_dns_and_a_real_prometheus(tmp_path):
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(64)
    echo = UdpEcho()
    dns_a = "127.0.0.77:%d" % free_port(socket.SOCK_DGRAM, "127.0.0.77")
    dns_b = "127.0.0.79:%d" % free_port(socket.SOCK_DGRAM, "127.0.0.79")
    procs = {}
    work = tempfile.mkdtemp(prefix="kc-prom-", dir=str(tmp_path))
    try:
        procs["dns_a"] = dnsmasq(*dns_a.split(":")[:1], int(dns_a.split(":")[1]))
        procs["dns_b"] = dnsmasq(*dns_b.split(":")[:1], int(dns_b.split(":")[1]))
        tcp_live = "127.0.0.1:%d" % tcp.getsockname()[1]
        tcp_closed = "127.0.0.1:%d" % free_port()
        udp_live = "127.0.0.1:%d" % echo.port
        udp_closed = "127.0.0.1:%d" % free_port(socket.SOCK_DGRAM)
        good, nope = "good.kc.test@" + dns_a, "nope.kc.test@" + dns_a
        stopped = "good.kc.test@" + dns_b
        port = free_port()
        log = tmp_path / "pinger.log"
        env = {k: v for k, v in os.environ.items()
               if k not in ("PING", "TCP_PING", "UDP_PING", "DNS",
                            "KUBERNETES_SERVICE_HOST")}
        with open(log, "w") as out:
            procs["agent"] = subprocess.Popen(
                [KC, "pinger", "--interval", "0.5", "--timeout", "300ms",
                 "--tcpping", tcp_live + "," + tcp_closed,
                 "--udpping", udp_live + "," + udp_closed,
                 "--dnslookup", ",".join([good, nope, stopped]),
                 "--enable-metrics", "--port", str(port)],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        url = "http://127.0.0.1:%d/metrics" % port

        def settled():
            t = http(url)
            want = [(("tcp", tcp_live), 1), (("tcp", tcp_closed), 0),
                    (("udp", udp_live), 1), (("udp", udp_closed), 0),
                    (("dns", good), 1), (("dns", nope), 0), (("dns", stopped), 1)]
            return t if all(up(t, *k) == v for k, v in want) else None
        text = wait(settled, 30, "every target in its expected state")
        assert count(text, "tcp", "refused") > 0
        assert count(text, "udp", "refused") > 0
        assert count(text, "dns", "nxdomain") > 0
        # The stopped server: down, and told apart from NXDOMAIN.
        procs["dns_b"].terminate()
        procs["dns_b"].wait(timeout=10)
        wait(lambda: up(http(url), "dns", stopped) == 0, 20, "stopped server down")
        lines = log.read_text().splitlines()
        down = [l for l in lines if stopped + " dns up → down" in l]
        assert len(down) == 1, "\n".join(lines)
        assert "last refused" in down[0] or "last timeout" in down[0], down[0]
        nx = [l for l in lines if nope + " dns" in l]
        assert nx and all("last nxdomain" in l for l in nx), nx
        # Clean paths never flap.
        for t in (tcp_live, udp_live, good):
            assert not [l for l in lines if t + " " in l and "→" in l], \
                "\n".join(lines)
        # promtool accepts the exposition.
        text = http(url)
        check = subprocess.run(["promtool", "check", "metrics"], input=text,
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        # A real Prometheus scrapes it.
        if not shutil.which("prometheus"):
            pytest.skip("prometheus not installed (promtool check passed)")
        prom_port = free_port()
        cfg = os.path.join(work, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n- job_name: pinger\n  static_configs:\n"
                    "  - targets: ['127.0.0.1:%d']\n" % port)
        procs["prometheus"] = subprocess.Popen(
            ["prometheus", "--config.file=" + cfg,
             "--storage.tsdb.path=" + os.path.join(work, "data"),
             "--web.listen-address=127.0.0.1:%d" % prom_port],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "p.log"), "w"))

        def query(q):
            body = http("http://127.0.0.1:%d/api/v1/query?query=%s"
                        % (prom_port, urllib.parse.quote(q)))
            try:
                return json.loads(body)["data"]["result"]
            except (ValueError, KeyError):
                return []
        wait(lambda: [r for r in query('up{job="pinger"}')
                      if r["value"][1] == "1"], 60, "Prometheus scraped the agent")
        series = wait(lambda: query('pinger_target_up{protocol="tcp"}'), 30,
                      "pinger_target_up in Prometheus")
        got = {r["metric"]["target"]: r["value"][1] for r in series}
        assert got == {tcp_live: "1", tcp_closed: "0"}, got
    finally:
        for name in ("prometheus", "agent", "dns_a", "dns_b"):
            stop(procs.get(name))
        echo.close()
        tcp.close()
        shutil.rmtree(work, ignore_errors=True)
    assert procs["agent"].returncode == 0, log.read_text()
