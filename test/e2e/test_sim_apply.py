# kc-test-labels: e2e
"""kubectl apply (client- and server-side) and every patch kind end to end
(ADR 0006, api:A1–A3, api:S1): field ownership in managedFields, removal of
fields a manager stopped applying, conflicts and --force-conflicts, strategic
merge keys of pods, daemonsets, deployments and configmaps with the Python
client.
"""
import json
import textwrap

import pytest

from simlib import assert_status, unique

CMS = "/api/v1/namespaces/default/configmaps"


def cm_yaml(name, data):
    lines = "\n".join("  %s: %s" % (k, json.dumps(v)) for k, v in data.items())
    return textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
        data:
        """) % name + lines + "\n"


def managers(obj):
    return {(e["manager"], e["operation"]): e for e in obj["metadata"].get("managedFields", [])}


def test_a3_server_side_apply_kubectl(sim, kubectl, alive):
    name = unique("ssa")
    f = sim.write_file(name + ".yaml", cm_yaml(name, {"a": "1", "b": "2"}))
    rc, out, err = kubectl("apply", "--server-side", "-f", f)
    assert rc == 0, err
    assert out.strip() == "configmap/%s serverside-applied" % name
    obj = sim.get_json(CMS + "/" + name)
    m = managers(obj)
    assert ("kubectl", "Apply") in m, obj["metadata"].get("managedFields")
    entry = m[("kubectl", "Apply")]
    assert entry["fieldsType"] == "FieldsV1" and entry["apiVersion"] == "v1"
    assert entry["fieldsV1"]["f:data"].keys() >= {"f:a", "f:b"}
    # Changed: b no longer applied → removed (kubectl owned it alone).
    sim.write_file(name + ".yaml", cm_yaml(name, {"a": "1", "c": "3"}))
    rc, out, err = kubectl("apply", "--server-side", "-f", f)
    assert rc == 0, err
    obj = sim.get_json(CMS + "/" + name)
    assert obj["data"] == {"a": "1", "c": "3"}
    rv = obj["metadata"]["resourceVersion"]
    # Repeated: nothing changes, not even the resourceVersion.
    rc, out, err = kubectl("apply", "--server-side", "-f", f)
    assert rc == 0, err
    assert out.strip() == "configmap/%s serverside-applied" % name
    assert sim.get_json(CMS + "/" + name)["metadata"]["resourceVersion"] == rv
    # A second manager changing a field kubectl owns: conflict.
    other = sim.write_file(name + "-o.yaml", cm_yaml(name, {"a": "changed"}))
    rc, out, err = kubectl("apply", "--server-side", "--field-manager=other", "-f", other)
    assert rc != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .data.a' in err, err
    rc, out, err = kubectl("apply", "--server-side", "--field-manager=other",
                           "--force-conflicts", "-f", other)
    assert rc == 0, err
    obj = sim.get_json(CMS + "/" + name)
    assert obj["data"]["a"] == "changed"
    m = managers(obj)
    assert "f:a" in m[("other", "Apply")]["fieldsV1"]["f:data"]
    assert "f:a" not in m[("kubectl", "Apply")]["fieldsV1"]["f:data"]


def test_a3_conflict_status_exact(sim, alive):
    name = unique("ssc")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"x": "1", "y": "1"}}
    hdr = {"Content-Type": "application/apply-patch+yaml"}
    r = sim.request("PATCH", CMS + "/" + name + "?fieldManager=first", data=json.dumps(body),
                    headers=hdr)
    assert r.status_code == 201, r.text
    body["data"] = {"x": "2", "y": "2"}
    r = sim.request("PATCH", CMS + "/" + name + "?fieldManager=second", data=json.dumps(body),
                    headers=hdr)
    st = assert_status(r, 409, "Conflict",
                       message='Apply failed with 2 conflicts: conflicts with "first":\n'
                               '- .data.x\n- .data.y')
    assert st["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.x"},
        {"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.y"}]
    # An Update manager is named with its version and time.
    r = sim.request("PATCH", CMS + "/" + name + "?fieldManager=editor",
                    data='{"data":{"z":"1"}}',
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200
    assert ("editor", "Update") in managers(r.json())
    body["data"] = {"z": "2"}
    r = sim.request("PATCH", CMS + "/" + name + "?fieldManager=second", data=json.dumps(body),
                    headers=hdr)
    st = assert_status(r, 409, "Conflict",
                       message_prefix='Apply failed with 1 conflict: conflict with "editor" '
                                      'using v1 at ')
    # force takes ownership; apply without fieldManager is 422; force on a
    # non-apply patch is 422.
    r = sim.request("PATCH", CMS + "/" + name + "?fieldManager=second&force=true",
                    data=json.dumps(body), headers=hdr)
    assert r.status_code == 200 and r.json()["data"]["z"] == "2"
    r = sim.request("PATCH", CMS + "/" + name, data=json.dumps(body), headers=hdr)
    assert_status(r, 422, "Invalid", message_contains="fieldManager: Required value")
    r = sim.request("PATCH", CMS + "/" + name + "?force=true", data='{}',
                    headers={"Content-Type": "application/merge-patch+json"})
    assert_status(r, 422, "Invalid", message_contains="force: Forbidden")


def test_a1_a2_client_side_apply_unchanged(sim, kubectl, alive):
    name = unique("csa")
    f = sim.write_file(name + ".yaml", cm_yaml(name, {"a": "1"}))
    rc, out, err = kubectl("apply", "-f", f)
    assert rc == 0 and out.strip() == "configmap/%s created" % name, (out, err)
    sim.write_file(name + ".yaml", cm_yaml(name, {"a": "2", "b": "x"}))
    rc, out, err = kubectl("apply", "-f", f)
    assert rc == 0 and out.strip() == "configmap/%s configured" % name, (out, err)
    rc, out, err = kubectl("apply", "-f", f)
    assert rc == 0 and out.strip() == "configmap/%s unchanged" % name, (out, err)
    assert sim.get_json(CMS + "/" + name)["data"] == {"a": "2", "b": "x"}


def test_s1_bad_patches(sim, alive):
    name = unique("badp")
    assert sim.request("POST", CMS, json={"metadata": {"name": name}}).status_code == 201
    r = sim.request("PATCH", CMS + "/" + name, data="{not json",
                    headers={"Content-Type": "application/merge-patch+json"})
    assert_status(r, 400, "BadRequest")
    r = sim.request("PATCH", CMS + "/" + name, data='{"op":"add"}',
                    headers={"Content-Type": "application/json-patch+json"})
    assert_status(r, 400, "BadRequest")
    r = sim.request("PATCH", CMS + "/" + name, data="{}",
                    headers={"Content-Type": "text/plain"})
    assert_status(r, 415, "UnsupportedMediaType")
    r = sim.request("PATCH", CMS + "/" + name, data='[{"op":"replace","path":"/data/nope","value":"x"}]',
                    headers={"Content-Type": "application/json-patch+json"})
    assert_status(r, 422, "Invalid")


POD_SPEC = {
    "initContainers": [{"name": "i1", "image": "busybox"}],
    "containers": [{"name": "a", "image": "busybox",
                    "env": [{"name": "E1", "value": "1"}],
                    "ports": [{"containerPort": 80}],
                    "volumeMounts": [{"name": "v1", "mountPath": "/v1"}]}],
    "volumes": [{"name": "v1", "emptyDir": {}}],
    "tolerations": [{"key": "k1", "operator": "Exists"}],
}

SMP = {
    "initContainers": [{"name": "i2", "image": "busybox"}],
    "containers": [{"name": "a",
                    "env": [{"name": "E2", "value": "2"}],
                    "ports": [{"containerPort": 81}],
                    "volumeMounts": [{"name": "v2", "mountPath": "/v2"}]}],
    "volumes": [{"name": "v2", "emptyDir": {}}],
    "tolerations": [{"key": "k2", "operator": "Exists"}],
}


def check_smp(spec):
    c = spec.containers[0]
    assert [x.name for x in spec.init_containers] == ["i1", "i2"]
    assert [x.name for x in spec.containers] == ["a"] and c.image == "busybox"
    assert [x.name for x in c.env] == ["E1", "E2"]
    assert [x.container_port for x in c.ports] == [80, 81]
    assert [x.mount_path for x in c.volume_mounts] == ["/v1", "/v2"]
    assert [x.name for x in spec.volumes] == ["v1", "v2"]
    # tolerations are atomic in k8s.io/api (no patchMergeKey): replaced.
    assert [x.key for x in spec.tolerations] == ["k2"]


def kinds(api):
    from kubernetes import client
    v1, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    labels = {"app": "x"}

    def workload(name, kind):
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": labels},
                         "template": {"metadata": {"labels": labels},
                                      "spec": json.loads(json.dumps(POD_SPEC))}}}
    return {
        "pod": (lambda n: v1.create_namespaced_pod("default", {
                    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": n},
                    "spec": json.loads(json.dumps(POD_SPEC))}),
                lambda n, b: v1.patch_namespaced_pod(n, "default", b),
                lambda o: o.spec, ["spec"]),
        "deployment": (lambda n: apps.create_namespaced_deployment("default", workload(n, "Deployment")),
                       lambda n, b: apps.patch_namespaced_deployment(n, "default", b),
                       lambda o: o.spec.template.spec, ["spec", "template", "spec"]),
        "daemonset": (lambda n: apps.create_namespaced_daemon_set("default", workload(n, "DaemonSet")),
                      lambda n, b: apps.patch_namespaced_daemon_set(n, "default", b),
                      lambda o: o.spec.template.spec, ["spec", "template", "spec"]),
    }


def nest(path, value):
    for p in reversed(path):
        value = {p: value}
    return value


@pytest.mark.parametrize("kind", ["pod", "deployment", "daemonset"])
def test_a2_patch_kinds_python_client(sim, api, alive, kind):
    create, patch, spec_of, path = kinds(api)[kind]
    name = unique("pk")
    create(name)
    # strategic merge (the client's choice for a dict body)
    spec = spec_of(patch(name, nest(path, json.loads(json.dumps(SMP)))))
    check_smp(spec)
    # $patch: delete removes one keyed item
    body = nest(path, {"containers": [{"name": "a", "env": [{"name": "E1", "$patch": "delete"}]}]})
    spec = spec_of(patch(name, body))
    assert [x.name for x in spec.containers[0].env] == ["E2"]
    # JSON patch (a list body)
    ptr = "/" + "/".join(path) + "/containers/0/env/-"
    spec = spec_of(patch(name, [{"op": "add", "path": ptr, "value": {"name": "E3", "value": "3"}}]))
    assert [x.name for x in spec.containers[0].env] == ["E2", "E3"]
    # merge patch: lists are replaced as a whole
    api.set_default_header("Content-Type", "application/merge-patch+json")
    try:
        body = nest(path, {"containers": [{"name": "b", "image": "nginx"}]})
        spec = spec_of(patch(name, body))
    finally:
        del api.default_headers["Content-Type"]
    assert [x.name for x in spec.containers] == ["b"]


def test_a2_configmap_patch_kinds_python_client(sim, api, alive):
    from kubernetes import client
    v1 = client.CoreV1Api(api)
    name = unique("cmp")
    v1.create_namespaced_config_map("default", {"metadata": {"name": name, "finalizers": ["a/b"]},
                                                "data": {"a": "1"}})
    got = v1.patch_namespaced_config_map(name, "default", {"data": {"b": "2"},
                                                           "metadata": {"finalizers": ["c/d"]}})
    assert got.data == {"a": "1", "b": "2"}
    assert got.metadata.finalizers == ["a/b", "c/d"]  # patchStrategy merge
    got = v1.patch_namespaced_config_map(name, "default",
                                         [{"op": "remove", "path": "/data/a"},
                                          {"op": "remove", "path": "/metadata/finalizers"}])
    assert got.data == {"b": "2"} and not got.metadata.finalizers
    api.set_default_header("Content-Type", "application/merge-patch+json")
    try:
        got = v1.patch_namespaced_config_map(name, "default", {"data": {"b": None, "c": "3"}})
    finally:
        del api.default_headers["Content-Type"]
    assert got.data == {"c": "3"}
    v1.delete_namespaced_config_map(name, "default")


def test_update_operations_record_managers(sim, kubectl, alive):
    name = unique("upd")
    assert kubectl("create", "configmap", name, "--from-literal=a=1")[0] == 0
    rc, out, err = kubectl("patch", "configmap", name, "--type=merge", "-p", '{"data":{"b":"2"}}')
    assert rc == 0, err
    m = managers(sim.get_json(CMS + "/" + name))
    assert ("kubectl-create", "Update") in m, m.keys()
    assert ("kubectl-patch", "Update") in m, m.keys()
    assert "f:b" in m[("kubectl-patch", "Update")]["fieldsV1"]["f:data"]
    assert "f:b" not in m[("kubectl-create", "Update")]["fieldsV1"]["f:data"]


def webhook_yaml(name, client_config):
    return textwrap.dedent("""\
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata:
          name: %s
        webhooks:
        - name: a.%s.example.com
          admissionReviewVersions: ["v1"]
          sideEffects: None
          failurePolicy: Ignore
          timeoutSeconds: 3
          rules:
          - apiGroups: ["apply-test.invalid"]
            apiVersions: ["v1"]
            operations: ["CREATE"]
            resources: ["nothings"]
          clientConfig:
        """) % (name, name) + textwrap.indent(client_config, "      ")


def test_client_side_apply_webhook_url_to_service(sim, kubectl, alive):
    """kubectl apply switching clientConfig from url to service sends only
    the changed fields of the webhook (webhooks merge on name): rules,
    failurePolicy, ... stay, url goes (it was stored as null and the rest
    dropped while `webhooks` was an atomic list in the sim)."""
    name = unique("vwc")
    path = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/" + name
    f = sim.write_file(name + ".yaml", webhook_yaml(name, "url: https://127.0.0.1:1/v\n"))
    rc, out, err = kubectl("apply", "-f", f)
    assert rc == 0, (out, err)
    try:
        sim.write_file(name + ".yaml", webhook_yaml(
            name, "service: {name: svc, namespace: default, path: /v, port: 443}\n"))
        rc, out, err = kubectl("apply", "-f", f)
        assert rc == 0 and out.strip().endswith(" configured"), (out, err)
        hooks = sim.get_json(path)["webhooks"]
        assert len(hooks) == 1, hooks
        w = hooks[0]
        assert w["clientConfig"] == {"service": {"name": "svc", "namespace": "default",
                                                 "path": "/v", "port": 443}}, w
        assert w["failurePolicy"] == "Ignore" and w["timeoutSeconds"] == 3, w
        assert w["rules"][0]["resources"] == ["nothings"], w
        assert w["sideEffects"] == "None" and w["admissionReviewVersions"] == ["v1"], w
        rc, out, err = kubectl("apply", "-f", f)
        assert rc == 0 and out.strip().endswith(" unchanged"), (out, err)
    finally:
        kubectl("delete", "validatingwebhookconfiguration", name, "--ignore-not-found")
