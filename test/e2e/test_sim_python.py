# kc-test-labels: e2e
"""Acceptance: the official Python client (Debian python3-kubernetes 22.6, run
with /usr/bin/python3) against `kubecombo sim`: list, watch (incl. 410 and
relist), create/delete of ConfigMaps, Pods, Events (both APIs) and a custom
resource, and api:P2 — every object read deserializes into its typed model.
"""
import datetime
import re
import threading
import time

import pytest

from simlib import unique, wait_until

k8s = pytest.importorskip("kubernetes", reason="SKIP: python3-kubernetes missing")
from kubernetes import client, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

GROUP = "py.kubecombo.com"
GADGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets." + GROUP},
    "spec": {
        "group": GROUP, "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                  "listKind": "GadgetList", "shortNames": ["gd"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "subresources": {"status": {}},
            "additionalPrinterColumns": [
                {"name": "Level", "type": "integer", "jsonPath": ".spec.level"}],
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {"type": "object", "required": ["level"],
                             "properties": {"level": {"type": "integer", "minimum": 0},
                                            "mode": {"type": "string",
                                                     "enum": ["fast", "slow"]}}},
                    "status": {"type": "object",
                               "properties": {"phase": {"type": "string"}}}}}}}]}}


def now_micro():
    return datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture(scope="module")
def ns(sim):
    api = sim.api_client()
    name = unique("py")
    client.CoreV1Api(api).create_namespace(
        client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    api.close()
    return name


@pytest.fixture
def core(api):
    return client.CoreV1Api(api)


def cm(name, labels=None, data=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels),
                              data=data or {"k": "v"})


def collect(w, gen, until, limit=100):
    """Collects watch events until until(events) is true (or the stream ends)."""
    events = []
    for e in gen:
        events.append(e)
        if until(events) or len(events) >= limit:
            w.stop()
            break
    return events


# --- list and watch -------------------------------------------------------

def test_P1_W9_list_items_and_resource_version(core, ns):
    run = unique("r")
    lst = core.list_namespaced_config_map(ns, label_selector="run=" + run)
    assert isinstance(lst, client.V1ConfigMapList)
    assert lst.items == []  # items present even when empty
    assert lst.metadata.resource_version and lst.metadata.resource_version.isdigit()
    core.create_namespaced_config_map(ns, cm(unique("l"), {"run": run}))
    lst2 = core.list_namespaced_config_map(ns, label_selector="run=" + run)
    assert len(lst2.items) == 1
    assert int(lst2.metadata.resource_version) > int(lst.metadata.resource_version)


def test_P1_W2_watch_from_list_rv_sees_added_modified_deleted(core, ns):
    run = unique("r")
    rv = core.list_namespaced_config_map(ns, label_selector="run=" + run).metadata.resource_version
    name = unique("w")
    core.create_namespaced_config_map(ns, cm(name, {"run": run}, {"v": "1"}))
    obj = core.read_namespaced_config_map(name, ns)
    obj.data = {"v": "2"}
    core.replace_namespaced_config_map(name, ns, obj)
    core.delete_namespaced_config_map(name, ns)
    w = watch.Watch()
    events = collect(w, w.stream(core.list_namespaced_config_map, ns,
                                 label_selector="run=" + run, resource_version=rv,
                                 timeout_seconds=10),
                     lambda evs: evs[-1]["type"] == "DELETED")
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"], events
    for e in events:
        assert isinstance(e["object"], client.V1ConfigMap)
        assert e["object"].metadata.name == name
    assert events[1]["object"].data == {"v": "2"}


def test_P1_watch_live_events_from_writer_thread(core, ns, sim):
    run = unique("r")
    names = [unique("live") for _ in range(5)]
    rv = core.list_namespaced_config_map(ns, label_selector="run=" + run).metadata.resource_version

    def writer():
        c = client.CoreV1Api(sim.api_client())
        time.sleep(0.5)
        for n in names:
            c.create_namespaced_config_map(ns, cm(n, {"run": run}))

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    w = watch.Watch()
    events = collect(w, w.stream(core.list_namespaced_config_map, ns,
                                 label_selector="run=" + run, resource_version=rv,
                                 timeout_seconds=20),
                     lambda evs: len(evs) >= len(names))
    t.join(timeout=30)
    assert [e["object"].metadata.name for e in events] == names
    assert all(e["type"] == "ADDED" for e in events)


def test_W3_watch_without_rv_starts_with_synthetic_added(core, ns):
    run = unique("r")
    names = sorted(unique("s") for _ in range(3))
    for n in names:
        core.create_namespaced_config_map(ns, cm(n, {"run": run}))
    w = watch.Watch()
    events = collect(w, w.stream(core.list_namespaced_config_map, ns,
                                 label_selector="run=" + run, timeout_seconds=5),
                     lambda evs: len(evs) >= 3)
    assert sorted(e["object"].metadata.name for e in events) == names
    assert {e["type"] for e in events} == {"ADDED"}


def test_W6_watch_timeout_seconds_ends_stream(core, ns):
    w = watch.Watch()
    done = []

    def run():
        for _ in w.stream(core.list_namespaced_config_map, ns,
                          label_selector="nothing=" + unique("x"), timeout_seconds=2):
            pass
        done.append(True)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout=30)  # generous bound; the server must end the stream itself
    assert done, "watch with timeoutSeconds=2 did not end within 30 s"


def test_P1_watch_nodes_and_namespaces_typed(api):
    core = client.CoreV1Api(api)
    w = watch.Watch()
    events = collect(w, w.stream(core.list_node, timeout_seconds=5), lambda evs: len(evs) >= 3)
    assert len(events) == 3 and all(isinstance(e["object"], client.V1Node) for e in events)
    w = watch.Watch()
    events = collect(w, w.stream(core.list_namespace, timeout_seconds=5),
                     lambda evs: any(e["object"].metadata.name == "default" for e in evs))
    assert all(isinstance(e["object"], client.V1Namespace) for e in events)


def _fault(sim, what):
    r = sim.request("POST", "/fault/v1/" + what, json={})
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json().get("status") == "Success", r.text


def test_W5_P1_410_during_watch_and_relist(fault_sim):
    api = fault_sim.api_client()
    core = client.CoreV1Api(api)
    ns = "default"
    run = unique("r")
    old_rv = core.list_namespaced_config_map(ns, label_selector="run=" + run) \
        .metadata.resource_version
    for i in range(3):
        core.create_namespaced_config_map(ns, cm("before-%d-%s" % (i, run), {"run": run}))
    _fault(fault_sim, "compact")
    # The raw stream: HTTP 200 and exactly one ERROR event with a 410 Status.
    r = fault_sim.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&"
                          "resourceVersion=%s&timeoutSeconds=5" % old_rv, stream=True)
    assert r.status_code == 200, r.text
    lines = [l for l in r.iter_lines() if l]
    assert len(lines) == 1, lines
    import json
    ev = json.loads(lines[0])
    assert ev["type"] == "ERROR", ev
    st = ev["object"]
    assert st["kind"] == "Status" and st["apiVersion"] == "v1", st
    assert st["status"] == "Failure" and st["code"] == 410, st
    assert st["reason"] in ("Expired", "Gone"), st
    assert st["message"].startswith("too old resource version: %s (" % old_rv), st
    # The Python client raises ApiException(410) ...
    w = watch.Watch()
    with pytest.raises(ApiException) as exc:
        for _ in w.stream(core.list_namespaced_config_map, ns, label_selector="run=" + run,
                          resource_version=old_rv, timeout_seconds=5):
            pass
    assert exc.value.status == 410
    # ... and the relist + watch from the new RV works and sees new events.
    lst = core.list_namespaced_config_map(ns, label_selector="run=" + run)
    assert len(lst.items) == 3
    new_rv = lst.metadata.resource_version
    name = "after-" + run
    core.create_namespaced_config_map(ns, cm(name, {"run": run}))
    w = watch.Watch()
    events = collect(w, w.stream(core.list_namespaced_config_map, ns,
                                 label_selector="run=" + run, resource_version=new_rv,
                                 timeout_seconds=10), lambda evs: len(evs) >= 1)
    assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", name)]
    api.close()


def test_W6_drop_watches_ends_stream(fault_sim):
    api = fault_sim.api_client()
    core = client.CoreV1Api(api)
    w = watch.Watch()
    started = threading.Event()
    done = []

    def run():
        gen = w.stream(core.list_namespaced_config_map, "default",
                       label_selector="none=" + unique("x"), timeout_seconds=120)
        started.set()
        for _ in gen:
            pass
        done.append(True)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    started.wait(10)
    time.sleep(1.0)
    _fault(fault_sim, "drop-watches")
    t.join(timeout=30)
    assert done, "watch not ended by /fault/v1/drop-watches"
    api.close()


# --- create and delete ----------------------------------------------------

def _gone(fn, *args):
    def check():
        try:
            fn(*args)
            return False
        except ApiException as e:
            return e.status == 404
    return check


def test_configmap_create_read_replace_delete(core, ns):
    name = unique("cm")
    created = core.create_namespaced_config_map(ns, cm(name, data={"a": "1"}))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.creation_timestamp.tzinfo is not None
    got = core.read_namespaced_config_map(name, ns)
    assert got.data == {"a": "1"} and got.metadata.uid == created.metadata.uid
    got.data = {"a": "2"}
    upd = core.replace_namespaced_config_map(name, ns, got)
    assert int(upd.metadata.resource_version) > int(created.metadata.resource_version)
    st = core.delete_namespaced_config_map(name, ns)
    assert st is not None
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map(name, ns)
    assert exc.value.status == 404


def test_pod_create_read_delete(core, ns):
    name = unique("pod")
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels={"app": "py"}),
        spec=client.V1PodSpec(containers=[client.V1Container(
            name="main", image="busybox:1.36", command=["sleep", "3600"],
            ports=[client.V1ContainerPort(container_port=8080)],
            env=[client.V1EnvVar(name="A", value="b")])]))
    created = core.create_namespaced_pod(ns, pod)
    assert isinstance(created, client.V1Pod)
    assert created.spec.containers[0].name == "main"
    got = core.read_namespaced_pod(name, ns)
    assert got.metadata.uid == created.metadata.uid
    pods = core.list_namespaced_pod(ns, label_selector="app=py")
    assert name in [p.metadata.name for p in pods.items]
    core.delete_namespaced_pod(name, ns)
    wait_until(_gone(core.read_namespaced_pod, name, ns), timeout=60, what="pod deleted")


@pytest.fixture
def ev_ns(core):
    """A fresh namespace holding only this test's events (api:E5: events.k8s.io
    lists fail on core events without eventTime, which other components write)."""
    name = unique("ev")
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


def test_E1_core_event_visible_through_events_v1(api, core, ev_ns):
    ns = ev_ns
    ev_api = client.EventsV1Api(api)
    name = unique("ev")
    t = now_micro()
    ev = client.CoreV1Event(
        metadata=client.V1ObjectMeta(name=name, namespace=ns),
        involved_object=client.V1ObjectReference(kind="ConfigMap", name="thing",
                                                 namespace=ns, api_version="v1"),
        reason="Poked", message="poked by the e2e test", type="Normal", count=1,
        first_timestamp=t, last_timestamp=t, event_time=t,
        source=client.V1EventSource(component="e2e"),
        reporting_component="e2e-test", reporting_instance="e2e-1", action="Poke")
    created = core.create_namespaced_event(ns, ev)
    assert isinstance(created, client.CoreV1Event)
    v1 = ev_api.read_namespaced_event(name, ns)
    assert isinstance(v1, client.EventsV1Event)
    assert v1.metadata.uid == created.metadata.uid
    assert v1.note == "poked by the e2e test"
    assert v1.reason == "Poked" and v1.type == "Normal" and v1.action == "Poke"
    assert v1.regarding.name == "thing" and v1.regarding.kind == "ConfigMap"
    assert v1.reporting_controller == "e2e-test" and v1.reporting_instance == "e2e-1"
    assert v1.deprecated_count == 1
    assert v1.deprecated_source.component == "e2e"
    assert v1.event_time is not None
    # delete through events.k8s.io, gone in core/v1 too
    ev_api.delete_namespaced_event(name, ns)
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_event(name, ns)
    assert exc.value.status == 404


def test_E1_events_v1_event_visible_through_core(api, core, ev_ns):
    ns = ev_ns
    ev_api = client.EventsV1Api(api)
    name = unique("ev")
    ev = client.EventsV1Event(
        metadata=client.V1ObjectMeta(name=name, namespace=ns),
        event_time=now_micro(), type="Warning", reason="Broken", action="Check",
        note="it broke", reporting_controller="kubecombo.com/e2e", reporting_instance="i-1",
        regarding=client.V1ObjectReference(kind="Pod", name="p", namespace=ns,
                                           api_version="v1"))
    created = ev_api.create_namespaced_event(ns, ev)
    assert isinstance(created, client.EventsV1Event)
    raw = api.call_api("/apis/events.k8s.io/v1/namespaces/{ns}/events/{name}", "GET",
                       path_params={"ns": ns, "name": name}, response_type="object",
                       auth_settings=["BearerToken"], _return_http_data_only=True)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", raw["eventTime"]), \
        raw["eventTime"]  # api:C8 MicroTime
    core_ev = core.read_namespaced_event(name, ns)
    assert isinstance(core_ev, client.CoreV1Event)
    assert core_ev.message == "it broke" and core_ev.reason == "Broken"
    assert core_ev.involved_object.name == "p" and core_ev.involved_object.kind == "Pod"
    assert core_ev.reporting_component == "kubecombo.com/e2e"
    assert core_ev.type == "Warning"
    lst = ev_api.list_namespaced_event(ns)
    assert name in [e.metadata.name for e in lst.items]
    core.delete_namespaced_event(name, ns)
    with pytest.raises(ApiException) as exc:
        ev_api.read_namespaced_event(name, ns)
    assert exc.value.status == 404


def test_E2_events_v1_validation(api, ns):
    ev_api = client.EventsV1Api(api)
    body = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": unique("bad"), "namespace": ns},
            "eventTime": now_micro().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "type": "Sideways", "reason": "R", "action": "A",
            "reportingController": "kubecombo.com/e2e", "reportingInstance": "i",
            "regarding": {"kind": "Pod", "name": "p", "namespace": ns}}
    with pytest.raises(ApiException) as exc:
        ev_api.create_namespaced_event(ns, body)
    assert exc.value.status == 422, exc.value.body


@pytest.fixture(scope="module")
def gadget_crd(sim):
    api = sim.api_client()
    ext = client.ApiextensionsV1Api(api)
    try:
        crd = ext.create_custom_resource_definition(GADGET_CRD)
        assert isinstance(crd, client.V1CustomResourceDefinition)
    except ApiException as e:
        if e.status != 409:
            raise

    def established():
        c = ext.read_custom_resource_definition("gadgets." + GROUP)
        conds = (c.status.conditions or []) if c.status else []
        return any(x.type == "Established" and x.status == "True" for x in conds)
    wait_until(established, timeout=10, what="CRD Established")
    api.close()
    return GROUP


def test_custom_resource_create_get_status_delete(api, ns, gadget_crd):
    co = client.CustomObjectsApi(api)
    name = unique("g")
    body = {"apiVersion": GROUP + "/v1", "kind": "Gadget",
            "metadata": {"name": name}, "spec": {"level": 2, "mode": "fast"},
            "status": {"phase": "ignored-on-create"}}
    created = co.create_namespaced_custom_object(GROUP, "v1", ns, "gadgets", body)
    assert created["metadata"]["generation"] == 1
    assert "status" not in created or created["status"].get("phase") != "ignored-on-create"
    got = co.get_namespaced_custom_object(GROUP, "v1", ns, "gadgets", name)
    assert got["spec"] == {"level": 2, "mode": "fast"}
    got["status"] = {"phase": "Ready"}
    st = co.replace_namespaced_custom_object_status(GROUP, "v1", ns, "gadgets", name, got)
    assert st["status"] == {"phase": "Ready"}
    assert st["metadata"]["generation"] == 1  # status writes never bump generation
    got = co.get_namespaced_custom_object(GROUP, "v1", ns, "gadgets", name)
    got["spec"]["level"] = 3
    upd = co.replace_namespaced_custom_object(GROUP, "v1", ns, "gadgets", name, got)
    assert upd["metadata"]["generation"] == 2 and upd["status"] == {"phase": "Ready"}
    lst = co.list_namespaced_custom_object(GROUP, "v1", ns, "gadgets")
    assert lst["kind"] == "GadgetList" and name in [i["metadata"]["name"] for i in lst["items"]]
    co.delete_namespaced_custom_object(GROUP, "v1", ns, "gadgets", name)
    with pytest.raises(ApiException) as exc:
        co.get_namespaced_custom_object(GROUP, "v1", ns, "gadgets", name)
    assert exc.value.status == 404


def test_custom_resource_schema_validation_422(api, ns, gadget_crd):
    co = client.CustomObjectsApi(api)
    body = {"apiVersion": GROUP + "/v1", "kind": "Gadget",
            "metadata": {"name": unique("g")}, "spec": {"level": -1, "mode": "medium"}}
    with pytest.raises(ApiException) as exc:
        co.create_namespaced_custom_object(GROUP, "v1", ns, "gadgets", body)
    assert exc.value.status == 422, exc.value.body
    assert "spec.level" in exc.value.body and "spec.mode" in exc.value.body


def test_custom_resource_watch(api, ns, gadget_crd):
    co = client.CustomObjectsApi(api)
    rv = co.list_namespaced_custom_object(GROUP, "v1", ns, "gadgets")["metadata"]["resourceVersion"]
    name = unique("g")
    co.create_namespaced_custom_object(GROUP, "v1", ns, "gadgets", {
        "apiVersion": GROUP + "/v1", "kind": "Gadget", "metadata": {"name": name},
        "spec": {"level": 1}})
    co.delete_namespaced_custom_object(GROUP, "v1", ns, "gadgets", name)
    w = watch.Watch()
    events = collect(w, w.stream(co.list_namespaced_custom_object, GROUP, "v1", ns, "gadgets",
                                 resource_version=rv, timeout_seconds=10),
                     lambda evs: evs[-1]["type"] == "DELETED")
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", name), ("DELETED", name)]


# --- api:P2 typed models --------------------------------------------------

def test_P2_typed_models_deserialize(api, ns, sim):
    core = client.CoreV1Api(api)
    apps = client.AppsV1Api(api)
    coord = client.CoordinationV1Api(api)
    labels = {"app": "p2"}
    tmpl = client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(labels=labels),
        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox:1.36")]))
    apps.create_namespaced_daemon_set(ns, client.V1DaemonSet(
        metadata=client.V1ObjectMeta(name="p2-ds"),
        spec=client.V1DaemonSetSpec(selector=client.V1LabelSelector(match_labels=labels),
                                    template=tmpl)))
    apps.create_namespaced_deployment(ns, client.V1Deployment(
        metadata=client.V1ObjectMeta(name="p2-dep"),
        spec=client.V1DeploymentSpec(replicas=1, template=tmpl,
                                     selector=client.V1LabelSelector(match_labels=labels))))
    t = now_micro()
    coord.create_namespaced_lease(ns, client.V1Lease(
        metadata=client.V1ObjectMeta(name="p2-lease"),
        spec=client.V1LeaseSpec(holder_identity="me", lease_duration_seconds=15,
                                acquire_time=t, renew_time=t, lease_transitions=0)))
    core.create_namespaced_pod(ns, client.V1Pod(
        metadata=client.V1ObjectMeta(name="p2-pod"),
        spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox:1.36")])))
    core.create_namespaced_service_account(ns, client.V1ServiceAccount(
        metadata=client.V1ObjectMeta(name="p2-sa")))

    nodes = core.list_node()
    assert len(nodes.items) == 3
    for n in nodes.items:
        info = n.status.node_info
        for f in ("architecture", "boot_id", "container_runtime_version", "kernel_version",
                  "kube_proxy_version", "kubelet_version", "machine_id", "operating_system",
                  "os_image", "system_uuid"):
            assert getattr(info, f) is not None, (n.metadata.name, f)
        ready = [c for c in n.status.conditions if c.type == "Ready"]
        assert ready and ready[0].status == "True"
        assert not n.spec.taints
        assert n.status.addresses
    assert {"default", "kube-system", ns} <= {x.metadata.name for x in core.list_namespace().items}
    # give the simulated kubelet a moment so the pod carries container statuses
    def pod_status():
        p = core.read_namespaced_pod("p2-pod", ns)
        return p if p.status and p.status.container_statuses else None
    try:
        wait_until(pod_status, timeout=10, what="pod container statuses")
    except AssertionError:
        pass  # still deserializes below, with or without statuses
    for fn in (core.list_pod_for_all_namespaces, core.list_namespace, core.list_node,
               core.list_config_map_for_all_namespaces, core.list_event_for_all_namespaces,
               core.list_service_account_for_all_namespaces,
               core.list_service_for_all_namespaces, core.list_secret_for_all_namespaces,
               core.list_endpoints_for_all_namespaces,
               apps.list_daemon_set_for_all_namespaces, apps.list_deployment_for_all_namespaces,
               coord.list_lease_for_all_namespaces,
               client.RbacAuthorizationV1Api(api).list_role_for_all_namespaces,
               client.RbacAuthorizationV1Api(api).list_role_binding_for_all_namespaces,
               client.AdmissionregistrationV1Api(api).list_validating_webhook_configuration,
               client.AdmissionregistrationV1Api(api).list_mutating_webhook_configuration,
               client.ApiextensionsV1Api(api).list_custom_resource_definition):
        lst = fn()
        assert lst.items is not None, fn.__name__
    ds = apps.read_namespaced_daemon_set("p2-ds", ns)
    assert ds.status is not None and ds.status.desired_number_scheduled is not None
    assert apps.read_namespaced_deployment("p2-dep", ns).spec.replicas == 1
    lease = coord.read_namespaced_lease("p2-lease", ns)
    assert lease.spec.holder_identity == "me" and lease.spec.renew_time is not None
    assert core.read_namespaced_service_account("p2-sa", ns).metadata.name == "p2-sa"
    pod = core.read_namespaced_pod("p2-pod", ns)
    assert pod.spec.containers[0].name == "c"


def test_P2_discovery_and_version_models(api):
    v = client.VersionApi(api).get_code()
    assert isinstance(v, client.VersionInfo) and v.major == "1"
    core_versions = client.CoreApi(api).get_api_versions()
    assert "v1" in core_versions.versions
    assert core_versions.server_address_by_client_cid_rs
    groups = client.ApisApi(api).get_api_versions()
    names = {g.name for g in groups.groups}
    assert {"apps", "events.k8s.io", "coordination.k8s.io", "rbac.authorization.k8s.io",
            "apiextensions.k8s.io", "admissionregistration.k8s.io"} <= names, names
    res = client.CoreV1Api(api).get_api_resources()
    by = {r.name: r for r in res.resources}
    assert by["pods"].kind == "Pod" and by["pods"].namespaced
    assert "pods/status" in by and "pods/log" in by
    assert by["configmaps"].short_names == ["cm"]
    apps = client.AppsV1Api(api).get_api_resources()
    assert {"daemonsets", "deployments", "deployments/status"} <= {r.name for r in apps.resources}


def test_client_certificate_context_python(sim):
    assert sim.kc.cert_context, sim.kc.contexts
    api = sim.api_client(context=sim.kc.cert_context)
    try:
        assert len(client.CoreV1Api(api).list_node().items) == 3
    finally:
        api.close()
