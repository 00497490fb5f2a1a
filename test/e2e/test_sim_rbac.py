# kc-test-labels: e2e
"""Issue 3 item 3 / ADR 0007: ServiceAccount tokens, RBAC with the exact 403
Status, impersonation and `kubectl auth can-i` against `kubecombo sim`, with
the real kubectl 1.32 and the Python client."""
import json
import pytest

from simlib import assert_status, unique


def _ns(sim):
    ns = unique("rbac")
    rc, out, err = sim.kubectl("create", "namespace", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("create", "serviceaccount", "robot", "-n", ns)
    assert rc == 0, err
    return ns


def _token(sim, ns, sa="robot"):
    rc, out, err = sim.kubectl("create", "token", sa, "-n", ns)
    assert rc == 0, err
    tok = out.strip()
    assert tok.count(".") == 2, tok
    return tok


def _as(sim, method, path, token, **kw):
    import requests
    return requests.request(method, sim.kc.server + path, verify=sim.kc.ca_file,
                            headers={"Authorization": "Bearer " + token},
                            timeout=30, **kw)


def test_default_serviceaccount_per_namespace(sim):
    ns = _ns(sim)
    rc, out, err = sim.kubectl("get", "serviceaccount", "default", "-n", ns,
                               "-o", "name")
    assert rc == 0 and out.strip() == "serviceaccount/default", (out, err)
    tok = _token(sim, ns, "default")
    r = _as(sim, "GET", "/api/v1/namespaces/%s/configmaps" % ns, tok)
    assert_status(r, 403, "Forbidden", message=(
        'configmaps is forbidden: User "system:serviceaccount:%s:default" cannot '
        'list resource "configmaps" in API group "" in the namespace "%s"' % (ns, ns)),
        details={"kind": "configmaps", "group": ""})


def test_kubectl_forbidden_then_allowed_by_role(sim):
    ns = _ns(sim)
    user = "system:serviceaccount:%s:robot" % ns
    tok = _token(sim, ns)
    # Discovery is open to every authenticated user; the list is not.
    rc, out, err = sim.kubectl("get", "pods", "-n", ns, "--token", tok)
    assert rc != 0
    assert ('Error from server (Forbidden): pods is forbidden: User "%s" cannot list '
            'resource "pods" in API group "" in the namespace "%s"' % (user, ns)) in err, err
    rc, out, err = sim.kubectl("auth", "can-i", "list", "pods", "--as", user, "-n", ns)
    assert (rc, out.strip()) == (1, "no"), (rc, out, err)
    rc, out, err = sim.kubectl("create", "role", "pod-reader", "--verb=get,list,watch",
                               "--resource=pods", "-n", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("create", "rolebinding", "robot-reads", "--role=pod-reader",
                               "--serviceaccount=%s:robot" % ns, "-n", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("auth", "can-i", "list", "pods", "--as", user, "-n", ns)
    assert (rc, out.strip()) == (0, "yes"), (rc, out, err)
    rc, out, err = sim.kubectl("auth", "can-i", "delete", "pods", "--as", user, "-n", ns)
    assert (rc, out.strip()) == (1, "no"), (rc, out, err)
    rc, out, err = sim.kubectl("auth", "can-i", "list", "pods", "--as", user,
                               "-n", "default")
    assert (rc, out.strip()) == (1, "no"), (rc, out, err)
    rc, out, err = sim.kubectl("get", "pods", "-n", ns, "--token", tok)
    assert rc == 0, err
    # Cluster scope and named objects have their own messages.
    rc, out, err = sim.kubectl("get", "nodes", "--token", tok)
    assert ('nodes is forbidden: User "%s" cannot list resource "nodes" in API group "" '
            'at the cluster scope' % user) in err, err
    rc, out, err = sim.kubectl("get", "deployment", "web", "-n", ns, "--token", tok)
    assert ('deployments.apps "web" is forbidden: User "%s" cannot get resource '
            '"deployments" in API group "apps" in the namespace "%s"' % (user, ns)) in err, err
    rc, out, err = sim.kubectl("auth", "whoami", "--token", tok, "-o", "jsonpath={.status.userInfo.username}")
    assert rc == 0 and out == user, (out, err)
    # The admin users of the kubeconfig (token and certificate) are not restricted.
    for ctx in (sim.kc.token_context, sim.kc.cert_context):
        rc, out, err = sim.kubectl("--context", ctx, "auth", "can-i", "delete", "nodes")
        assert (rc, out.strip()) == (0, "yes"), (ctx, out, err)


def test_cluster_role_binding_and_python_client(sim):
    from kubernetes import client
    from kubernetes.client.rest import ApiException
    ns = _ns(sim)
    tok = _token(sim, ns)
    rc, out, err = sim.kubectl("create", "clusterrolebinding", unique("view"),
                               "--clusterrole=view", "--serviceaccount=%s:robot" % ns)
    assert rc == 0, err
    cfg = client.Configuration()
    cfg.host = sim.kc.server
    cfg.ssl_ca_cert = sim.kc.ca_file
    cfg.api_key = {"authorization": "Bearer " + tok}
    api = client.CoreV1Api(client.ApiClient(cfg))
    assert api.list_namespaced_pod("default").items is not None
    with pytest.raises(ApiException) as e:
        api.list_namespaced_secret(ns)
    assert e.value.status == 403
    assert 'cannot list resource "secrets"' in json.loads(e.value.body)["message"]
    with pytest.raises(ApiException) as e:
        api.create_namespaced_config_map(ns, {"metadata": {"name": "x"}})
    assert e.value.status == 403


def test_deleting_the_serviceaccount_invalidates_its_tokens(sim):
    ns = _ns(sim)
    tok = _token(sim, ns)
    assert _as(sim, "GET", "/version", tok).status_code == 200
    assert _as(sim, "GET", "/apis", tok).status_code == 200
    rc, out, err = sim.kubectl("delete", "serviceaccount", "robot", "-n", ns)
    assert rc == 0, err
    assert_status(_as(sim, "GET", "/version", tok), 401, "Unauthorized")
    rc, out, err = sim.kubectl("create", "serviceaccount", "robot", "-n", ns)
    assert rc == 0, err
    # A new account with the same name does not revive old tokens.
    assert _as(sim, "GET", "/version", tok).status_code == 401
    assert _as(sim, "GET", "/version", _token(sim, ns)).status_code == 200


def test_impersonation_needs_permission(sim):
    ns = _ns(sim)
    tok = _token(sim, ns)
    r = _as(sim, "GET", "/api", tok).status_code
    assert r == 200
    import requests
    r = requests.get(sim.kc.server + "/api", verify=sim.kc.ca_file, timeout=30,
                     headers={"Authorization": "Bearer " + tok,
                              "Impersonate-User": "alice"})
    assert_status(r, 403, "Forbidden", message=(
        'users "alice" is forbidden: User "system:serviceaccount:%s:robot" cannot '
        'impersonate resource "users" in API group "" at the cluster scope' % ns))
    r = sim.request("GET", "/api/v1/namespaces/%s/pods" % ns,
                    headers={"Impersonate-User": "system:serviceaccount:%s:robot" % ns})
    assert_status(r, 403, "Forbidden", message_contains='cannot list resource "pods"')


def test_can_i_list_from_selfsubjectrulesreview(sim):
    ns = _ns(sim)
    user = "system:serviceaccount:%s:robot" % ns
    rc, out, err = sim.kubectl("auth", "can-i", "--list", "--as", user, "-n", ns)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["Resources", "Non-Resource", "URLs", "Resource",
                                "Names", "Verbs"], out
    assert any(l.split() == ["selfsubjectrulesreviews.authorization.k8s.io", "[]", "[]",
                             "[create]"] for l in lines), out
    assert not any(l.startswith("pods ") for l in lines), out
    rc, out, err = sim.kubectl("create", "role", "lister", "--verb=get,list",
                               "--resource=pods,secrets", "--resource-name=only",
                               "-n", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("create", "rolebinding", "robot-lists", "--role=lister",
                               "--serviceaccount=%s:robot" % ns, "-n", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("auth", "can-i", "--list", "--as", user, "-n", ns)
    assert rc == 0, err
    rows = [l.split() for l in out.splitlines()]
    assert ["pods", "[]", "[only]", "[get", "list]"] in rows, out
    assert ["secrets", "[]", "[only]", "[get", "list]"] in rows, out
    # Only in that namespace.
    rc, out, err = sim.kubectl("auth", "can-i", "--list", "--as", user, "-n", "default")
    assert rc == 0 and "[only]" not in out, out
    # The admin (system:masters) may do everything.
    rc, out, err = sim.kubectl("auth", "can-i", "--list", "-n", ns)
    assert rc == 0, err
    assert ["*.*", "[]", "[]", "[*]"] in [l.split() for l in out.splitlines()], out
