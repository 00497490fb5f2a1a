# kc-test-labels: e2e
"""Deletion lifecycle end to end (ADR 0005): finalizers and deletionTimestamp
(api:C5), DeleteOptions (api:A4), garbage collection in all three propagation
modes (api:C6), namespace termination, graceful pod deletion — through the
real kubectl 1.32 and the Python client.
"""
import json

import pytest

from simlib import assert_status, unique, wait_until


def cm_body(name, **md):
    meta = {"name": name}
    meta.update(md)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
            "data": {"a": "1"}}


def owner_ref(owner, block=False):
    ref = {"apiVersion": "v1", "kind": "ConfigMap",
           "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}
    if block:
        ref["blockOwnerDeletion"] = True
    return ref


CMS = "/api/v1/namespaces/default/configmaps"


def gone(sim, path):
    return sim.request("GET", path).status_code == 404


def test_c5_finalizer_holds_deletion_python_client(sim, api, alive):
    from kubernetes import client, watch
    v1 = client.CoreV1Api(api)
    name = unique("fin")
    v1.create_namespaced_config_map("default", cm_body(name, finalizers=["e2e.io/hold"]))
    rv = v1.read_namespaced_config_map(name, "default").metadata.resource_version
    v1.delete_namespaced_config_map(name, "default")
    cur = v1.read_namespaced_config_map(name, "default")
    assert cur.metadata.deletion_timestamp is not None
    assert cur.metadata.deletion_grace_period_seconds == 0
    # Adding a finalizer now: 422 with the exact Status.
    r = sim.request("PATCH", CMS + "/" + name,
                    data=json.dumps({"metadata": {"finalizers": ["e2e.io/hold", "e2e.io/more"]}}),
                    headers={"Content-Type": "application/merge-patch+json"})
    assert_status(r, 422, "Invalid",
                  message='ConfigMap "%s" is invalid: metadata.finalizers: Forbidden: '
                          'no new finalizers can be added if the object is being deleted, '
                          'found new finalizers []string{"e2e.io/more"}' % name,
                  details={"name": name, "kind": "ConfigMap"})
    # Removing the last finalizer deletes it; a watch sees MODIFIED then DELETED.
    v1.patch_namespaced_config_map(name, "default", {"metadata": {"finalizers": None}})
    events = []
    for ev in watch.Watch().stream(v1.list_namespaced_config_map, "default",
                                   field_selector="metadata.name=" + name,
                                   resource_version=rv, timeout_seconds=2):
        events.append(ev["type"])
        if ev["type"] == "DELETED":
            break
    assert events == ["MODIFIED", "DELETED"], events
    assert gone(sim, CMS + "/" + name)


def test_a4_delete_options(sim, alive):
    name = unique("opts")
    made = sim.request("POST", CMS, json=cm_body(name)).json()
    uid = made["metadata"]["uid"]
    r = sim.request("DELETE", CMS + "/" + name,
                    json={"preconditions": {"uid": "not-" + uid}})
    assert_status(r, 409, "Conflict",
                  message='Operation cannot be fulfilled on configmaps "%s": Precondition '
                          'failed: UID in precondition: not-%s, UID in object meta: %s'
                          % (name, uid, uid))
    r = sim.request("DELETE", CMS + "/" + name,
                    json={"preconditions": {"resourceVersion": "1"}})
    assert_status(r, 409, "Conflict", message_contains="Precondition failed: ResourceVersion")
    assert sim.request("DELETE", CMS + "/" + name + "?dryRun=All").status_code == 200
    assert sim.request("DELETE", CMS + "/" + name, json={"dryRun": ["All"]}).status_code == 200
    assert not gone(sim, CMS + "/" + name)
    # dryRun on create, update and patch persists nothing either.
    other = unique("dry")
    assert sim.request("POST", CMS + "?dryRun=All", json=cm_body(other)).status_code == 201
    assert gone(sim, CMS + "/" + other)
    r = sim.request("PATCH", CMS + "/" + name + "?dryRun=All", data='{"data":{"a":"2"}}',
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200 and r.json()["data"]["a"] == "2"
    assert sim.get_json(CMS + "/" + name)["data"]["a"] == "1"
    r = sim.request("DELETE", CMS + "/" + name + "?propagationPolicy=Sideways")
    assert_status(r, 422, "Invalid", message_contains="propagationPolicy")
    r = sim.request("DELETE", CMS + "/" + name, json={"preconditions": {"uid": uid}})
    assert r.status_code == 200
    assert gone(sim, CMS + "/" + name)


@pytest.mark.parametrize("cascade", ["background", "foreground", "orphan"])
def test_c6_gc_kubectl_cascade(sim, kubectl, alive, cascade):
    owner_name, dep_name = unique("own"), unique("dep")
    owner = sim.request("POST", CMS, json=cm_body(owner_name)).json()
    dep = cm_body(dep_name, ownerReferences=[owner_ref(owner, block=True)])
    assert sim.request("POST", CMS, json=dep).status_code == 201
    rc, out, err = kubectl("delete", "configmap", owner_name, "--cascade=" + cascade,
                           "--timeout=20s")
    assert rc == 0, err
    assert 'configmap "%s" deleted' % owner_name in out
    assert gone(sim, CMS + "/" + owner_name)
    if cascade == "orphan":
        got = sim.get_json(CMS + "/" + dep_name)
        assert "ownerReferences" not in got["metadata"]
    elif cascade == "foreground":
        assert gone(sim, CMS + "/" + dep_name)  # gone before the owner
    else:
        wait_until(lambda: gone(sim, CMS + "/" + dep_name), timeout=10,
                   what="dependent collected")


def test_c6_foreground_owner_waits_for_blocking_dependent(sim, alive):
    owner_name, dep_name = unique("fgo"), unique("fgd")
    owner = sim.request("POST", CMS, json=cm_body(owner_name)).json()
    dep = cm_body(dep_name, finalizers=["e2e.io/slow"],
                  ownerReferences=[owner_ref(owner, block=True)])
    assert sim.request("POST", CMS, json=dep).status_code == 201
    r = sim.request("DELETE", CMS + "/" + owner_name, json={"propagationPolicy": "Foreground"})
    assert r.status_code == 200
    assert r.json()["metadata"]["finalizers"] == ["foregroundDeletion"]
    wait_until(lambda: sim.get_json(CMS + "/" + dep_name)["metadata"].get("deletionTimestamp"),
               timeout=10, what="dependent deleting")
    assert sim.get_json(CMS + "/" + owner_name)["metadata"]["deletionTimestamp"]
    sim.request("PATCH", CMS + "/" + dep_name, data='{"metadata":{"finalizers":null}}',
                headers={"Content-Type": "application/merge-patch+json"})
    wait_until(lambda: gone(sim, CMS + "/" + owner_name), timeout=10, what="owner deleted")


def test_namespace_termination(sim, kubectl, alive):
    ns = unique("term")
    assert kubectl("create", "namespace", ns)[0] == 0
    assert kubectl("create", "configmap", "one", "-n", ns, "--from-literal=a=b")[0] == 0
    held = cm_body("held", finalizers=["e2e.io/hold"])
    assert sim.request("POST", "/api/v1/namespaces/%s/configmaps" % ns, json=held).status_code == 201
    r = sim.request("DELETE", "/api/v1/namespaces/" + ns)
    assert r.status_code == 200
    body = r.json()
    assert body["status"]["phase"] == "Terminating"
    assert body["spec"]["finalizers"] == ["kubernetes"]
    assert body["metadata"]["deletionTimestamp"]
    r = sim.request("POST", "/api/v1/namespaces/%s/configmaps" % ns, json=cm_body("late"))
    st = assert_status(r, 403, "Forbidden",
                       message='configmaps "late" is forbidden: unable to create new content '
                               'in namespace %s because it is being terminated' % ns,
                       details={"name": "late", "kind": "configmaps"})
    assert st["details"]["causes"] == [{"reason": "NamespaceTerminating",
                                        "message": "namespace %s is being terminated" % ns,
                                        "field": "metadata.namespace"}]
    rc, out, err = kubectl("create", "configmap", "late2", "-n", ns, "--from-literal=a=b")
    assert rc != 0 and "because it is being terminated" in err
    wait_until(lambda: gone(sim, "/api/v1/namespaces/%s/configmaps/one" % ns), timeout=10,
               what="contents removed")
    assert not gone(sim, "/api/v1/namespaces/" + ns)
    sim.request("PATCH", "/api/v1/namespaces/%s/configmaps/held" % ns,
                data='{"metadata":{"finalizers":null}}',
                headers={"Content-Type": "application/merge-patch+json"})
    rc, out, err = kubectl("wait", "--for=delete", "namespace/" + ns, "--timeout=20s")
    assert rc == 0, err
    assert gone(sim, "/api/v1/namespaces/" + ns)


def test_kubectl_delete_namespace_removes_objects(sim, kubectl, alive):
    ns = unique("delns")
    assert kubectl("create", "namespace", ns)[0] == 0
    assert kubectl("create", "configmap", "c1", "-n", ns, "--from-literal=a=b")[0] == 0
    assert kubectl("create", "secret", "generic", "s1", "-n", ns, "--from-literal=a=b")[0] == 0
    rc, out, err = kubectl("delete", "namespace", ns, "--timeout=30s")
    assert rc == 0, err
    assert gone(sim, "/api/v1/namespaces/" + ns)
    assert gone(sim, "/api/v1/namespaces/%s/configmaps/c1" % ns)


def test_c5_graceful_pod_deletion(sim, alive):
    pods = "/api/v1/namespaces/default/pods"
    name = unique("gp")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"nodeName": "not-a-node", "terminationGracePeriodSeconds": 45,
                    "containers": [{"name": "c", "image": "busybox"}]}}
    assert sim.request("POST", pods, json=pod).status_code == 201
    r = sim.request("DELETE", pods + "/" + name)
    assert r.status_code == 200
    md = r.json()["metadata"]
    assert md["deletionGracePeriodSeconds"] == 45 and md["deletionTimestamp"]
    assert not gone(sim, pods + "/" + name)
    # What the kubelet does once the containers stopped.
    assert sim.request("DELETE", pods + "/" + name,
                       json={"gracePeriodSeconds": 0}).status_code == 200
    assert gone(sim, pods + "/" + name)
    # Unscheduled pods go at once. (A scheduler nobody runs keeps the pod
    # unscheduled: the sim's scheduler could bind it before the DELETE.)
    name2 = unique("gp")
    pod["metadata"]["name"] = name2
    del pod["spec"]["nodeName"]
    pod["spec"]["schedulerName"] = "e2e-nobody"
    assert sim.request("POST", pods, json=pod).status_code == 201
    assert sim.request("DELETE", pods + "/" + name2).status_code == 200
    assert gone(sim, pods + "/" + name2)
