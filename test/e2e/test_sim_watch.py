# kc-test-labels: e2e
"""Watch protocol on the wire (api:W1-W9, C7, C8) with raw HTTPS, the way
client-go and the Python client read it.
"""
import json
import re

from simlib import unique

CM = "/api/v1/namespaces/default/configmaps"


def create_cm(sim, name, labels=None, data=None):
    r = sim.request("POST", CM, json={"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": name, "labels": labels or {}},
                                      "data": data or {"k": "v"}})
    assert r.status_code == 201, r.text
    return r.json()


def put_cm(sim, obj):
    r = sim.request("PUT", CM + "/" + obj["metadata"]["name"], json=obj)
    assert r.status_code == 200, r.text
    return r.json()


def list_rv(sim, path=CM):
    return sim.get_json(path + "?labelSelector=none%3Dnone")["metadata"]["resourceVersion"]


def watch_lines(sim, params, path=CM, until=None, timeout=30):
    """Reads one watch response to its end (server timeoutSeconds) or until."""
    r = sim.request("GET", path, params=dict(params, watch="true"), stream=True,
                    timeout=timeout)
    assert r.status_code == 200, r.text
    out = []
    for raw in r.iter_lines():
        if not raw:
            continue
        out.append(raw)
        if until and until([json.loads(x) for x in out]):
            break
    r.close()
    return r, out


def test_W1_W2_framing_compact_lines_chunked(sim):
    rv = list_rv(sim)
    name = unique("fr")
    obj = create_cm(sim, name, data={"text": "line1\nline2"})
    obj["data"] = {"text": "changed"}
    put_cm(sim, obj)
    r = sim.request("DELETE", CM + "/" + name)
    assert r.status_code == 200, r.text
    resp, lines = watch_lines(sim, {"resourceVersion": rv, "timeoutSeconds": "3",
                                    "fieldSelector": "metadata.name=" + name})
    assert resp.headers.get("Content-Type", "").split(";")[0] == "application/json"
    assert resp.headers.get("Transfer-Encoding") == "chunked", resp.headers
    events = [json.loads(l) for l in lines]  # one complete JSON object per line
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"], events
    for l, e in zip(lines, events):
        assert not l[:1].isspace(), l  # compact: one whole object per line
        assert set(e) == {"type", "object"}, e
        assert e["object"]["apiVersion"] == "v1" and e["object"]["kind"] == "ConfigMap"
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3 and rvs[0] > int(rv), rvs
    assert events[0]["object"]["data"]["text"] == "line1\nline2"


def test_W1_watch_bool_parsed_like_go(sim):
    # Python sends watch=True; client-go watch=true; Go's ParseBool accepts 1/t/T/TRUE/True.
    for value in ("true", "True", "1", "t"):
        name = unique("b")
        create_cm(sim, name)
        r = sim.request("GET", CM, params={"watch": value, "timeoutSeconds": "2",
                                           "fieldSelector": "metadata.name=" + name},
                        stream=True, timeout=30)
        first = next(l for l in r.iter_lines() if l)
        r.close()
        assert json.loads(first)["type"] == "ADDED", (value, first)


def test_W3_rv_semantics(sim):
    name = unique("rv")
    create_cm(sim, name)
    sel = {"fieldSelector": "metadata.name=" + name, "timeoutSeconds": "2"}
    _, unset = watch_lines(sim, sel, until=lambda evs: len(evs) >= 1)
    assert json.loads(unset[0])["type"] == "ADDED"
    _, zero = watch_lines(sim, dict(sel, resourceVersion="0"), until=lambda evs: len(evs) >= 1)
    assert json.loads(zero[0])["type"] == "ADDED"
    rv = list_rv(sim)
    _, exact = watch_lines(sim, dict(sel, resourceVersion=rv))
    assert exact == [], exact  # start at exact: no synthetic ADDED


def test_W4_one_global_revision_across_resources(sim):
    a = create_cm(sim, unique("g"))
    r = sim.request("POST", "/api/v1/namespaces/default/secrets",
                    json={"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": unique("g")}, "data": {}})
    assert r.status_code == 201, r.text
    b = r.json()
    c = create_cm(sim, unique("g"))
    rvs = [int(x["metadata"]["resourceVersion"]) for x in (a, b, c)]
    assert rvs[0] < rvs[1] < rvs[2], rvs
    lst = sim.get_json("/api/v1/secrets")
    assert int(lst["metadata"]["resourceVersion"]) >= rvs[2]


def test_W7_no_bookmarks_unless_asked_and_bookmark_when_asked(sim):
    _, lines = watch_lines(sim, {"resourceVersion": list_rv(sim), "timeoutSeconds": "2"})
    assert all(json.loads(l)["type"] != "BOOKMARK" for l in lines), lines
    _, lines = watch_lines(sim, {"resourceVersion": list_rv(sim), "timeoutSeconds": "3",
                                 "allowWatchBookmarks": "true",
                                 "labelSelector": "none=" + unique("x")})
    evs = [json.loads(l) for l in lines]
    bm = [e for e in evs if e["type"] == "BOOKMARK"]
    assert bm, "no BOOKMARK before the watch timeout (api:W7)"
    assert bm[-1]["object"]["kind"] == "ConfigMap"
    assert bm[-1]["object"]["metadata"]["resourceVersion"].isdigit()


def test_C7_watch_label_selector_added_when_starts_matching_deleted_when_stops(sim):
    run = unique("r")
    name = unique("m")
    obj = create_cm(sim, name)
    rv = obj["metadata"]["resourceVersion"]
    obj["metadata"]["labels"] = {"run": run}
    obj = put_cm(sim, obj)              # starts matching
    obj["data"] = {"k": "v2"}
    obj = put_cm(sim, obj)              # still matching
    obj["metadata"]["labels"] = {}
    obj = put_cm(sim, obj)              # stops matching
    _, lines = watch_lines(sim, {"resourceVersion": rv, "labelSelector": "run=" + run,
                                 "timeoutSeconds": "3"})
    evs = [json.loads(l) for l in lines]
    assert [e["type"] for e in evs] == ["ADDED", "MODIFIED", "DELETED"], evs
    assert all(e["object"]["metadata"]["name"] == name for e in evs)


def test_W9_list_shape(sim):
    lst = sim.get_json(CM + "?labelSelector=none%3D" + unique("x"))
    assert lst["kind"] == "ConfigMapList" and lst["apiVersion"] == "v1", lst
    assert lst["items"] == [], lst
    assert lst["metadata"]["resourceVersion"].isdigit()
    nodes = sim.get_json("/api/v1/nodes")
    assert nodes["kind"] == "NodeList" and len(nodes["items"]) == 3
    for n in nodes["items"]:
        assert n["kind"] == "Node" and n["apiVersion"] == "v1"


def test_T2_table_json_shape(sim):
    accept = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
              "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
    r = sim.request("GET", "/api/v1/nodes?limit=500", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1", t
    cols = [c["name"] for c in t["columnDefinitions"]]
    assert cols[:5] == ["Name", "Status", "Roles", "Age", "Version"], cols
    assert t["columnDefinitions"][0]["format"] == "name"
    assert len(t["rows"]) == 3
    for row in t["rows"]:
        assert len(row["cells"]) == len(cols)
        assert row["object"]["kind"] == "PartialObjectMetadata", row["object"]
        assert row["object"]["apiVersion"] == "meta.k8s.io/v1"
        assert row["object"]["metadata"]["name"] == row["cells"][0]


def test_C8_timestamps(sim):
    obj = create_cm(sim, unique("ts"))
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", obj["metadata"]["creationTimestamp"])
    r = sim.request("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases",
                    json={"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                          "metadata": {"name": unique("l")},
                          "spec": {"holderIdentity": "x", "leaseDurationSeconds": 15,
                                   "renewTime": "2026-11-28T10:00:00.123456Z",
                                   "acquireTime": "2026-11-28T10:00:00.5Z"}})
    assert r.status_code == 201, r.text
    spec = r.json()["spec"]
    assert spec["renewTime"] == "2026-11-28T10:00:00.123456Z", spec
    assert spec["acquireTime"] == "2026-11-28T10:00:00.500000Z", spec


def test_D2_D3_discovery_documents(sim):
    api = sim.get_json("/api")
    assert api["kind"] == "APIVersions" and api["versions"] == ["v1"], api
    cidrs = api["serverAddressByClientCIDRs"]
    assert cidrs and cidrs[0]["clientCIDR"] == "0.0.0.0/0", cidrs
    apis = sim.get_json("/apis")
    assert apis["kind"] == "APIGroupList", apis
    for g in apis["groups"]:
        assert g["name"] and g["versions"] and g["preferredVersion"]["groupVersion"], g
    v1 = sim.get_json("/api/v1")
    assert v1["kind"] == "APIResourceList" and v1["groupVersion"] == "v1"
    for res in v1["resources"]:
        for k in ("name", "singularName", "namespaced", "kind", "verbs"):
            assert k in res, res
    for path in ("/healthz", "/readyz", "/livez"):
        r = sim.request("GET", path)
        assert r.status_code == 200 and r.text.strip() == "ok", (path, r.text)


def test_D6_openapi_v2_not_json_v3_lists_every_group_version(sim):
    r = sim.request("GET", "/openapi/v2", headers={
        "Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert r.status_code in (404, 406), r.status_code
    doc = sim.get_json("/openapi/v3")
    # built-in GVs must all be listed (api:O2); CRD GVs may be, either is valid
    served = {"api/v1"} | {"apis/" + v["groupVersion"] for g in sim.get_json("/apis")["groups"]
                           for v in g["versions"] if "kubecombo.com" not in g["name"]}
    missing = served - set(doc["paths"])
    assert not missing, missing
    core = sim.get_json(doc["paths"]["api/v1"]["serverRelativeURL"])
    assert core["openapi"].startswith("3."), core.keys()
