"""Shared pieces of the `kubecombo pinger` e2e tests: free/closed loopback
ports, a listening TCP socket fixture and stopping a pinger process."""
import signal
import socket
import subprocess
import time
import urllib.request

import pytest


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    """A port on `host` nothing listens on (bound once, then released)."""
    s = socket.socket(socket.AF_INET, kind)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def tcp_listener():
    """The port of a listening loopback TCP socket (closed after the test)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    yield s.getsockname()[1]
    s.close()


def stop(proc):
    """SIGTERM `proc`, wait up to 15 s, then SIGKILL (bounded). None is fine."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def scrape_until(port, done, timeout):
    """Fetches http://127.0.0.1:`port`/metrics every 0.2 s until done(text)
    or `timeout` seconds pass; returns the last text fetched ("" if none)."""
    text = ""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            text = urllib.request.urlopen(
                f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            if done(text):
                break
        except OSError:
            pass
        time.sleep(0.2)
    return text
