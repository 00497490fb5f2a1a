"""Shared pieces of the process-kubelet e2e tests (ADRs 0071-0075): a module
sim in process mode that proves on stop that nothing is left behind, and the
small kubectl helpers both test files use."""
import json
import os
import subprocess

import pytest

import simlib
from simlib import unique

from conftest import _binary, _require_kubectl, _require_python_client


def ok(res):
    rc, out, err = res
    assert rc == 0, "kubectl failed (%d): %s %s" % (rc, out, err)
    return out


def kubelet_dirs():
    return {d for d in os.listdir("/tmp") if d.startswith("kubecombo-kubelet-")}


def leftovers(pid):
    """Namespaces, links and mounts of the sim with `pid` (ADR 0072)."""
    prefix = "kc%d" % pid
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True,
                           text=True).stdout
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True,
                           text=True).stdout
    with open("/proc/mounts") as f:
        mounts = [l for l in f if "kubecombo-kubelet-" in l]
    return ([l for l in netns.splitlines() if l.startswith(prefix + "-")],
            [l for l in links.splitlines() if (": " + prefix) in l],
            mounts)


def netns_on(sim):
    return "node network namespaces off" not in sim.log()


def process_sim(nodes=3):
    """Generator for a module fixture: `kubecombo sim --kubelet process`;
    after SIGINT no state dir, namespace, veth, mount or gateway address of
    it remains (asserted)."""
    if os.geteuid() != 0:
        pytest.skip("SKIP: the process kubelet's sandbox needs root")
    _require_python_client()
    _require_kubectl()
    before = kubelet_dirs()
    s = simlib.start_sim(_binary(), nodes=nodes, extra=("--kubelet", "process"))
    yield s
    pid = s.proc.pid
    netns = netns_on(s)
    assert s.stop() == 0, s.log()
    s.cleanup()
    assert kubelet_dirs() - before == set(), "state directory left behind"
    assert leftovers(pid) == ([], [], []), leftovers(pid)
    if netns:
        assert subprocess.run(["ip", "-o", "addr", "show", "to", "198.18.0.1/32"],
                              capture_output=True, text=True).stdout == ""


def apply(sim, text, kubeconfig=None):
    path = sim.write_file(unique("m") + ".yaml", text)
    return ok(sim.kubectl("apply", "-f", path, kubeconfig=kubeconfig))


def pod_json(sim, ns, name):
    return json.loads(ok(sim.kubectl("get", "pod", name, "-n", ns, "-o", "json")))


def new_namespace(sim, prefix):
    name = unique(prefix)
    ok(sim.kubectl("create", "namespace", name))
    return name
