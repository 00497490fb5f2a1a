"""Helpers for the `kubecombo controller` e2e tests: start a controller
process against a sim, scrape its listeners, stop it. Every wait is bounded."""
import os
import re
import signal
import subprocess

import requests

import simlib


class Controller:
    """One `kubecombo controller` process with its own ports and log file."""

    def __init__(self, sim, name, extra=()):
        self.sim = sim
        self.name = name
        self.metrics_port = simlib.free_port()
        self.health_port = simlib.free_port()
        self.log_path = os.path.join(sim.workdir, "controller-%s.log" % name)
        self.args = [sim.binary, "controller", "--kubeconfig", sim.kubeconfig_path,
                     "--metrics-bind-address", "127.0.0.1:%d" % self.metrics_port,
                     "--health-probe-bind-address",
                     "127.0.0.1:%d" % self.health_port] + list(extra)
        self.proc = None

    def start(self):
        log = open(self.log_path, "wb")
        env = dict(os.environ)
        env.pop("KUBERNETES_SERVICE_HOST", None)
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        log.close()
        simlib.wait_until(lambda: self.get("/healthz", "health") is not None
                          or self.proc.poll() is not None,
                          timeout=20, what="controller %s health listener" % self.name)
        assert self.proc.poll() is None, "controller %s exited %s:\n%s" % (
            self.name, self.proc.returncode, self.log())
        return self

    def get(self, path, which="metrics", timeout=0.5):
        port = self.metrics_port if which == "metrics" else self.health_port
        try:
            r = requests.get("http://127.0.0.1:%d%s" % (port, path), timeout=timeout)
            return r
        except requests.RequestException:
            return None

    def leader_value(self, timeout=0.5):
        """kubecombo_leader from /metrics; None if the scrape failed."""
        r = self.get("/metrics", timeout=timeout)
        if r is None or r.status_code != 200:
            return None
        m = re.search(r"^kubecombo_leader (\S+)$", r.text, re.M)
        return float(m.group(1)) if m else None

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=15):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            if self.wait(timeout) is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def identity(self):
        m = re.search(r"identity=(\S+)", self.log())
        return m.group(1) if m else None


def make_namespace(sim, prefix="lease"):
    ns = simlib.unique(prefix)
    r = sim.request("POST", "/api/v1/namespaces",
                    json={"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": ns}})
    assert r.status_code == 201, r.text
    return ns


def get_lease(sim, ns):
    r = sim.request("GET", "/apis/coordination.k8s.io/v1/namespaces/%s/leases/"
                    "kubecombo-controller" % ns)
    return r.json() if r.status_code == 200 else None
