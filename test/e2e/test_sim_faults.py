# kc-test-labels: e2e
"""The fault API of `kubecombo sim --fault-api` (ADR 0012) seen by real
clients: kubectl and the Python client retry 429 with Retry-After, 503 and
403 reach the user with their messages, resets break one connection, watch
delivery can be delayed, write counters move only on writes."""
import json
import threading
import time

import pytest
import requests

import simlib
from simlib import unique


@pytest.fixture(autouse=True)
def clean(fault_sim):
    simlib.fault_clear(fault_sim)
    yield
    simlib.fault_clear(fault_sim)
    assert fault_sim.alive(), "kubecombo sim died:\n" + fault_sim.log()


def kubectl(sim, *args, timeout=60):
    if not simlib.os.access(simlib.KUBECTL, simlib.os.X_OK):
        pytest.skip("SKIP: %s not installed" % simlib.KUBECTL)
    return sim.kubectl(*args, timeout=timeout)


def served(sim, what):
    return simlib.fault_state(sim)["served"].get(what, 0)


def make_cm(sim, name, ns="default"):
    r = sim.request("POST", "/api/v1/namespaces/%s/configmaps" % ns,
                    json={"metadata": {"name": name}, "data": {"a": "1"}})
    assert r.status_code == 201, r.text


def test_kubectl_retries_429_with_retry_after(fault_sim):
    name = unique("cm")
    make_cm(fault_sim, name)
    simlib.fault_errors(fault_sim, 429, count=2, verb="get", resource="configmaps",
                        retry_after=1)
    rc, out, err = kubectl(fault_sim, "get", "configmap", name, "-n", "default",
                           "-o", "name", "-v=4")
    assert rc == 0, err
    assert out.strip() == "configmap/" + name
    assert "Retry-After" in err, err[-2000:]
    assert served(fault_sim, "429") == 2


def test_python_client_retries_429(fault_sim):
    from kubernetes import client
    name = unique("cm")
    make_cm(fault_sim, name)
    simlib.fault_errors(fault_sim, 429, count=2, verb="list", resource="configmaps",
                        retry_after=1)
    # A raw request sees the plain-text answer with its header.
    r = fault_sim.request("GET", "/api/v1/namespaces/default/configmaps")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text == "Too many requests, please try again later.\n"
    with fault_sim.api_client() as api:
        t0 = time.monotonic()
        items = client.CoreV1Api(api).list_namespaced_config_map("default").items
        assert name in [i.metadata.name for i in items]
        assert time.monotonic() - t0 >= 0.9  # it honoured Retry-After
    assert served(fault_sim, "429") == 2


def test_503_reaches_kubectl_and_is_retried_with_retry_after(fault_sim):
    name = unique("cm")
    make_cm(fault_sim, name)
    simlib.fault_errors(fault_sim, 503, count=1, verb="get", resource="configmaps")
    rc, out, err = kubectl(fault_sim, "get", "configmap", name, "-n", "default")
    assert rc != 0
    assert "ServiceUnavailable" in err or "unable to handle the request" in err, err
    simlib.fault_errors(fault_sim, 503, count=1, verb="get", resource="configmaps",
                        retry_after=1)
    rc, out, err = kubectl(fault_sim, "get", "configmap", name, "-n", "default",
                           "-o", "name")
    assert rc == 0, err
    assert served(fault_sim, "503") == 2


def test_deny_is_the_rbac_forbidden_message(fault_sim):
    simlib.fault_deny(fault_sim, "create", "configmaps")
    name = unique("cm")
    rc, out, err = kubectl(fault_sim, "create", "configmap", name, "-n", "default")
    assert rc != 0
    assert ('configmaps is forbidden: User "kubecombo-admin" cannot create resource '
            '"configmaps" in API group "" in the namespace "default"') in err, err
    r = fault_sim.request("POST", "/api/v1/namespaces/default/configmaps",
                          json={"metadata": {"name": name}})
    simlib.assert_status(r, 403, "Forbidden",
                         details={"kind": "configmaps", "group": ""})
    simlib.fault_clear(fault_sim)
    rc, out, err = kubectl(fault_sim, "create", "configmap", name, "-n", "default")
    assert rc == 0, err


def test_deny_for_one_service_account_only(fault_sim):
    sa = "system:serviceaccount:default:" + unique("app")
    rc, out, err = kubectl(fault_sim, "create", "clusterrolebinding", unique("view"),
                           "--clusterrole=view",
                           "--serviceaccount=default:" + sa.rsplit(":", 1)[1])
    assert rc == 0, err
    rc, out, err = kubectl(fault_sim, "get", "configmaps", "-n", "default", "--as", sa)
    assert rc == 0, err  # RBAC allows it
    simlib.fault_deny(fault_sim, "list", "configmaps",
                      service_account="default/" + sa.rsplit(":", 1)[1])
    rc, out, err = kubectl(fault_sim, "get", "configmaps", "-n", "default", "--as", sa)
    assert rc != 0
    assert ('configmaps is forbidden: User "%s" cannot list resource "configmaps" in '
            'API group "" in the namespace "default"' % sa) in err, err
    rc, out, err = kubectl(fault_sim, "get", "configmaps", "-n", "default")
    assert rc == 0, err  # the admin is not denied
    assert simlib.fault_state(fault_sim)["denies"][0]["user"] == sa


def test_reset_breaks_one_connection(fault_sim):
    name = unique("cm")
    make_cm(fault_sim, name)
    path = "/api/v1/namespaces/default/configmaps/" + name
    simlib.fault_reset(fault_sim, count=1, verb="get", resource="configmaps")
    with requests.Session() as s:
        s.trust_env = False
        s.verify = fault_sim.kc.ca_file
        s.headers["Authorization"] = "Bearer " + fault_sim.kc.token
        with pytest.raises(requests.exceptions.ConnectionError):
            s.get(fault_sim.kc.server + path, timeout=10)
        assert s.get(fault_sim.kc.server + path, timeout=10).status_code == 200
    assert served(fault_sim, "reset") == 1


def test_reset_of_watches_only(fault_sim):
    simlib.fault_reset(fault_sim, count=1, watch_only=True)
    base = fault_sim.kc.server + "/api/v1/namespaces/default/configmaps"
    with requests.Session() as s:
        s.trust_env = False
        s.verify = fault_sim.kc.ca_file
        s.headers["Authorization"] = "Bearer " + fault_sim.kc.token
        assert s.get(base, timeout=10).status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            s.get(base + "?watch=true&timeoutSeconds=1", timeout=10)
        r = s.get(base + "?watch=true&timeoutSeconds=1", timeout=10)
        assert r.status_code == 200
    assert served(fault_sim, "reset") == 1


def test_watch_delivery_delay(fault_sim):
    listing = fault_sim.get_json("/api/v1/namespaces/default/configmaps")
    rv = listing["metadata"]["resourceVersion"]
    simlib.fault_watch_delay(fault_sim, 700)
    assert simlib.fault_state(fault_sim)["watchDelayMilliseconds"] == 700
    name = unique("cm")
    created = {}

    def writer():
        time.sleep(0.2)
        created["t"] = time.monotonic()
        make_cm(fault_sim, name)

    t = threading.Thread(target=writer)
    r = fault_sim.request("GET", "/api/v1/namespaces/default/configmaps?watch=true"
                          "&timeoutSeconds=10&resourceVersion=" + rv, stream=True)
    t.start()
    arrived = None
    try:
        for line in r.iter_lines():
            ev = json.loads(line)
            if ev["object"]["metadata"]["name"] == name:
                arrived = time.monotonic()
                break
    finally:
        r.close()
        t.join(timeout=10)
    assert arrived is not None
    assert arrived - created["t"] >= 0.6, arrived - created["t"]


def test_write_counters_move_only_on_writes(fault_sim):
    name = unique("cm")
    simlib.fault_reset_writes(fault_sim)
    rc, out, err = kubectl(fault_sim, "create", "configmap", name, "-n", "default")
    assert rc == 0, err
    w = simlib.fault_writes(fault_sim, "configmaps", "default", name)
    assert w["total"] == 1 and w["items"][0]["create"] == 1, w
    for _ in range(3):
        rc, out, err = kubectl(fault_sim, "get", "configmap", name, "-n", "default")
        assert rc == 0, err
    fault_sim.get_json("/api/v1/namespaces/default/configmaps")
    assert simlib.fault_writes(fault_sim, "configmaps", "default", name)["total"] == 1
    rc, out, err = kubectl(fault_sim, "label", "configmap", name, "-n", "default",
                           "x=y")
    assert rc == 0, err
    w = simlib.fault_writes(fault_sim, "configmaps", "default", name)
    assert w["total"] == 2 and w["items"][0]["patch"] == 1, w


def test_pod_phase_and_exit_code(fault_sim):
    from kubernetes import client
    name = unique("pod")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"nodeName": "no-such-node",
                    "containers": [{"name": "main", "image": "busybox"}]}}
    with fault_sim.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod("default", pod)
        simlib.fault_pod_status(fault_sim, "default", name, exit_code=7,
                                phase="Failed")
        p = core.read_namespaced_pod(name, "default")
        assert p.status.phase == "Failed"
        term = p.status.container_statuses[0].state.terminated
        assert term.exit_code == 7 and term.reason == "Error"
    r = fault_sim.request("POST", "/fault/v1/pod-status",
                          json={"namespace": "default", "name": name, "phase": "Done"})
    simlib.assert_status(r, 400, "BadRequest", message_contains='field "phase"')
