# kc-test-labels: e2e
"""Issue 3 item 3 / ADR 0008: mutating and validating admission webhooks
called over TLS by `kubecombo sim` — through a URL and through a Service that
resolves to a Ready pod — with failurePolicy and timeouts; a denial makes the
real kubectl print the webhook's message."""
import base64
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time

import pytest
import requests

from simlib import unique

DENY_MSG = "label deny=yes is not allowed here"


class _Hook(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        req = review["request"]
        self.server.seen.append((self.path, req))
        resp = {"uid": req["uid"], "allowed": True}
        obj = req.get("object") or {}
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if self.path.startswith("/slow"):
            time.sleep(3)
        elif self.path.startswith("/validate") and labels.get("deny") == "yes":
            resp = {"uid": req["uid"], "allowed": False,
                    "status": {"code": 403, "message": DENY_MSG}}
        elif self.path.startswith("/mutate"):
            ops = [] if labels else [{"op": "add", "path": "/metadata/labels", "value": {}}]
            ops.append({"op": "add", "path": "/metadata/labels/mutated", "value": "by-hook"})
            resp["patchType"] = "JSONPatch"
            resp["patch"] = base64.b64encode(json.dumps(ops).encode()).decode()
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": resp}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def hook(sim):
    if not shutil.which("openssl"):
        pytest.skip("SKIP: openssl CLI not installed")
    ns = unique("adm")
    d = tempfile.mkdtemp(prefix="kc-hook-")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1",
             "-subj", "/CN=e2e-webhook-ca", cwd=d)
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=hook", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:hook.%s.svc,IP:127.0.0.1\n" % ns)
    _openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tls.crt", "-days", "1", "-extfile", "ext.cnf", cwd=d)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    srv.seen = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "tls.crt"), os.path.join(d, "tls.key"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    with open(os.path.join(d, "ca.crt"), "rb") as f:
        ca = base64.b64encode(f.read()).decode()
    rc, out, err = sim.kubectl("create", "namespace", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("label", "namespace", ns, "e2e-admission=" + ns)
    assert rc == 0, err
    info = {"ns": ns, "port": srv.server_address[1], "ca": ca, "server": srv,
            "configs": []}
    yield info
    for kind, name in info["configs"]:
        sim.kubectl("delete", kind, name, "--ignore-not-found")
    srv.shutdown()
    srv.server_close()
    shutil.rmtree(d, ignore_errors=True)


def _config(sim, hook, kind, name, client_config, failure="Fail", timeout=None,
            operations=("CREATE",)):
    wh = {"name": name, "clientConfig": dict(client_config, caBundle=hook["ca"]),
          "rules": [{"operations": list(operations), "apiGroups": [""],
                     "apiVersions": ["v1"], "resources": ["configmaps"],
                     "scope": "Namespaced"}],
          "namespaceSelector": {"matchLabels": {"e2e-admission": hook["ns"]}},
          "failurePolicy": failure, "sideEffects": "None",
          "admissionReviewVersions": ["v1"]}
    if timeout:
        wh["timeoutSeconds"] = timeout
    cfg_name = unique("whc")
    doc = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
           "metadata": {"name": cfg_name}, "webhooks": [wh]}
    rc, out, err = sim.kubectl("apply", "-f", "-", input=json.dumps(doc))
    assert rc == 0, err
    plural = kind.lower() + "s"
    hook["configs"].append((plural, cfg_name))
    return plural, cfg_name


def _cm(sim, ns, name, labels=None):
    doc = {"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
           "data": {"a": "1"}}
    return sim.kubectl("apply", "-f", "-", input=json.dumps(doc))


def test_validating_webhook_by_url_denies_with_its_message(sim, hook):
    ns = hook["ns"]
    url = "https://127.0.0.1:%d/validate" % hook["port"]
    name = "deny.e2e.kubecombo.com"
    plural, cfg = _config(sim, hook, "ValidatingWebhookConfiguration", name, {"url": url},
                          operations=("CREATE", "UPDATE"))
    try:
        rc, out, err = _cm(sim, ns, "bad", {"deny": "yes"})
        assert rc != 0
        assert 'admission webhook "%s" denied the request: %s' % (name, DENY_MSG) in err, err
        r = sim.request("POST", "/api/v1/namespaces/%s/configmaps" % ns,
                        json={"metadata": {"name": "bad2", "labels": {"deny": "yes"}}})
        assert r.status_code == 403, r.text
        body = r.json()
        assert body["message"] == 'admission webhook "%s" denied the request: %s' % (
            name, DENY_MSG)
        assert body["status"] == "Failure" and body["code"] == 403
        rc, out, err = _cm(sim, ns, "good", {"deny": "no"})
        assert rc == 0, err
        path, req = hook["server"].seen[-1]
        assert req["operation"] == "CREATE" and req["namespace"] == ns
        assert req["kind"] == {"group": "", "version": "v1", "kind": "ConfigMap"}
        assert req["userInfo"]["username"] == "kubecombo-admin"
        assert path.startswith("/validate?timeout=10s")
        # Namespaces outside the selector are not sent to the webhook.
        n = len(hook["server"].seen)
        rc, out, err = _cm(sim, "default", unique("free"), {"deny": "yes"})
        assert rc == 0, err
        assert len(hook["server"].seen) == n
    finally:
        sim.kubectl("delete", plural, cfg)


def test_mutating_webhook_through_service_and_ready_pod(sim, hook):
    ns = hook["ns"]
    rc, out, err = sim.kubectl("create", "service", "clusterip", "hook",
                               "--tcp=443:%d" % hook["port"], "-n", ns)
    assert rc == 0, err
    rc, out, err = sim.kubectl("label", "service", "hook", "-n", ns, "x=y")
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "hook-0", "namespace": ns, "labels": {"app": "hook"}},
           "spec": {"nodeName": "outside-the-sim",
                    "containers": [{"name": "hook", "image": "hook"}]}}
    rc, out, err = sim.kubectl("apply", "-f", "-", input=json.dumps(pod))
    assert rc == 0, err
    name = "mutate.e2e.kubecombo.com"
    plural, cfg = _config(sim, hook, "MutatingWebhookConfiguration", name,
                          {"service": {"namespace": ns, "name": "hook",
                                       "path": "/mutate"}})
    try:
        # `kubectl create service clusterip hook` selects app=hook; the pod
        # is not Ready yet: no endpoints, failurePolicy Fail.
        rc, out, err = _cm(sim, ns, "early")
        assert rc != 0
        assert 'failed calling webhook "%s"' % name in err, err
        assert 'no endpoints available for service "hook"' in err, err
        st = sim.get_json("/api/v1/namespaces/%s/pods/hook-0" % ns)
        st["status"] = {"phase": "Running", "podIP": "127.0.0.1",
                        "conditions": [{"type": "Ready", "status": "True"}]}
        r = sim.request("PUT", "/api/v1/namespaces/%s/pods/hook-0/status" % ns, json=st)
        assert r.status_code == 200, r.text
        rc, out, err = _cm(sim, ns, "mutated")
        assert rc == 0, err
        got = sim.get_json("/api/v1/namespaces/%s/configmaps/mutated" % ns)
        assert got["metadata"]["labels"] == {"mutated": "by-hook"}, got
    finally:
        sim.kubectl("delete", plural, cfg)


def test_failure_policy_and_timeout(sim, hook):
    ns = hook["ns"]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    name = "down.e2e.kubecombo.com"
    plural, cfg = _config(sim, hook, "ValidatingWebhookConfiguration", name,
                          {"url": "https://127.0.0.1:%d/x" % closed}, failure="Ignore")
    try:
        rc, out, err = _cm(sim, ns, "ignored")
        assert rc == 0, err
    finally:
        sim.kubectl("delete", plural, cfg)
    plural, cfg = _config(sim, hook, "ValidatingWebhookConfiguration", name,
                          {"url": "https://127.0.0.1:%d/x" % closed})
    try:
        r = sim.request("POST", "/api/v1/namespaces/%s/configmaps" % ns,
                        json={"metadata": {"name": "failed"}})
        assert r.status_code == 500, r.text
        assert r.json()["reason"] == "InternalError"
        assert r.json()["message"].startswith(
            'Internal error occurred: failed calling webhook "%s": failed to call webhook: '
            'Post "https://127.0.0.1:%d/x?timeout=10s": ' % (name, closed)), r.text
    finally:
        sim.kubectl("delete", plural, cfg)
    slow = "slow.e2e.kubecombo.com"
    plural, cfg = _config(sim, hook, "ValidatingWebhookConfiguration", slow,
                          {"url": "https://127.0.0.1:%d/slow" % hook["port"]}, timeout=1)
    try:
        t0 = time.monotonic()
        r = sim.request("POST", "/api/v1/namespaces/%s/configmaps" % ns,
                        json={"metadata": {"name": "slow"}})
        assert time.monotonic() - t0 < 2.8
        assert r.status_code == 500 and "context deadline exceeded" in r.text, r.text
    finally:
        sim.kubectl("delete", plural, cfg)
