# kc-test-labels: e2e
"""Each Debugger spec field reaches the workload (issue 5; DESIGN §2,
ADR 0101): one Debugger per field or group against `kubecombo sim`, each
must become Ready and its live Pod or DaemonSet must carry what the field
says. Every wait is bounded.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from controllerlib import make_namespace  # noqa: E402
from test_controller_debugger import (  # noqa: E402
    _container, _create, _ds_path, _pod_path, debugger, pinger, wait_ready)
from test_controller_faults import crds, start_controller  # noqa: E402,F401

NODE = "kubecombo-worker-1"


def env(c, name):
    for e in c.get("env") or []:
        if e["name"] == name:
            return e.get("value", e.get("valueFrom"))
    return None


def pod_spec(w):
    return w["spec"]["template"]["spec"] if "template" in w["spec"] else w["spec"]


def pod_meta(w):
    return w["spec"]["template"]["metadata"] if "template" in w["spec"] else w["metadata"]


def _affinity():
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{
            "key": "kubernetes.io/hostname", "operator": "In", "values": [NODE]}]}]}}}


# name → (spec, check(workload) -> None)
CASES = {
    "image": ({"image": "kubecombo/debugger:v7"},
              lambda w: _assert(_container(w, "debug")["image"] == "kubecombo/debugger:v7")),
    "cpu-memory": ({"cpu": "250m", "memory": "80Mi"},
                   lambda w: _assert(_container(w, "debug")["resources"]["limits"]
                                     ["memory"] == "80Mi" and
                                     _container(w, "debug")["resources"]["limits"]
                                     ["cpu"] in ("250m", "0.25"))),
    "hostnetwork": ({"hostNetwork": True},
                    lambda w: _assert(pod_spec(w).get("hostNetwork") is True and
                                      env(_container(w, "debug"), "HOST_NETWORK") == "true")),
    "subnet": ({"subnet": "ovn-debug"},
               lambda w: _assert(pod_meta(w)["annotations"]
                                 ["ovn.kubernetes.io/logical_switch"] == "ovn-debug" and
                                 env(_container(w, "debug"), "SUBNET") == "ovn-debug")),
    "qosbandwidth": ({"qosBandwidth": "50"},
                     lambda w: _assert(all(pod_meta(w)["annotations"][
                         "ovn.kubernetes.io/%s_rate" % d] == "50"
                         for d in ("ingress", "egress")))),
    "enablesys": ({"enableSys": True},
                  lambda w: _assert(pod_spec(w).get("hostPID") is True and
                                    _container(w, "debug")["securityContext"]
                                    .get("privileged") is True and
                                    env(_container(w, "debug"), "HOST_CHECK_LIST") == "true")),
    "selector": ({"selector": ["kubernetes.io/hostname:%s" % NODE]},
                 lambda w: _assert(pod_spec(w)["nodeSelector"]
                                   ["kubernetes.io/hostname"] == NODE)),
    "tolerations": ({"tolerations": [{"key": "dedicated", "operator": "Equal",
                                      "value": "debug", "effect": "NoSchedule"}]},
                    lambda w: _assert(any(t.get("key") == "dedicated"
                                          for t in pod_spec(w)["tolerations"]))),
    "affinity": ({"affinity": _affinity()},
                 lambda w: _assert(pod_spec(w)["affinity"] == _affinity())),
    "debuggerconfig": ({"debuggerConfig": "agent-env"},
                       lambda w: _assert(env(_container(w, "debug"), "LOG_LEVEL")
                                         ["configMapKeyRef"]["name"] == "agent-env")),
    "pinger": ({"enablePinger": True, "pinger": "fields-p"},
               lambda w: _assert(_container(w, "ping") is not None and
                                 _container(w, "ping")["image"] == "kubecombo/pinger:v3" and
                                 env(_container(w, "debug"), "PINGER_NAME") == "fields-p")),
    "configmap": ({"workloadType": "pod", "enableConfigMap": True,
                   "configMap": "fields-scripts"},
                  lambda w: _assert(any((v.get("configMap") or {}).get("name") ==
                                        "fields-scripts" for v in pod_spec(w)["volumes"])
                                    and any(m["mountPath"] == "/scripts/custom-src" for m in
                                            _container(w, "debug")["volumeMounts"])
                                    and pod_spec(w)["restartPolicy"] == "Never")),
    "nodename": ({"workloadType": "pod", "nodeName": NODE},
                 lambda w: _assert(pod_spec(w)["nodeName"] == NODE)),
}


def _assert(ok):
    assert ok


@pytest.fixture(scope="module")
def setup(fault_sim, crds):  # noqa: F811
    ctl = start_controller(fault_sim, "fields")
    ns = make_namespace(fault_sim, "fields")
    _create(fault_sim, ns, "pingers", pinger("fields-p", image="kubecombo/pinger:v3"))
    _create(fault_sim, ns, "configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fields-scripts"},
        "data": {"a.sh": "echo a\n"}}, group="/api/v1")
    for case, (spec, _) in sorted(CASES.items()):
        _create(fault_sim, ns, "debuggers", debugger("f-" + case, **spec))
    yield fault_sim, ctl, ns
    assert ctl.stop() == 0, ctl.log()[-4000:]


@pytest.mark.parametrize("case", sorted(CASES))
def test_field_reaches_the_workload(setup, case):
    sim, ctl, ns = setup
    spec, check = CASES[case]
    name = "f-" + case
    wait_ready(sim, ctl, ns, name, timeout=45)
    path = _pod_path(ns, name) if spec.get("workloadType") == "pod" else _ds_path(ns, name)
    w = sim.get_json(path)
    try:
        check(w)
    except AssertionError:
        raise AssertionError("%s: %s" % (case, w["spec"]))
