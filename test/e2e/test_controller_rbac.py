# kc-test-labels: e2e
"""The controller under least privilege (issue 5 acceptance; ADRs 0102,
0104): `kubecombo controller` authenticated with a token of the
ServiceAccount kubecombo-system/kubecombo-controller, authorised ONLY by the
rules in deploy/rbac/, does everything: wins and renews its Lease, lists and
watches its informers, reconciles Debuggers (DaemonSet with a Pinger, Pod
with user scripts) to Ready, writes status and Events, creates the agents'
ServiceAccount/Role/RoleBinding/ClusterRoleBinding and deletes them with the
namespace's last Debugger — and its log shows no forbidden request.
Every wait is bounded.
"""
import json
import os
import sys

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import Controller, get_lease, make_namespace  # noqa: E402
from test_controller_debugger import (  # noqa: E402
    SOURCE, _create, _get, _path, _wait_events, debugger, pinger,
    requests_stub, wait_ready)

SYSTEM_NS = "kubecombo-system"
AGENT = "kubecombo-agent"


def ok(res):
    rc, out, err = res
    assert rc == 0, out + err
    return out


def token_kubeconfig(sim, ns, sa):
    """A kubeconfig for `sim` that authenticates as ServiceAccount ns/sa."""
    token = ok(sim.kubectl("create", "token", sa, "-n", ns)).strip()
    doc = json.loads(json.dumps(sim.kc.doc))
    for c in doc["contexts"]:
        c["context"]["user"] = "sa"
    doc["users"] = [{"name": "sa", "user": {"token": token}}]
    return sim.write_file(simlib.unique("ctl") + ".kubeconfig", yaml.safe_dump(doc))


@pytest.fixture(scope="module")
def ctl(sim):
    for f in ("namespace.yaml", "crd", "rbac"):
        ok(sim.kubectl("apply", "-f", os.path.join(SOURCE, "deploy", f)))
    kc = token_kubeconfig(sim, SYSTEM_NS, "kubecombo-controller")
    # The token really is limited to deploy/rbac's rules.
    assert ok(sim.kubectl("auth", "can-i", "list", "debuggers.vpn-gw.kubecombo.com",
                          "-A", kubeconfig=kc)).strip() == "yes"
    rc, out, _ = sim.kubectl("auth", "can-i", "list", "secrets", "-A", kubeconfig=kc)
    assert out.strip() == "no", out
    c = Controller(sim, "rbac", extra=["--leader-elect", "--leader-election-namespace",
                                       SYSTEM_NS])
    i = c.args.index("--kubeconfig")
    c.args[i + 1] = kc
    c.start()
    simlib.wait_until(lambda: (c.get("/readyz", "health") or
                               requests_stub).status_code == 200 and
                      c.leader_value() == 1.0, timeout=30,
                      what="ready and leader under deploy/rbac")
    yield c
    assert c.stop() == 0, c.log()[-4000:]


def _forbidden(log):
    return [l for l in log.splitlines() if "forbidden" in l.lower()
            or " 403" in l]


def test_reconciles_to_ready_with_only_deploy_rbac(sim, ctl):
    ns = make_namespace(sim, "rbac")
    _create(sim, ns, "pingers", pinger("mesh"))
    _create(sim, ns, "configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "scripts"},
                                    "data": {"a.sh": "echo a\n"}}, group="/api/v1")
    _create(sim, ns, "debuggers", debugger("ds", enablePinger=True, pinger="mesh"))
    _create(sim, ns, "debuggers", debugger("job", workloadType="pod",
                                           enableConfigMap=True, configMap="scripts"))
    for name in ("ds", "job"):
        d = wait_ready(sim, ctl, ns, name, timeout=45)
        assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
        assert d["status"]["ready"] == d["status"]["desired"] >= 1, d["status"]
        _wait_events(sim, ns, name, "Created")
        _wait_events(sim, ns, name, "Ready")
    # The Lease in the controller's namespace, held by this controller.
    lease = get_lease(sim, SYSTEM_NS)
    assert lease and lease["spec"]["holderIdentity"] == ctl.identity(), lease
    # The agents' RBAC made by the controller (it may grant only what it holds).
    for plural, group in (("serviceaccounts", "/api/v1"),
                          ("roles", "/apis/rbac.authorization.k8s.io/v1"),
                          ("rolebindings", "/apis/rbac.authorization.k8s.io/v1")):
        assert _get(sim, _path(ns, plural, AGENT, group)), plural
    crb = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/%s-nodes-%s" % (
        AGENT, ns)
    assert _get(sim, crb), crb
    # The namespace's last Debugger takes the agent RBAC with it (ADR 0104).
    for name in ("ds", "job"):
        r = sim.request("DELETE", _path(ns, "debuggers", name))
        assert r.status_code == 200, r.text
    simlib.wait_until(lambda: _get(sim, _path(ns, "serviceaccounts", AGENT,
                                              "/api/v1")) is None
                      and _get(sim, crb) is None, timeout=30,
                      what="the agent RBAC deleted")
    for plural in ("roles", "rolebindings"):
        assert _get(sim, _path(ns, plural, AGENT,
                               "/apis/rbac.authorization.k8s.io/v1")) is None
    assert not _forbidden(ctl.log()), "\n".join(_forbidden(ctl.log()))
