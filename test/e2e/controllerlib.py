"""Helpers for the `kubecombo controller` e2e tests: start a controller
process against a sim, scrape its listeners, stop it. Every wait is bounded."""
import json
import os
import re
import signal
import subprocess

import requests

import simlib

GROUP = "/apis/vpn-gw.kubecombo.com/v1"
SOURCE = os.environ.get("KC_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))


class NoAnswer:  # a failed scrape
    status_code = 0


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

    def wait_readyz(self, timeout=20, what="/readyz OK (informers synced)"):
        """Waits (bounded) until /readyz answers 200: the informers synced."""
        simlib.wait_until(lambda: (self.get("/readyz", "health") or
                                   NoAnswer).status_code == 200,
                          timeout=timeout, what=what)
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


def apply_crds(sim):
    rc, out, err = sim.kubectl("apply", "-f", os.path.join(SOURCE, "deploy", "crd"))
    assert rc == 0, out + err


def crd_controller(sim, name):
    """Generator body of a module fixture: CRDs applied, a ready controller
    yielded, stopped cleanly afterwards (`yield from crd_controller(...)`)."""
    apply_crds(sim)
    c = Controller(sim, name).start().wait_readyz()
    yield c
    assert c.stop() == 0, c.log()[-4000:]


def path(ns, plural, name="", group=GROUP):
    p = "%s/namespaces/%s/%s" % (group, ns, plural)
    return p + ("/" + name if name else "")


def get(sim, p):
    r = sim.request("GET", p)
    return r.json() if r.status_code == 200 else None


def create(sim, ns, plural, body, group=GROUP):
    r = sim.request("POST", path(ns, plural, group=group), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def merge(sim, p, patch):
    r = sim.request("PATCH", p, data=json.dumps(patch),
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.text
    return r.json()


def cond(obj, ctype):
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return {}


def wait_degraded(sim, ns, name, reason, plural="debuggers", timeout=20):
    """The object once its Degraded condition is True with `reason`."""
    def degraded():
        d = get(sim, path(ns, plural, name))
        c = cond(d, "Degraded")
        return d if c.get("status") == "True" and c.get("reason") == reason else None
    return simlib.wait_until(degraded, timeout=timeout, what="Degraded " + reason)
