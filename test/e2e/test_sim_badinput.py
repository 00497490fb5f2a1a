# kc-test-labels: e2e
"""Bad input: every malformed request gets the exact Status of api:S1, never a
crash and never a changed object. Raw HTTPS with the kubeconfig's CA and token.
"""
import json

import pytest

from simlib import assert_status, unique

CM_PATH = "/api/v1/namespaces/%s/configmaps"


@pytest.fixture
def existing(sim, alive):
    """A ConfigMap that each bad request must leave untouched."""
    name = unique("keep")
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "labels": {"k": "v"}}, "data": {"a": "1"}}
    r = sim.request("POST", CM_PATH % "default", json=body)
    assert r.status_code == 201, r.text
    before = r.json()
    yield before
    after = sim.get_json(CM_PATH % "default" + "/" + name)
    assert after == before, "object changed by a rejected request"


def url(name=""):
    return CM_PATH % "default" + ("/" + name if name else "")


def post_raw(sim, path, data, ctype="application/json", **kw):
    return sim.request("POST", path, data=data, headers={"Content-Type": ctype}, **kw)


def test_S1_malformed_json_create_400(sim, alive):
    name = unique("mal")
    for data in (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"'
                 % name.encode(), b"not json at all", b"", b"[1,2,3]",
                 b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"},'
                 b'"data":{"a":1}}' % name.encode()):
        r = post_raw(sim, url(), data)
        assert_status(r, 400, "BadRequest")
    r = sim.request("GET", url(name))
    assert_status(r, 404, "NotFound")


def test_S1_wrong_json_types_400(sim, alive):
    # YAML `x: y` reaches the server as {"x": true}; ConfigMap data is map[string]string
    name = unique("typ")
    for data in ({"x": True}, {"x": 1}, ["a"], "s"):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                "data": data}
        r = sim.request("POST", url(), json=body)
        assert_status(r, 400, "BadRequest")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": "x"}}
    assert_status(sim.request("POST", url(), json=body), 400, "BadRequest")
    assert sim.request("GET", url(name)).status_code == 404


def test_S1_malformed_json_replace_400_object_unchanged(sim, existing):
    name = existing["metadata"]["name"]
    r = sim.request("PUT", url(name), data=b'{"metadata": {"name": "' + name.encode(),
                    headers={"Content-Type": "application/json"})
    assert_status(r, 400, "BadRequest")


def test_O2_unknown_field_strict_400(sim, alive):
    name = unique("strict")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "dta": {"a": "b"}}
    r = sim.request("POST", url() + "?fieldValidation=Strict", json=body)
    assert_status(r, 400, "BadRequest", message_contains='strict decoding error: unknown field "dta"')
    assert sim.request("GET", url(name)).status_code == 404
    # nested unknown field, full path in the message
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "lables": {"a": "b"}}}
    r = sim.request("POST", url() + "?fieldValidation=Strict", json=body)
    assert_status(r, 400, "BadRequest", message_contains='unknown field "metadata.lables"')
    assert sim.request("GET", url(name)).status_code == 404


def test_O2_unknown_field_strict_on_replace_object_unchanged(sim, existing):
    name = existing["metadata"]["name"]
    body = dict(existing)
    body["dta"] = {"x": "y"}
    body["data"] = {"a": "changed"}
    r = sim.request("PUT", url(name) + "?fieldValidation=Strict", json=body)
    assert_status(r, 400, "BadRequest", message_contains='unknown field "dta"')


def test_O2_duplicate_field_strict_400(sim, alive):
    name = unique("dup")
    data = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"},'
            '"data":{"a":"1"},"data":{"b":"2"}}' % name).encode()
    r = post_raw(sim, url() + "?fieldValidation=Strict", data)
    assert_status(r, 400, "BadRequest", message_contains='duplicate field "data"')
    assert sim.request("GET", url(name)).status_code == 404


def test_O2_unknown_field_ignore_and_warn(sim, alive):
    name = unique("ign")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "dta": {"a": "b"}}
    r = sim.request("POST", url() + "?fieldValidation=Ignore", json=body)
    assert r.status_code == 201, r.text
    assert "dta" not in r.json()
    body["metadata"]["name"] = name + "-w"
    r = sim.request("POST", url() + "?fieldValidation=Warn", json=body)
    assert r.status_code == 201, r.text
    warning = r.headers.get("Warning", "")
    assert warning.startswith("299 - ") and "unknown field" in warning and "dta" in warning, \
        r.headers


def test_S1_invalid_name_422(sim, alive):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}
    r = sim.request("POST", url(), json=body)
    st = assert_status(
        r, 422, "Invalid",
        message_prefix='ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
                       'a lowercase RFC 1123 subdomain must consist of',
        details={"name": "Bad_Name", "group": "", "kind": "ConfigMap"})
    causes = st["details"].get("causes")
    assert causes and causes[0]["field"] == "metadata.name", st
    assert causes[0]["reason"] == "FieldValueInvalid", st
    assert causes[0]["message"].startswith('Invalid value: "Bad_Name"'), st
    assert sim.request("GET", url("Bad_Name")).status_code in (404,)


def test_S1_invalid_namespace_name_dns_label_422(sim, alive):
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}
    r = sim.request("POST", "/api/v1/namespaces", json=body)
    st = assert_status(r, 422, "Invalid", message_prefix='Namespace "a.b" is invalid: metadata.name',
                       details={"name": "a.b", "kind": "Namespace"})
    assert st["details"]["causes"][0]["field"] == "metadata.name"
    assert "RFC 1123 label" in st["message"], st


def test_S1_invalid_apps_group_details(sim, alive):
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "Bad_Dep"},
            "spec": {"selector": {"matchLabels": {"a": "b"}},
                     "template": {"metadata": {"labels": {"a": "b"}},
                                  "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    r = sim.request("POST", "/apis/apps/v1/namespaces/default/deployments", json=body)
    assert_status(r, 422, "Invalid", message_prefix='Deployment.apps "Bad_Dep" is invalid: ',
                  details={"name": "Bad_Dep", "group": "apps", "kind": "Deployment"})


def test_S1_missing_name_422(sim, alive):
    r = sim.request("POST", url(), json={"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {}})
    st = assert_status(r, 422, "Invalid")
    assert any(c.get("field") == "metadata.name" for c in st["details"]["causes"]), st


@pytest.mark.parametrize("selector", ["a in (b", "!!a", "a=b=c", "a in b", "=x", "a b"])
def test_C7_bad_label_selector_400(sim, alive, selector):
    r = sim.request("GET", url(), params={"labelSelector": selector})
    assert_status(r, 400, "BadRequest")
    r = sim.request("GET", url(), params={"labelSelector": selector, "watch": "true",
                                          "timeoutSeconds": "2"})
    assert_status(r, 400, "BadRequest")


def test_C7_bad_field_selector_400(sim, alive):
    r = sim.request("GET", url(), params={"fieldSelector": "spec.foo=bar"})
    assert_status(r, 400, "BadRequest",
                  message='"spec.foo" is not a known field selector: only "metadata.name", '
                          '"metadata.namespace"')
    r = sim.request("GET", url(), params={"fieldSelector": "metadata.name"})
    assert_status(r, 400, "BadRequest")


def test_C1_namespace_mismatch_400(sim, alive):
    name = unique("nsm")
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "kube-system"}}
    r = sim.request("POST", url(), json=body)
    assert_status(r, 400, "BadRequest",
                  message="the namespace of the provided object does not match the namespace "
                          "sent on the request")
    assert sim.request("GET", url(name)).status_code == 404
    assert sim.request("GET", CM_PATH % "kube-system" + "/" + name).status_code == 404


def test_C1_namespace_mismatch_on_replace_400(sim, existing):
    name = existing["metadata"]["name"]
    body = json.loads(json.dumps(existing))
    body["metadata"]["namespace"] = "kube-system"
    body["data"] = {"a": "changed"}
    r = sim.request("PUT", url(name), json=body)
    assert_status(r, 400, "BadRequest",
                  message_contains="does not match the namespace sent on the request")


def test_C1_name_mismatch_on_replace_400(sim, existing):
    name = existing["metadata"]["name"]
    body = json.loads(json.dumps(existing))
    body["metadata"]["name"] = name + "-other"
    r = sim.request("PUT", url(name), json=body)
    assert_status(r, 400, "BadRequest",
                  message_contains="the name of the object (%s-other) does not match the name on "
                                   "the URL (%s)" % (name, name))


def test_S1_body_over_3mib_413(sim, alive):
    name = unique("big")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"big": "x" * (3 * 1024 * 1024 + 1024)}}
    r = sim.request("POST", url(), json=body, timeout=60)
    assert_status(r, 413, "RequestEntityTooLarge")
    assert sim.request("GET", url(name)).status_code == 404


def test_S1_body_over_3mib_on_replace_413_object_unchanged(sim, existing):
    name = existing["metadata"]["name"]
    body = json.loads(json.dumps(existing))
    body["data"] = {"big": "y" * (3 * 1024 * 1024 + 10)}
    r = sim.request("PUT", url(name), json=body, timeout=60)
    assert_status(r, 413, "RequestEntityTooLarge")


def test_C2_stale_resource_version_put_409(sim, existing):
    name = existing["metadata"]["name"]
    body = json.loads(json.dumps(existing))
    body["data"] = {"a": "2"}
    r = sim.request("PUT", url(name), json=body)
    assert r.status_code == 200, r.text
    updated = r.json()
    assert int(updated["metadata"]["resourceVersion"]) > int(existing["metadata"]["resourceVersion"])
    stale = json.loads(json.dumps(existing))
    stale["data"] = {"a": "3"}
    r = sim.request("PUT", url(name), json=stale)
    assert_status(r, 409, "Conflict",
                  message='Operation cannot be fulfilled on configmaps "%s": the object has been '
                          'modified; please apply your changes to the latest version and try again'
                  % name, details={"name": name, "group": "", "kind": "configmaps"})
    assert sim.get_json(url(name)) == updated
    # restore so the fixture's unchanged-check compares like with like
    existing.clear()
    existing.update(updated)


def test_C2_stale_resource_version_apps_group_message(sim, alive):
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": unique("d")},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                     "template": {"metadata": {"labels": {"a": "b"}},
                                  "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    path = "/apis/apps/v1/namespaces/default/deployments"
    r = sim.request("POST", path, json=body)
    assert r.status_code == 201, r.text
    first = r.json()
    name = first["metadata"]["name"]
    # The Deployment controller writes status too, so the first update may race
    # with it: retry on a fresh read (bounded) until one update lands.
    for _ in range(20):
        fresh = sim.get_json(path + "/" + name)
        fresh["spec"]["replicas"] = 2
        r = sim.request("PUT", path + "/" + name, json=fresh)
        if r.status_code != 409:
            break
    assert r.status_code == 200, r.text
    # `first` now carries a resourceVersion older than the stored one.
    first["spec"]["replicas"] = 3
    r = sim.request("PUT", path + "/" + name, json=first)
    assert_status(r, 409, "Conflict",
                  message_prefix='Operation cannot be fulfilled on deployments.apps "%s": ' % name,
                  details={"name": name, "group": "apps", "kind": "deployments"})


def test_S1_not_found_and_already_exists(sim, existing):
    name = existing["metadata"]["name"]
    r = sim.request("GET", url("does-not-exist"))
    assert_status(r, 404, "NotFound", message='configmaps "does-not-exist" not found',
                  details={"name": "does-not-exist", "group": "", "kind": "configmaps"})
    r = sim.request("GET", "/apis/apps/v1/namespaces/default/deployments/nope")
    assert_status(r, 404, "NotFound", message='deployments.apps "nope" not found',
                  details={"name": "nope", "group": "apps", "kind": "deployments"})
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"a": "other"}}
    r = sim.request("POST", url(), json=body)
    assert_status(r, 409, "AlreadyExists", message='configmaps "%s" already exists' % name,
                  details={"name": name, "group": "", "kind": "configmaps"})


def test_C1_create_in_missing_namespace_404(sim, alive):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    r = sim.request("POST", CM_PATH % "no-such-ns", json=body)
    assert_status(r, 404, "NotFound", message='namespaces "no-such-ns" not found')


def test_C1_client_system_fields_wiped(sim, alive):
    name = unique("sys")
    body = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "uid": "11111111-2222-3333-4444-555555555555",
                         "creationTimestamp": "2001-01-01T00:00:00Z"}}
    r = sim.request("POST", url(), json=body)
    assert r.status_code == 201, r.text
    md = r.json()["metadata"]
    assert md["uid"] != "11111111-2222-3333-4444-555555555555"
    assert not md["creationTimestamp"].startswith("2001")


def test_S1_wrong_kind_in_body_400(sim, alive):
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": unique("wk")}}
    r = sim.request("POST", url(), json=body)
    assert r.status_code == 400, r.text
    assert r.json()["kind"] == "Status" and r.json()["reason"] == "BadRequest"


def test_S1_unknown_resource_404(sim, alive):
    r = sim.request("GET", "/api/v1/namespaces/default/widgetz")
    assert r.status_code == 404, r.text
    r = sim.request("GET", "/apis/nope.example.com/v1/things")
    assert r.status_code == 404, r.text


def test_W8_send_initial_events_implemented_or_422(sim, alive):
    r = sim.request("GET", url(), params={"watch": "true", "sendInitialEvents": "true",
                                          "resourceVersionMatch": "NotOlderThan",
                                          "allowWatchBookmarks": "true",
                                          "timeoutSeconds": "3"}, stream=True)
    if r.status_code == 422:
        assert_status(r, 422, "Invalid")
        return
    assert r.status_code == 200, r.text
    lines = [json.loads(l) for l in r.iter_lines() if l]
    bm = [e for e in lines if e["type"] == "BOOKMARK"]
    assert bm and bm[0]["object"]["metadata"].get("annotations", {}).get(
        "k8s.io/initial-events-end") == "true", lines[-3:]


def test_W8_resource_version_match_without_send_initial_events_422(sim, alive):
    r = sim.request("GET", url(), params={"watch": "true", "resourceVersionMatch": "NotOlderThan",
                                          "timeoutSeconds": "2"})
    assert_status(r, 422, "Invalid")


def test_S1_server_survives_everything(sim):
    r = sim.request("GET", "/healthz")
    assert r.status_code == 200 and r.text.strip() == "ok", r.text
    assert sim.alive(), sim.log()
