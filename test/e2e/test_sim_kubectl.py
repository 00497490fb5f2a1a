# kc-test-labels: e2e
"""Acceptance: the real kubectl 1.32 against `kubecombo sim` over HTTPS with
the generated kubeconfig and DEFAULT validation (never --validate=false).

Each test is named after the k8s-api-checklist item it proves.
"""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from simlib import LineReader, json_stream, table, unique, wait_until

RFC3339_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

CRD_GROUP = "e2e.kubecombo.com"
CRD_NAME = "widgets." + CRD_GROUP
WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.e2e.kubecombo.com
spec:
  group: e2e.kubecombo.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    listKind: WidgetList
    shortNames: [wd]
    categories: [kce2e]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Size
      type: integer
      jsonPath: .spec.size
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Ready
      type: boolean
      jsonPath: .status.ready
    - name: Note
      type: string
      priority: 1
      jsonPath: .spec.note
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A widget used by the end-to-end tests.
        properties:
          spec:
            type: object
            description: Desired state of the widget.
            required: [size]
            properties:
              size:
                type: integer
                minimum: 1
                maximum: 10
                description: Number of sprockets in the widget.
              color:
                type: string
                enum: [red, green, blue]
                default: red
                description: Paint colour of the widget.
              note:
                type: string
                maxLength: 20
          status:
            type: object
            properties:
              ready:
                type: boolean
"""


def ok(res):
    rc, out, err = res
    assert rc == 0, "kubectl failed (rc=%d)\nstdout:\n%s\nstderr:\n%s" % (rc, out, err)
    return out


def cm_yaml(name, ns="default", labels=None, data=None):
    return yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": name, "namespace": ns,
                                        "labels": labels or {}},
                           "data": data or {"k": "v"}})


def create(sim, kubectl, text, name="obj.yaml"):
    path = sim.write_file(unique("f") + "-" + name, text)
    return kubectl("create", "-f", path)


@pytest.fixture(scope="module")
def widget_crd(sim):
    """The Widget CRD, created with kubectl once per module (if absent)."""
    rc, _, _ = sim.kubectl("get", "crd", CRD_NAME)
    if rc != 0:
        path = sim.write_file("widget-crd.yaml", WIDGET_CRD)
        ok(sim.kubectl("create", "-f", path))
    return CRD_NAME


@pytest.fixture(scope="module")
def ns(sim):
    """A namespace of this module's own, created with kubectl."""
    name = unique("kctl")
    ok(sim.kubectl("create", "namespace", name))
    return name


# --- discovery ------------------------------------------------------------

def test_D1_version(kubectl):
    out = ok(kubectl("version", "-o", "json"))
    v = json.loads(out)
    server = v.get("serverVersion")
    assert server, out
    for field in ("major", "minor", "gitVersion", "gitCommit", "gitTreeState",
                  "buildDate", "goVersion", "compiler", "platform"):
        assert field in server, (field, server)
    assert server["major"] == "1"
    minor = int(re.sub(r"\D", "", server["minor"]))
    assert 31 <= minor <= 33, server  # within kubectl 1.32's skew window
    assert server["gitVersion"].startswith("v1.")
    rc, out, err = kubectl("version")
    assert rc == 0 and "Server Version: v1." in out, (out, err)
    assert "WARNING: version difference" not in err


def _api_resources(kubectl, *extra):
    out = ok(kubectl("api-resources", *extra))
    names, rows = table(out)
    assert names[:5] == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], names
    return {(r["NAME"], r["APIVERSION"]): r for r in rows}


@pytest.mark.parametrize("name,api_version,short,namespaced,kind", [
    ("pods", "v1", "po", "true", "Pod"),
    ("configmaps", "v1", "cm", "true", "ConfigMap"),
    ("namespaces", "v1", "ns", "false", "Namespace"),
    ("nodes", "v1", "no", "false", "Node"),
    ("secrets", "v1", "", "true", "Secret"),
    ("serviceaccounts", "v1", "sa", "true", "ServiceAccount"),
    ("services", "v1", "svc", "true", "Service"),
    ("endpoints", "v1", "ep", "true", "Endpoints"),
    ("events", "v1", "ev", "true", "Event"),
    ("events", "events.k8s.io/v1", "ev", "true", "Event"),
    ("daemonsets", "apps/v1", "ds", "true", "DaemonSet"),
    ("deployments", "apps/v1", "deploy", "true", "Deployment"),
    ("leases", "coordination.k8s.io/v1", "", "true", "Lease"),
    ("roles", "rbac.authorization.k8s.io/v1", "", "true", "Role"),
    ("rolebindings", "rbac.authorization.k8s.io/v1", "", "true", "RoleBinding"),
    ("validatingwebhookconfigurations", "admissionregistration.k8s.io/v1", "",
     "false", "ValidatingWebhookConfiguration"),
    ("mutatingwebhookconfigurations", "admissionregistration.k8s.io/v1", "",
     "false", "MutatingWebhookConfiguration"),
    ("customresourcedefinitions", "apiextensions.k8s.io/v1", "crd,crds", "false",
     "CustomResourceDefinition"),
])
def test_D4_api_resources(kubectl, name, api_version, short, namespaced, kind):
    res = _api_resources(kubectl)
    row = res.get((name, api_version))
    assert row, "%s %s missing from api-resources: %s" % (name, api_version, sorted(res))
    assert row["SHORTNAMES"] == short, row
    assert row["NAMESPACED"] == namespaced, row
    assert row["KIND"] == kind, row


def test_D4_api_resources_wide_verbs_and_group_filter(kubectl):
    out = ok(kubectl("api-resources", "-o", "wide", "--api-group=apps"))
    names, rows = table(out)
    assert "VERBS" in names, names
    by = {r["NAME"]: r for r in rows}
    assert set(by) >= {"daemonsets", "deployments"}, by
    for r in rows:
        assert r["APIVERSION"].startswith("apps/"), r
    verbs = by["daemonsets"]["VERBS"]
    for v in ("create", "delete", "get", "list", "update", "watch"):
        assert v in verbs, verbs


def test_D4_crd_appears_in_api_resources(kubectl, widget_crd):
    res = _api_resources(kubectl)
    row = res.get(("widgets", CRD_GROUP + "/v1"))
    assert row, sorted(res)
    assert row["SHORTNAMES"] == "wd" and row["KIND"] == "Widget", row
    out = ok(kubectl("api-versions"))
    assert CRD_GROUP + "/v1" in out.split()


# --- tables ---------------------------------------------------------------

def test_T1_get_nodes_table_three_ready(kubectl):
    names, rows = table(ok(kubectl("get", "nodes")))
    assert names == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"], names
    assert len(rows) == 3, rows
    for r in rows:
        assert r["STATUS"] == "Ready", r  # untainted, schedulable, Ready
        assert r["VERSION"].startswith("v1."), r
        assert r["AGE"] and r["AGE"] != "<unknown>", r


def test_T1_get_nodes_wide(kubectl):
    names, rows = table(ok(kubectl("get", "nodes", "-o", "wide")))
    assert names == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP",
                     "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                     "CONTAINER-RUNTIME"], names
    assert len(rows) == 3
    for r in rows:
        assert re.match(r"^\d+\.\d+\.\d+\.\d+$", r["INTERNAL-IP"]), r


def test_T1_get_namespaces(kubectl):
    names, rows = table(ok(kubectl("get", "namespaces")))
    assert names == ["NAME", "STATUS", "AGE"], names
    by = {r["NAME"]: r for r in rows}
    for n in ("default", "kube-system"):
        assert by.get(n, {}).get("STATUS") == "Active", by


def test_T1_get_configmaps_data_column(sim, kubectl, ns):
    name = unique("cm")
    ok(create(sim, kubectl, cm_yaml(name, ns, data={"a": "1", "b": "2", "c": "3"})))
    names, rows = table(ok(kubectl("get", "configmaps", "-n", ns)))
    assert names == ["NAME", "DATA", "AGE"], names
    row = {r["NAME"]: r for r in rows}[name]
    assert row["DATA"] == "3", row


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: {ns}
  labels: {{app: e2e}}
spec:
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
"""


def test_T1_get_pods_table_and_wide(sim, kubectl, ns):
    name = unique("pod")
    ok(create(sim, kubectl, POD.format(name=name, ns=ns)))
    names, rows = table(ok(kubectl("get", "pods", "-n", ns)))
    assert names == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"], names
    row = {r["NAME"]: r for r in rows}[name]
    assert re.match(r"^[01]/1$", row["READY"]), row
    assert row["STATUS"] in ("Pending", "ContainerCreating", "Running"), row
    assert row["RESTARTS"].split(" ")[0] == "0", row
    names, rows = table(ok(kubectl("get", "pods", "-n", ns, "-o", "wide")))
    assert names == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                     "NOMINATED NODE", "READINESS GATES"], names


ZOO = """\
apiVersion: v1
kind: Secret
metadata: {{name: s1, namespace: {ns}}}
type: Opaque
stringData: {{a: b}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: sa1, namespace: {ns}}}
---
apiVersion: v1
kind: Service
metadata: {{name: svc1, namespace: {ns}}}
spec:
  selector: {{app: zoo}}
  ports: [{{port: 80, targetPort: 8080, protocol: TCP}}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {{name: lease1, namespace: {ns}}}
spec: {{holderIdentity: me, leaseDurationSeconds: 15}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: role1, namespace: {ns}}}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: rb1, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role1}}
subjects:
- {{kind: ServiceAccount, name: sa1, namespace: {ns}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: dep1, namespace: {ns}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: dep1}}}}
  template:
    metadata: {{labels: {{app: dep1}}}}
    spec:
      containers: [{{name: c, image: "busybox:1.36"}}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: ds1, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: ds1}}}}
  template:
    metadata: {{labels: {{app: ds1}}}}
    spec:
      containers: [{{name: c, image: "busybox:1.36"}}]
"""


@pytest.fixture(scope="module")
def zoo(sim, ns):
    """One object of several built-in kinds, created with `kubectl create -f`."""
    path = sim.write_file("zoo.yaml", ZOO.format(ns=ns))
    return sim.kubectl("create", "-f", path)


def test_A1_create_f_multi_kind_default_validation(zoo):
    out = ok(zoo)
    for what in ("secret/s1", "serviceaccount/sa1", "service/svc1",
                 "lease.coordination.k8s.io/lease1", "role.rbac.authorization.k8s.io/role1",
                 "rolebinding.rbac.authorization.k8s.io/rb1", "deployment.apps/dep1",
                 "daemonset.apps/ds1"):
        assert what + " created" in out, out


@pytest.mark.parametrize("resource,columns", [
    ("secrets", ["NAME", "TYPE", "DATA", "AGE"]),
    ("serviceaccounts", ["NAME", "SECRETS", "AGE"]),
    ("services", ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]),
    ("leases", ["NAME", "HOLDER", "AGE"]),
    ("roles", ["NAME", "CREATED AT"]),
    ("rolebindings", ["NAME", "ROLE", "AGE"]),
    ("deployments", ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]),
    ("daemonsets", ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE",
                    "NODE SELECTOR", "AGE"]),
])
def test_T1_builtin_table_columns(kubectl, ns, zoo, resource, columns):
    ok(zoo)
    names, rows = table(ok(kubectl("get", resource, "-n", ns)))
    assert names == columns, names
    assert rows, resource


def test_T1_table_cells(kubectl, ns, zoo):
    ok(zoo)
    rows = {r["NAME"]: r for r in table(ok(kubectl("get", "secrets", "-n", ns)))[1]}
    assert rows["s1"]["TYPE"] == "Opaque" and rows["s1"]["DATA"] == "1", rows
    rows = {r["NAME"]: r for r in table(ok(kubectl("get", "svc", "-n", ns)))[1]}
    assert rows["svc1"]["TYPE"] == "ClusterIP" and rows["svc1"]["PORT(S)"] == "80/TCP", rows
    rows = {r["NAME"]: r for r in table(ok(kubectl("get", "leases", "-n", ns)))[1]}
    assert rows["lease1"]["HOLDER"] == "me", rows
    rows = {r["NAME"]: r for r in table(ok(kubectl("get", "rolebindings", "-n", ns)))[1]}
    assert rows["rb1"]["ROLE"] == "Role/role1", rows


def test_T1_crd_table(kubectl, widget_crd):
    names, rows = table(ok(kubectl("get", "crd")))
    assert names == ["NAME", "CREATED AT"], names
    assert CRD_NAME in {r["NAME"] for r in rows}


def test_T2_get_all_namespaces(sim, kubectl, ns):
    name = unique("cm")
    ok(create(sim, kubectl, cm_yaml(name, ns)))
    names, rows = table(ok(kubectl("get", "configmaps", "-A")))
    assert names == ["NAMESPACE", "NAME", "DATA", "AGE"], names
    match = [r for r in rows if r["NAME"] == name]
    assert len(match) == 1 and match[0]["NAMESPACE"] == ns, match


def test_T2_show_labels(sim, kubectl, ns):
    name = unique("cm")
    ok(create(sim, kubectl, cm_yaml(name, ns, labels={"tier": "web", "app": "x"})))
    names, rows = table(ok(kubectl("get", "configmap", name, "-n", ns, "--show-labels")))
    assert names == ["NAME", "DATA", "AGE", "LABELS"], names
    assert rows[0]["LABELS"] == "app=x,tier=web", rows


def test_get_o_yaml_and_C1_C8_system_fields(sim, kubectl, ns):
    name = unique("cm")
    ok(create(sim, kubectl, cm_yaml(name, ns, data={"x": "hello"})))
    obj = yaml.safe_load(ok(kubectl("get", "configmap", name, "-n", ns, "-o", "yaml")))
    assert obj["apiVersion"] == "v1" and obj["kind"] == "ConfigMap", obj
    md = obj["metadata"]
    assert md["name"] == name and md["namespace"] == ns
    assert re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                    md["uid"]), md
    assert RFC3339_SECONDS.match(str(md["creationTimestamp"])), md
    assert md["resourceVersion"].isdigit(), md
    assert obj["data"] == {"x": "hello"}


def test_get_o_json_list(sim, kubectl, ns):
    name = unique("cm")
    ok(create(sim, kubectl, cm_yaml(name, ns)))
    doc = json.loads(ok(kubectl("get", "configmaps", "-n", ns, "-o", "json")))
    assert doc["kind"] == "List" and doc["apiVersion"] == "v1", doc.keys()
    items = {i["metadata"]["name"]: i for i in doc["items"]}
    assert name in items
    assert items[name]["kind"] == "ConfigMap" and items[name]["apiVersion"] == "v1"
    one = json.loads(ok(kubectl("get", "configmap", name, "-n", ns, "-o", "json")))
    assert one["metadata"]["uid"] == items[name]["metadata"]["uid"]


def test_C7_label_selector(sim, kubectl, ns):
    run = unique("r")
    ok(create(sim, kubectl, "---\n".join([
        cm_yaml("ls-a-" + run, ns, labels={"run": run, "tier": "web"}),
        cm_yaml("ls-b-" + run, ns, labels={"run": run, "tier": "db"}),
        cm_yaml("ls-c-" + run, ns, labels={"run": run}),
    ])))

    def names(*sel):
        out = ok(kubectl("get", "configmaps", "-n", ns, "-o", "name", "-l", ",".join(sel)))
        return sorted(l.split("/", 1)[1] for l in out.split())

    a, b, c = "ls-a-" + run, "ls-b-" + run, "ls-c-" + run
    r = "run=" + run
    assert names(r) == [a, b, c]
    assert names(r, "tier=web") == [a]
    assert names(r, "tier==db") == [b]
    assert names(r, "tier!=web") == [b, c]
    assert names(r, "tier in (web,db)") == [a, b]
    assert names(r, "tier notin (web)") == [b, c]
    assert names(r, "tier") == [a, b]
    assert names(r, "!tier") == [c]
    rc, out, err = kubectl("get", "configmaps", "-n", ns, "-l", r + ",tier=nomatch")
    assert rc == 0 and "No resources found" in err, (out, err)


def test_C7_field_selector(sim, kubectl, ns):
    name = unique("cm")
    ok(create(sim, kubectl, cm_yaml(name, ns)))
    out = ok(kubectl("get", "configmaps", "-n", ns, "-o", "name",
                     "--field-selector", "metadata.name=" + name))
    assert out.split() == ["configmap/" + name], out
    out = ok(kubectl("get", "configmaps", "-A", "-o", "name",
                     "--field-selector", "metadata.namespace=%s,metadata.name!=%s" % (ns, name)))
    assert "configmap/" + name not in out.split()
    out = ok(kubectl("get", "namespaces", "-o", "name",
                     "--field-selector", "metadata.name=" + ns))
    assert out.split() == ["namespace/" + ns], out
    rc, out, err = kubectl("get", "configmaps", "-n", ns, "--field-selector", "spec.foo=bar")
    assert rc != 0 and "BadRequest" in err and '"spec.foo" is not a known field selector' in err, err


def test_C7_pod_field_selector_node_name(sim, kubectl, ns):
    node = table(ok(kubectl("get", "nodes")))[1][0]["NAME"]
    name = unique("pod")
    text = POD.format(name=name, ns=ns).replace(
        "  containers:", "  nodeName: %s\n  containers:" % node)
    ok(create(sim, kubectl, text))
    out = ok(kubectl("get", "pods", "-n", ns, "-o", "name",
                     "--field-selector", "spec.nodeName=" + node))
    assert "pod/" + name in out.split(), out
    out = ok(kubectl("get", "pods", "-n", ns, "-o", "name",
                     "--field-selector", "spec.nodeName=no-such-node"))
    assert "pod/" + name not in out.split(), out


# --- watch ----------------------------------------------------------------

def _watch_until(reader, pred, timeout=30):
    return wait_until(lambda: pred(json_stream(reader.text())), timeout=timeout,
                      what="watch output")


def test_W2_get_watch_sees_added_modified_deleted(sim, kubectl, ns):
    name = unique("w")
    run = unique("r")
    ok(create(sim, kubectl, cm_yaml(name, ns, labels={"run": run}, data={"v": "1"})))
    proc = sim.kubectl_popen("get", "configmaps", "-n", ns, "-l", "run=" + run, "-w",
                             "--output-watch-events", "-o", "json")
    reader = LineReader(proc)
    try:
        _watch_until(reader, lambda evs: any(e.get("type") == "ADDED" for e in evs))
        path = sim.write_file(unique("upd") + ".yaml",
                              cm_yaml(name, ns, labels={"run": run}, data={"v": "2"}))
        ok(kubectl("replace", "-f", path))
        _watch_until(reader, lambda evs: any(e.get("type") == "MODIFIED" for e in evs))
        ok(kubectl("delete", "configmap", name, "-n", ns, "--timeout=30s"))
        _watch_until(reader, lambda evs: any(e.get("type") == "DELETED" for e in evs))
    finally:
        out, err = reader.stop()
    events = json_stream(out)
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"], (out, err)
    for e in events:
        assert e["object"]["kind"] == "ConfigMap" and e["object"]["metadata"]["name"] == name
    assert events[1]["object"]["data"] == {"v": "2"}
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3, rvs


def test_T4_get_watch_table_rows(sim, kubectl, ns):
    run = unique("r")
    first, second = unique("t4a"), unique("t4b")
    ok(create(sim, kubectl, cm_yaml(first, ns, labels={"run": run})))
    proc = sim.kubectl_popen("get", "configmaps", "-n", ns, "-l", "run=" + run, "-w",
                             "--output-watch-events")
    reader = LineReader(proc)
    try:
        wait_until(lambda: first in reader.text(), timeout=30, what="initial row")
        ok(create(sim, kubectl, cm_yaml(second, ns, labels={"run": run})))
        wait_until(lambda: second in reader.text(), timeout=30, what="row of new object")
    finally:
        out, err = reader.stop()
    names, rows = table(out)
    assert names == ["EVENT", "NAME", "DATA", "AGE"], (out, err)
    assert [(r["EVENT"], r["NAME"], r["DATA"]) for r in rows] == [
        ("ADDED", first, "1"), ("ADDED", second, "1")], out


def test_W1_get_single_object_watch(sim, kubectl, ns):
    name = unique("one")
    ok(create(sim, kubectl, cm_yaml(name, ns)))
    proc = sim.kubectl_popen("get", "configmap", name, "-n", ns, "-w",
                             "--output-watch-events", "-o", "json")
    reader = LineReader(proc)
    try:
        _watch_until(reader, lambda evs: len(evs) >= 1)
        ok(kubectl("delete", "configmap", name, "-n", ns, "--timeout=30s"))
        _watch_until(reader, lambda evs: any(e.get("type") == "DELETED" for e in evs))
    finally:
        out, err = reader.stop()
    types = [e["type"] for e in json_stream(out)]
    assert types[0] == "ADDED" and types[-1] == "DELETED", (types, err)


# --- create / delete ------------------------------------------------------

def test_A1_create_f_default_validation(sim, kubectl, ns):
    name = unique("cm")
    out = ok(create(sim, kubectl, cm_yaml(name, ns, data={"hello": "world"})))
    assert out.strip() == "configmap/%s created" % name, out
    obj = json.loads(ok(kubectl("get", "cm", name, "-n", ns, "-o", "json")))
    assert obj["data"] == {"hello": "world"}
    rc, out, err = create(sim, kubectl, cm_yaml(name, ns))
    assert rc != 0 and "AlreadyExists" in err and \
        'configmaps "%s" already exists' % name in err, err


def test_O2_create_f_typo_field_names_it(sim, kubectl, ns):
    name = unique("typo")
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: %s\n" \
           "dta:\n  a: b\n" % (name, ns)
    rc, out, err = create(sim, kubectl, text)
    assert rc != 0, out
    assert 'unknown field "dta"' in err, err
    rc, _, err = kubectl("get", "cm", name, "-n", ns)
    assert rc != 0 and "NotFound" in err, err


def test_O2_create_f_nested_typo_field_names_it(sim, kubectl, ns):
    name = unique("typo")
    text = POD.format(name=name, ns=ns).replace("image:", "imagee:")
    rc, out, err = create(sim, kubectl, text)
    assert rc != 0, out
    assert 'unknown field "spec.containers[0].imagee"' in err, err


def test_A4_delete_returns_once_gone(sim, kubectl, ns):
    name = unique("del")
    ok(create(sim, kubectl, cm_yaml(name, ns)))
    out = ok(kubectl("delete", "configmap", name, "-n", ns, "--timeout=30s"))
    assert 'configmap "%s" deleted' % name in out, out
    rc, out, err = kubectl("get", "configmap", name, "-n", ns)
    assert rc == 1, (out, err)
    assert 'Error from server (NotFound): configmaps "%s" not found' % name in err, err


def test_A4_delete_pod_returns_once_gone(sim, kubectl, ns):
    name = unique("delpod")
    ok(create(sim, kubectl, POD.format(name=name, ns=ns)))
    out = ok(kubectl("delete", "pod", name, "-n", ns, "--timeout=60s", timeout=90))
    assert 'pod "%s" deleted' % name in out, out
    rc, _, err = kubectl("get", "pod", name, "-n", ns)
    assert rc == 1 and 'pods "%s" not found' % name in err, err


def test_A4_delete_namespaced_in_apps_group(sim, kubectl, ns, zoo):
    ok(zoo)
    ok(kubectl("delete", "deployment", "dep1", "-n", ns, "--timeout=60s", timeout=90))
    rc, _, err = kubectl("get", "deployment", "dep1", "-n", ns)
    assert rc == 1 and 'deployments.apps "dep1" not found' in err, err


# --- CRDs -----------------------------------------------------------------

def test_T3_crd_created_with_kubectl_served_at_once_with_printer_columns(sim, kubectl):
    group = "t3.kubecombo.com"
    crd = WIDGET_CRD.replace(CRD_GROUP, group).replace("widgets", "doohickeys") \
        .replace("widget", "doohickey").replace("Widget", "Doohickey") \
        .replace("[wd]", "[dh]")
    path = sim.write_file("doohickey-crd.yaml", crd)
    ok(kubectl("create", "-f", path))
    name = unique("dh")
    # No wait: the CRD must be served as soon as the create returned.
    obj = {"apiVersion": group + "/v1", "kind": "Doohickey",
           "metadata": {"name": name, "namespace": "default"},
           "spec": {"size": 3, "note": "hello"}}
    ok(kubectl("create", "-f", sim.write_file(name + ".yaml", yaml.safe_dump(obj))))
    names, rows = table(ok(kubectl("get", "doohickeys", "-n", "default")))
    assert names == ["NAME", "SIZE", "COLOR", "READY", "AGE"], names
    row = {r["NAME"]: r for r in rows}[name]
    assert row["SIZE"] == "3", row
    assert row["COLOR"] == "red", row          # schema default applied
    # missing .status.ready: the server sends a null cell (api:T3), which
    # kubectl 1.32 prints as an empty cell
    assert row["READY"] == "", row
    tbl = sim.request("GET", "/apis/%s/v1/namespaces/default/doohickeys/%s" % (group, name),
                      headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}).json()
    assert tbl["kind"] == "Table", tbl
    assert tbl["rows"][0]["cells"][3] is None, tbl["rows"][0]["cells"]
    assert re.match(r"^\d+s$", row["AGE"]), row  # date column as duration
    names, rows = table(ok(kubectl("get", "dh", "-n", "default", "-o", "wide")))
    assert names == ["NAME", "SIZE", "COLOR", "READY", "NOTE", "AGE"], names
    assert {r["NAME"]: r for r in rows}[name]["NOTE"] == "hello"
    # status subresource: the main resource ignores status, /status sets it
    cur = sim.get_json("/apis/%s/v1/namespaces/default/doohickeys/%s" % (group, name))
    cur["status"] = {"ready": True}
    r = sim.request("PUT", "/apis/%s/v1/namespaces/default/doohickeys/%s/status"
                    % (group, name), json=cur)
    assert r.status_code == 200, r.text
    rows = {r["NAME"]: r for r in table(ok(kubectl("get", "doohickeys", "-n", "default")))[1]}
    assert rows[name]["READY"] == "true", rows
    # categories reach kubectl through discovery
    out = ok(kubectl("get", "kce2e", "-n", "default", "-o", "name"))
    assert "doohickey.%s/%s" % (group, name) in out.split(), out


def test_T3_crd_without_printer_columns_name_age(sim, kubectl):
    group = "plain.kubecombo.com"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "plains." + group},
           "spec": {"group": group, "scope": "Cluster",
                    "names": {"plural": "plains", "singular": "plain", "kind": "Plain"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {
                                      "type": "object",
                                      "x-kubernetes-preserve-unknown-fields": True}}}]}}
    ok(kubectl("create", "-f", sim.write_file("plain-crd.yaml", yaml.safe_dump(crd))))
    obj = {"apiVersion": group + "/v1", "kind": "Plain", "metadata": {"name": "p1"},
           "anything": {"goes": 1}}
    ok(kubectl("create", "-f", sim.write_file("plain.yaml", yaml.safe_dump(obj))))
    names, rows = table(ok(kubectl("get", "plains")))
    assert names == ["NAME", "AGE"] and rows[0]["NAME"] == "p1", (names, rows)
    got = json.loads(ok(kubectl("get", "plain", "p1", "-o", "json")))
    assert got["anything"] == {"goes": 1}


def test_O3_explain_custom_resource_field(kubectl, widget_crd):
    out = ok(kubectl("explain", "widgets.spec.size"))
    assert re.search(r"KIND:\s+Widget", out), out
    assert re.search(r"FIELD:\s+size\s+<integer>", out), out
    assert "Number of sprockets in the widget." in out, out
    out = ok(kubectl("explain", "widgets.spec"))
    assert "Desired state of the widget." in out, out
    assert re.search(r"size\s+<integer>\s+-required-", out), out
    assert re.search(r"color\s+<string>", out), out


def test_O2_create_f_custom_resource_schema_errors(sim, kubectl, widget_crd):
    name = unique("wd")
    bad = {"apiVersion": CRD_GROUP + "/v1", "kind": "Widget",
           "metadata": {"name": name, "namespace": "default"},
           "spec": {"size": 3, "sise": 4}}
    rc, out, err = kubectl("create", "-f", sim.write_file(name + ".yaml", yaml.safe_dump(bad)))
    assert rc != 0 and 'unknown field "spec.sise"' in err, (out, err)
    bad["spec"] = {"size": 11, "color": "pink"}
    rc, out, err = kubectl("create", "-f", sim.write_file(name + "2.yaml", yaml.safe_dump(bad)))
    assert rc != 0 and "is invalid" in err, err
    assert "spec.size" in err and "spec.color" in err, err
    assert 'Unsupported value: "pink"' in err, err
    bad["spec"] = {"color": "blue"}
    rc, out, err = kubectl("create", "-f", sim.write_file(name + "3.yaml", yaml.safe_dump(bad)))
    assert rc != 0 and "spec.size: Required value" in err, err


# --- authentication -------------------------------------------------------

def test_K2_bad_token_unauthorized(sim, kubectl):
    doc = yaml.safe_load(open(sim.kubeconfig_path))
    changed = 0
    for u in doc["users"]:
        if u.get("user", {}).get("token"):
            u["user"]["token"] = "not-" + u["user"]["token"]
            changed += 1
    assert changed, "kubeconfig has no bearer-token user"
    doc["current-context"] = sim.kc.token_context
    path = sim.write_file("bad-token.kubeconfig", yaml.safe_dump(doc))
    rc, out, err = kubectl("get", "namespaces", kubeconfig=path)
    assert rc != 0, out
    # kubectl 1.32's wording for a 401 during discovery (same against kube-apiserver)
    assert "error: You must be logged in to the server" in err, err
    r = sim.session().get(sim.kc.server + "/api/v1/namespaces",
                          headers={"Authorization": "Bearer wrong"}, timeout=30)
    assert r.status_code == 401, r.text
    body = r.json()
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "message": "Unauthorized",
                    "reason": "Unauthorized", "code": 401}, body


def test_K2_no_credentials_unauthorized(sim):
    import requests
    r = requests.get(sim.kc.server + "/api/v1/namespaces", verify=sim.kc.ca_file, timeout=30)
    assert r.status_code == 401, r.text
    assert r.json()["reason"] == "Unauthorized"


def test_K2_client_certificate_context(sim, kubectl):
    assert sim.kc.cert_context, "kubeconfig has no client-certificate user: %s" % sim.kc.contexts
    names, rows = table(ok(kubectl("--context", sim.kc.cert_context, "get", "nodes")))
    assert len(rows) == 3 and all(r["STATUS"] == "Ready" for r in rows), rows


def test_K2_foreign_client_certificate_rejected(sim, kubectl):
    if not shutil.which("openssl"):
        pytest.skip("SKIP: openssl CLI missing")
    key = os.path.join(sim.workdir, "foreign.key")
    crt = os.path.join(sim.workdir, "foreign.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    key, "-out", crt, "-days", "1", "-subj", "/CN=admin/O=system:masters"],
                   check=True, capture_output=True, timeout=60)
    doc = yaml.safe_load(open(sim.kubeconfig_path))
    cluster = [c for c in doc["contexts"] if c["name"] == sim.kc.current_context][0]
    cluster = cluster["context"]["cluster"]
    doc["users"] = [{"name": "foreign", "user": {"client-certificate": crt, "client-key": key}}]
    doc["contexts"] = [{"name": "foreign", "context": {"cluster": cluster, "user": "foreign"}}]
    doc["current-context"] = "foreign"
    path = sim.write_file("foreign.kubeconfig", yaml.safe_dump(doc))
    rc, out, err = kubectl("get", "namespaces", kubeconfig=path)
    assert rc != 0, out
    assert "You must be logged in to the server" in err or "certificate" in err, err
