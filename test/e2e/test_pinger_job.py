# kc-test-labels: e2e integration root
"""`kubecombo pinger` job and server mode against real listeners, dnsmasq and
network namespaces (198.18.0.0/15 only). Everything started here is cleaned up
even on failure."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from pingerlib import free_port, scrape_until, tcp_listener  # noqa: F401 (fixture)

KC = os.environ.get("KUBECOMBO", "kubecombo")
IS_ROOT = os.geteuid() == 0


def run(*args, timeout=30, env=None, prefix=()):
    p = subprocess.run([*prefix, KC, "pinger", *args], capture_output=True,
                       text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def line_for(out, target):
    for line in out.splitlines():
        if re.match(r"^(ok|FAILED)\s+\w+\s+" + re.escape(target) + r"\s", line):
            return line
    raise AssertionError(f"no line for {target} in:\n{out}")


def test_help_and_bad_flags():
    rc, out, err = run("--help")
    assert rc == 0 and "--tcpping" in out + err
    rc, out, err = run("--mode", "banana")
    assert rc == 2 and "--mode" in err and len(err.strip().splitlines()) == 1
    rc, out, err = run("--no-such-flag")
    assert rc == 2


def test_tcp_listener_ok_closed_port_refused_and_exit_code(tcp_listener):
    closed = free_port()
    rc, out, err = run("--mode", "job", "--tcpping", f"127.0.0.1:{tcp_listener}")
    assert rc == 0, out + err
    assert line_for(out, f"127.0.0.1:{tcp_listener}").startswith("ok")
    rc, out, err = run("--mode", "job", "--exit-code", "7", "--tcpping",
                       f"127.0.0.1:{tcp_listener},127.0.0.1:{closed}")
    assert rc == 7, out + err
    assert line_for(out, f"127.0.0.1:{tcp_listener}").startswith("ok")
    bad = line_for(out, f"127.0.0.1:{closed}")
    assert bad.startswith("FAILED") and "refused" in bad
    assert "1 of 2 targets answered" in out


def test_env_lists_and_flags_override(tcp_listener):
    env = dict(os.environ, TCP_PING=f"127.0.0.1:{free_port()}")
    rc, out, _ = run("--mode", "job", env=env)
    assert rc == 1
    rc, out, _ = run("--mode", "job", "--tcpping", f"127.0.0.1:{tcp_listener}",
                     env=env)
    assert rc == 0, out


def test_malformed_entries_named_good_ones_still_probed(tcp_listener):
    rc, out, err = run("--mode", "job", "--tcpping",
                       f"127.0.0.1:{tcp_listener}, bad ,127.0.0.1:99999,",
                       "--ping", "no such host!")
    assert rc == 1
    lines = err.strip().splitlines()
    assert any('"bad"' in l and "--tcpping" in l for l in lines), err
    assert any("127.0.0.1:99999" in l and "1..65535" in l for l in lines), err
    assert any("no such host!" in l and "--ping" in l for l in lines), err
    assert line_for(out, f"127.0.0.1:{tcp_listener}").startswith("ok")
    assert "1 of 4 targets answered" in out


def test_unknown_hostname_fails_the_job(tcp_listener):
    rc, out, err = run("--mode", "job", "--tcpping",
                       f"kc-no-such-host.invalid:80,127.0.0.1:{tcp_listener}")
    assert rc == 1
    assert "cannot resolve" in err
    assert "1 of 2 targets answered" in out


def test_target_file(tmp_path, tcp_listener):
    f = tmp_path / "targets"
    f.write_text(f"# comment\n127.0.0.1:{tcp_listener}\n\n")
    rc, out, err = run("--mode", "job", "--tcpping", f"@{f}")
    assert rc == 0, out + err


def test_udp_echo_responder_and_closed_port():
    port = free_port(socket.SOCK_DGRAM)
    server = subprocess.Popen([KC, "pinger", "--mode", "server",
                               "--udp-echo-port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        closed = free_port(socket.SOCK_DGRAM)
        deadline = time.time() + 10
        while True:
            rc, out, err = run("--mode", "job", "--udpping",
                               f"127.0.0.1:{port}")
            if rc == 0 or time.time() > deadline:
                break
            time.sleep(0.2)
        assert rc == 0, out + err
        rc, out, err = run("--mode", "job", "--udpping",
                           f"127.0.0.1:{port},127.0.0.1:{closed}")
        assert rc == 1
        assert line_for(out, f"127.0.0.1:{port}").startswith("ok")
        assert "refused" in line_for(out, f"127.0.0.1:{closed}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert server.returncode == 0


@pytest.fixture
def dnsmasq():
    if not shutil.which("dnsmasq"):
        pytest.skip("dnsmasq not installed")
    if not IS_ROOT:
        pytest.skip("needs root (dnsmasq on 127.0.0.x)")
    port = free_port(socket.SOCK_DGRAM)
    addr = "127.0.0.77"
    p = subprocess.Popen(["dnsmasq", "--keep-in-foreground", "--no-resolv",
                          "--no-hosts", "--bind-interfaces",
                          f"--listen-address={addr}", f"--port={port}",
                          "--address=/good.kc.test/198.18.0.5",
                          "--address=/kc.test/", "--user=root",
                          "--pid-file="],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    if p.poll() is not None:
        pytest.fail("dnsmasq did not start: " + p.stderr.read().decode())
    yield p, f"{addr}:{port}"
    if p.poll() is None:
        p.terminate()
        p.wait(timeout=10)


def test_dns_good_nxdomain_stopped_and_silent_server(dnsmasq):
    proc, server = dnsmasq
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.78", 0))
    silent_server = "127.0.0.78:%d" % silent.getsockname()[1]
    try:
        rc, out, err = run("--mode", "job", "--timeout", "500ms", "--dnslookup",
                           f"good.kc.test@{server},nope.kc.test@{server},"
                           f"good.kc.test@{silent_server}")
        assert rc == 1
        assert line_for(out, f"good.kc.test@{server}").startswith("ok")
        assert "nxdomain" in line_for(out, f"nope.kc.test@{server}")
        assert "timeout" in line_for(out, f"good.kc.test@{silent_server}")
        proc.terminate()
        proc.wait(timeout=10)
        rc, out, err = run("--mode", "job", "--timeout", "500ms", "--dnslookup",
                           f"good.kc.test@{server}")
        assert rc == 1
        stopped = line_for(out, f"good.kc.test@{server}")
        assert "refused" in stopped or "timeout" in stopped, stopped
    finally:
        silent.close()


@pytest.mark.skipif(not IS_ROOT, reason="needs root (raw ICMP socket)")
def test_icmp_loopback_job():
    rc, out, err = run("--mode", "job", "--count", "3", "--ping",
                       "127.0.0.1,127.0.0.2,::1")
    assert rc == 0, out + err
    line = line_for(out, "127.0.0.1")
    assert "3/3 answered" in line and "ttl 64" in line


@pytest.mark.skipif(not IS_ROOT or not shutil.which("setpriv"),
                    reason="needs root and setpriv")
def test_without_net_raw_icmp_is_disabled_once_others_continue(tcp_listener):
    drop = ("setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw")
    with open("/proc/sys/net/ipv4/ping_group_range") as f:
        if f.read().split() != ["1", "0"]:
            pytest.skip("unprivileged ICMP is allowed here; cannot test the "
                        "disabled path")
    rc, out, err = run("--mode", "job", "--ping", "127.0.0.1,127.0.0.2",
                       "--tcpping", f"127.0.0.1:{tcp_listener}", prefix=drop)
    assert rc == 1
    assert len([l for l in err.splitlines() if "ICMP disabled" in l]) == 1, err
    assert "ping_group_range" in err
    assert line_for(out, f"127.0.0.1:{tcp_listener}").startswith("ok")
    assert "disabled" in line_for(out, "127.0.0.2")


def test_server_metrics_are_promtool_clean_and_bounded(tcp_listener):
    import urllib.request
    port = free_port()
    server = subprocess.Popen([KC, "pinger", "--interval", "0.3",
                               "--enable-metrics", "--port", str(port),
                               "--tcpping", f"127.0.0.1:{tcp_listener},"
                               f"127.0.0.1:{free_port()}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        text = scrape_until(
            port, lambda t: 'pinger_target_up{protocol="tcp"' in t and
            'result="refused"' in t, 10)
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                        timeout=2)
        assert health.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=10)
    assert server.returncode == 0, out
    assert 'pinger_probes_total{protocol="tcp",result="ok"}' in text, text
    assert 'pinger_probes_total{protocol="tcp",result="refused"}' in text
    assert f'pinger_target_up{{protocol="tcp",target="127.0.0.1:{tcp_listener}"}} 1' in text
    assert "pinger_rtt_seconds_bucket" in text
    series = [l for l in text.splitlines() if l.startswith("pinger_")]
    assert len(series) <= 300
    # Logs: the start line and one transition (the closed port), no per-probe lines.
    assert len(out.strip().splitlines()) <= 3, out
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool not installed (metrics fetched and checked above)")
    check = subprocess.run([promtool, "check", "metrics"], input=text,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.skipif(not IS_ROOT, reason="needs root (raw ICMP socket)")
def test_legacy_metrics_upstream_names_with_bugs_fixed():
    """--legacy-metrics adds upstream's series (reference §6.8): P4 — a failing
    DNS lookup is unhealthy (not overwritten by healthy) and adds no latency;
    P5 — src_pod_ip is POD_IP, not the pod name."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    port = free_port()
    env = dict(os.environ, NODE_NAME="node-a", HOST_IP="127.0.0.9",
               POD_IP="127.0.0.8", POD_NAME="agent-pod")
    for k in ("PING", "TCP_PING", "UDP_PING", "DNS", "KUBERNETES_SERVICE_HOST"):
        env.pop(k, None)
    server = subprocess.Popen(
        [KC, "pinger", "--interval", "0.3", "--enable-metrics", "--port",
         str(port), "--legacy-metrics", "--ping", "127.0.0.1",
         "--dnslookup", "x.kc.test@127.0.0.1:%d" % silent.getsockname()[1]],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        text = scrape_until(
            port, lambda t: 'pinger_dns_unhealthy{nodeName="node-a"} 1' in t and
            "pinger_external_ping_latency_ms_count" in t, 15)
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=10)
        silent.close()
    assert server.returncode == 0, out
    assert 'pinger_dns_unhealthy{nodeName="node-a"} 1' in text, text
    assert 'pinger_dns_healthy{nodeName="node-a"} 0' in text, text
    assert re.search(r'^pinger_dns_latency_ms_count\{nodeName="node-a"\} 0$',
                     text, re.M) or "pinger_dns_latency_ms_count" not in text
    ext = [l for l in text.splitlines()
           if l.startswith("pinger_external_ping_latency_ms_count{")]
    assert ext, text
    assert 'src_pod_ip="127.0.0.8"' in ext[0] and 'target_address="127.0.0.1"' in ext[0]
    assert 'src_node_name="node-a"' in ext[0] and "agent-pod" not in text
    assert "pinger_probes_total" in text  # the pinger_ series stay


@pytest.mark.skipif(not IS_ROOT or not shutil.which("setpriv"),
                    reason="needs root and setpriv")
def test_server_bad_input_and_no_net_raw(tcp_listener):
    """Server mode: each malformed entry and the out-of-range port named in
    one line, ICMP disabled once without CAP_NET_RAW, the good TCP target
    probed and up, and the agent keeps running."""
    with open("/proc/sys/net/ipv4/ping_group_range") as f:
        if f.read().split() != ["1", "0"]:
            pytest.skip("unprivileged ICMP is allowed here; cannot test the "
                        "disabled path")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PING", "TCP_PING", "UDP_PING", "DNS",
                        "KUBERNETES_SERVICE_HOST")}
    server = subprocess.Popen(
        ["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw", KC,
         "pinger", "--interval", "0.3", "--enable-metrics", "--port", str(port),
         "--ping", "127.0.0.1,no such host!",
         "--tcpping", f"127.0.0.1:{tcp_listener}, bad ,127.0.0.1:70000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        want = f'pinger_target_up{{protocol="tcp",target="127.0.0.1:{tcp_listener}"}} 1'
        text = scrape_until(port, lambda t: want in t, 15)
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=10)
    assert server.returncode == 0, out
    assert want in text, out
    lines = out.splitlines()
    assert len([l for l in lines if '"bad"' in l and "--tcpping" in l]) == 1, out
    assert len([l for l in lines if "127.0.0.1:70000" in l and "1..65535" in l]) == 1, out
    assert len([l for l in lines if "no such host!" in l and "--ping" in l]) == 1, out
    assert len([l for l in lines if "ICMP disabled" in l]) == 1, out
