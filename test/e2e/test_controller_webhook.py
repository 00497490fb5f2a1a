# kc-test-labels: e2e
"""Issue 5 item 5 / ADR 0042: `kubecombo controller --enable-webhooks` serves
the defaulting and validating webhooks over TLS; `kubecombo sim` calls them
(ADR 0008) through deploy/webhook's configurations, pointed by URL at the
controller with the caBundle of the certificate the controller generated and
wrote to --webhook-cert-dir. Through kubectl: invalid Debuggers and Pingers are
rejected naming the field, defaults appear on created objects. The CRDs are
installed WITHOUT their schema defaults and value constraints (pattern,
minimum, enum, ...) so that only the webhooks can default and reject — as for
objects whose CRD predates a schema change (ADR 0100). Bad certificates make
the controller exit 2 with one line. Every wait is bounded.
"""
import base64
import glob
import json
import os
import re
import subprocess
import sys

import pytest
import requests
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import Controller, make_namespace  # noqa: E402

SOURCE = os.environ.get("KC_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
CONSTRAINTS = {"default", "pattern", "minimum", "maximum", "enum", "minLength",
               "maxLength", "minItems", "maxItems", "x-kubernetes-validations"}
DENIED = 'admission webhook "%s.kubecombo.com" denied the request'


def _strip(node):
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in CONSTRAINTS}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _webhook_configs(port, ca_pem):
    """deploy/webhook's configurations, clientConfig.url → the controller."""
    with open(os.path.join(SOURCE, "deploy", "webhook", "webhooks.yaml")) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    bundle = base64.b64encode(ca_pem.encode()).decode()
    for d in docs:
        for w in d["webhooks"]:
            svc = w["clientConfig"].pop("service")
            w["clientConfig"] = {"url": "https://127.0.0.1:%d%s" % (port, svc["path"]),
                                 "caBundle": bundle}
    assert {d["kind"] for d in docs} == {"MutatingWebhookConfiguration",
                                         "ValidatingWebhookConfiguration"}
    return docs


@pytest.fixture(scope="module")
def env():
    binary = os.environ.get("KUBECOMBO") or os.path.join(
        os.environ.get("KC_BUILD_DIR", ""), "cmd", "kubecombo")
    if not os.access(simlib.KUBECTL, os.X_OK):
        pytest.skip("SKIP: %s not installed" % simlib.KUBECTL)
    sim = simlib.start_sim(binary, nodes=2)  # its own: webhooks stay here
    ctl = None
    try:
        crds = []
        for path in sorted(glob.glob(os.path.join(SOURCE, "deploy", "crd", "*.yaml"))):
            with open(path) as f:
                crds += [_strip(d) for d in yaml.safe_load_all(f) if d]
        rc, out, err = sim.kubectl("apply", "-f", "-",
                                   input=yaml.safe_dump_all(crds))
        assert rc == 0, out + err
        certs = os.path.join(sim.workdir, "webhook-certs")
        os.mkdir(certs)
        port = simlib.free_port()
        ctl = Controller(sim, "webhook", extra=(
            "--enable-webhooks", "--webhook-bind-address", "127.0.0.1:%d" % port,
            "--webhook-cert-dir", certs)).start()
        with open(os.path.join(certs, "ca.crt")) as f:
            ca = f.read()
        assert os.stat(os.path.join(certs, "tls.key")).st_mode & 0o077 == 0
        rc, out, err = sim.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(
            _webhook_configs(port, ca)))
        assert rc == 0, out + err
        yield {"sim": sim, "ctl": ctl, "port": port, "certs": certs,
               "ns": make_namespace(sim, "hook")}
    finally:
        if ctl:
            rc = ctl.stop()
            assert rc == 0, ctl.log()[-3000:]
        sim.stop()
        sim.cleanup()


def _create(env, obj):
    """kubectl create -f - → (rc, stdout + stderr)."""
    rc, out, err = env["sim"].kubectl("create", "-n", env["ns"], "-f", "-",
                                      input=json.dumps(obj))
    return rc, out + err


def _rejected(env, obj, hook, parts):
    """kubectl create fails naming every part (kubectl prints the causes of
    the 422: `The Debugger "x" is invalid: ...`); the same POST through the
    API answers the webhook's Status (its message names the webhook)."""
    rc, text = _create(env, obj)
    assert rc != 0, text
    assert 'The %s "%s" is invalid' % (obj["kind"], obj["metadata"]["name"]) \
        in text, text
    for p in parts:
        assert p in text, (p, text)
    plural = obj["kind"].lower() + "s"
    r = env["sim"].request("POST", "/apis/vpn-gw.kubecombo.com/v1/namespaces/%s/%s"
                           % (env["ns"], plural), json=obj)
    assert r.status_code == 422, r.text
    st = r.json()
    assert st["reason"] == "Invalid" and DENIED % hook in st["message"], st
    for p in parts:
        assert p in st["message"], (p, st)
    assert st["details"]["causes"], st
    r = env["sim"].request("GET", "/apis/vpn-gw.kubecombo.com/v1/namespaces/%s/"
                           "%s/%s" % (env["ns"], plural, obj["metadata"]["name"]))
    assert r.status_code == 404, r.text


def debugger(name, **spec):
    base = {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi"}
    base.update(spec)
    return {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Debugger",
            "metadata": {"name": name}, "spec": base}


def pinger(name, **spec):
    base = {"image": "kubecombo/kubecombo:latest", "ping": "127.0.0.1"}
    base.update(spec)
    return {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Pinger",
            "metadata": {"name": name}, "spec": base}


BAD_DEBUGGERS = [
    ({"nodeName": "kubecombo-worker-1"},
     ["spec.nodeName: Forbidden", "workloadType is daemonset"]),
    ({"hostNetwork": True, "subnet": "ovn-default"},
     ["spec.subnet: Forbidden", "hostNetwork is true"]),
    ({"enablePinger": True}, ["spec.pinger: Required value"]),
    ({"enableConfigMap": True}, ["spec.configMap: Required value"]),
    ({"cpu": "1C"}, ['spec.cpu: Invalid value: "1C"']),
    ({"memory": "lots"}, ['spec.memory: Invalid value: "lots"']),
    ({"runAt": "tomorrow"},
     ['spec.runAt: Invalid value: "tomorrow"', "RFC 3339", "epoch seconds",
      "spec.schedule", "cron"]),
    ({"schedule": "nightly"},
     ['spec.schedule: Invalid value: "nightly"', "5-field cron",
      "spec.runAt", "RFC 3339", "epoch seconds"]),
    ({"selector": ["kubernetes.io/os=linux"]},
     ['spec.selector[0]: Invalid value: "kubernetes.io/os=linux"', "key:value"]),
    ({"workloadType": "job"}, ['spec.workloadType: Unsupported value: "job"']),
]


@pytest.mark.parametrize("spec,parts", BAD_DEBUGGERS,
                         ids=[p[1][0].split(":")[0] for p in BAD_DEBUGGERS])
def test_invalid_debugger_is_rejected_naming_the_field(env, spec, parts):
    _rejected(env, debugger(simlib.unique("bad"), **spec), "vdebugger", parts)


def test_every_bad_field_is_named_at_once(env):
    _rejected(env, debugger(simlib.unique("bad"), cpu="1C", nodeName="n1",
                            enablePinger=True), "vdebugger",
              ["spec.cpu", "spec.nodeName", "spec.pinger"])


BAD_PINGERS = [
    ({"tcpPing": "10.0.0.1"}, ['spec.tcpPing: Invalid value: "10.0.0.1"',
                               "host:port"]),
    ({"udpPing": "10.0.0.53:70000"},
     ['spec.udpPing: Invalid value: "10.0.0.53:70000"', "1 to 65535"]),
    ({"tcpPing": "[fd00::1]:0"}, ["spec.tcpPing", "1 to 65535"]),
    ({"ping": "bad..host"}, ['spec.ping: Invalid value: "bad..host"']),
    ({"ping": "a,,b"}, ["spec.ping", "empty item"]),
    ({"interval": 0}, ['spec.interval: Invalid value: "0"', "between 1 and 3600"]),
    ({"interval": 5, "timeout": "10s"}, ["spec.timeout", "longer than interval"]),
    ({"metricsPort": 70000}, ["spec.metricsPort", "between 1 and 65535"]),
]


@pytest.mark.parametrize("spec,parts", BAD_PINGERS,
                         ids=[p[1][0].split(":")[0] + str(i)
                              for i, p in enumerate(BAD_PINGERS)])
def test_invalid_pinger_is_rejected_naming_the_field(env, spec, parts):
    _rejected(env, pinger(simlib.unique("badp"), **spec), "vpinger", parts)


def test_defaults_are_added_on_create(env):
    sim, ns = env["sim"], env["ns"]
    rc, text = _create(env, debugger("defaulted", workloadType="pod"))
    assert rc == 0, text
    rc, out, err = sim.kubectl("get", "debug", "defaulted", "-n", ns, "-o", "json")
    assert rc == 0, err
    spec = json.loads(out)["spec"]
    # The CRD here has no defaults: these come from the mutating webhook.
    assert spec["image"] == "kubecombo/debugger:latest", spec
    assert spec["historyLimit"] == 5 and spec["checkTimeout"] == "30s" \
        and spec["runDeadline"] == "5m", spec
    assert spec["hostNetwork"] is False and spec["enablePinger"] is False, spec
    rc, text = _create(env, pinger("defaulted-p"))
    assert rc == 0, text
    rc, out, err = sim.kubectl("get", "ping", "defaulted-p", "-n", ns, "-o", "json")
    assert rc == 0, err
    spec = json.loads(out)["spec"]
    assert (spec["interval"], spec["count"], spec["mesh"], spec["metricsPort"],
            spec["failureThreshold"], spec["recoveryThreshold"]) == \
        (5, 1, True, 8080, 3, 2), spec


def test_update_to_an_invalid_spec_is_rejected(env):
    sim, ns = env["sim"], env["ns"]
    rc, text = _create(env, debugger("to-update"))
    assert rc == 0, text
    rc, out, err = sim.kubectl("patch", "debug", "to-update", "-n", ns,
                               "--type", "merge", "-p",
                               json.dumps({"spec": {"nodeName": "kubecombo-worker-1"}}))
    assert rc != 0 and 'The Debugger "to-update" is invalid' in err \
        and "spec.nodeName: Forbidden" in err, out + err
    rc, out, err = sim.kubectl("patch", "debug", "to-update", "-n", ns,
                               "--type", "merge", "-p",
                               json.dumps({"spec": {"memory": "128Mi"}}))
    assert rc == 0, out + err


def test_listener_answers_only_the_webhook_paths(env):
    ca = os.path.join(env["certs"], "ca.crt")
    base = "https://127.0.0.1:%d" % env["port"]
    s = requests.Session()
    s.trust_env = False
    r = s.post(base + "/nope", data="{}", verify=ca, timeout=5)
    assert r.status_code == 404
    r = s.get(base + "/validate-vpn-gw-kubecombo-com-v1-pinger", verify=ca, timeout=5)
    assert r.status_code == 405
    r = s.post(base + "/validate-vpn-gw-kubecombo-com-v1-pinger?timeout=5s",
               data="not json", verify=ca, timeout=5)
    assert r.status_code == 400 and r.json()["response"]["allowed"] is False
    # Metrics of the listener on the controller's /metrics.
    for path, obj in (("validate-vpn-gw-kubecombo-com-v1-debugger", debugger("m")),
                      ("mutate-vpn-gw-kubecombo-com-v1-pinger", pinger("m"))):
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": "m", "operation": "CREATE", "object": obj,
                              "kind": {"group": "vpn-gw.kubecombo.com",
                                       "version": "v1", "kind": obj["kind"]}}}
        r = s.post("%s/%s?timeout=5s" % (base, path), json=review, verify=ca, timeout=5)
        assert r.status_code == 200 and r.json()["response"]["allowed"], r.text
    text = env["ctl"].get("/metrics", timeout=5).text
    m = re.search(r'^kubecombo_webhook_requests_total\{webhook="validate-vpn-gw-'
                  r'kubecombo-com-v1-debugger",code="200"\} (\d+)', text, re.M)
    assert m and int(m.group(1)) >= 1, text[-3000:]
    assert 'kubecombo_webhook_requests_total{webhook="other",code="404"}' in text
    assert re.search(r'^kubecombo_webhook_request_duration_seconds_count\{webhook='
                     r'"mutate-vpn-gw-kubecombo-com-v1-pinger"\} [1-9]', text, re.M), \
        text[-3000:]
    if os.access("/usr/bin/promtool", os.X_OK):
        p = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=text,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0 and not (p.stdout + p.stderr).strip(), \
            p.stdout + p.stderr
    else:
        print("SKIP promtool check: /usr/bin/promtool not installed")
    # The certificate names the Service (deploy/manager/service.yaml).
    out = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName",
                          "-in", os.path.join(env["certs"], "tls.crt")],
                         capture_output=True, text=True, timeout=30).stdout
    for name in ("DNS:kubecombo-controller.kubecombo-system.svc",
                 "DNS:kubecombo-controller.kubecombo-system.svc.cluster.local",
                 "IP Address:127.0.0.1"):
        assert name in out, out


def test_a_restarted_controller_reuses_the_written_certificate(env):
    """tls.crt/tls.key in the dir are loaded, not replaced (the caBundle holds)."""
    certs = env["certs"]
    before = open(os.path.join(certs, "tls.crt")).read()
    port = simlib.free_port()
    c = Controller(env["sim"], "webhook2", extra=(
        "--enable-webhooks", "--webhook-bind-address", "127.0.0.1:%d" % port,
        "--webhook-cert-dir", certs)).start()
    try:
        r = requests.post("https://127.0.0.1:%d/nope" % port, data="{}",
                          verify=os.path.join(certs, "ca.crt"), timeout=5)
        assert r.status_code == 404
    finally:
        assert c.stop() == 0, c.log()[-3000:]
    assert open(os.path.join(certs, "tls.crt")).read() == before


def _apply_configs(sim, docs):
    """kubectl apply, as a user switching clientConfig url <-> service would
    (a strategic merge of `webhooks` by name)."""
    rc, out, err = sim.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
    assert rc == 0, out + err
    for d in docs:
        got = sim.get_json("/apis/admissionregistration.k8s.io/v1/%ss/%s" % (
            d["kind"].lower(), d["metadata"]["name"]))
        assert [w["clientConfig"] for w in got["webhooks"]] == \
            [w["clientConfig"] for w in d["webhooks"]], got["webhooks"]
        assert [w.get("rules") for w in got["webhooks"]] == \
            [w.get("rules") for w in d["webhooks"]], got["webhooks"]


def test_through_the_service_of_deploy_manager(env):
    """deploy/webhook's configurations as shipped (clientConfig.service
    kubecombo-controller.kubecombo-system:443) plus the caBundle: the sim
    resolves deploy/manager/service.yaml to a Ready controller pod (status
    set by the test: podIP 127.0.0.1, as in e2e.sim_admission) and verifies
    the generated certificate against kubecombo-controller.kubecombo-system.svc."""
    sim = env["sim"]
    with open(os.path.join(SOURCE, "deploy", "manager", "service.yaml")) as f:
        svc = yaml.safe_load(f)
    for p in svc["spec"]["ports"]:
        if p["name"] == "webhook":
            p["targetPort"] = env["port"]  # 9443 in a real pod; a free port here
    ns_obj = {"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": "kubecombo-system"}}
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "kubecombo-controller-0", "namespace": "kubecombo-system",
                        "labels": dict(svc["spec"]["selector"])},
           "spec": {"nodeName": "outside-the-sim",
                    "containers": [{"name": "manager", "image": "kubecombo/kubecombo"}]}}
    rc, out, err = sim.kubectl("apply", "-f", "-",
                               input=yaml.safe_dump_all([ns_obj, svc, pod]))
    assert rc == 0, out + err
    st = sim.get_json("/api/v1/namespaces/kubecombo-system/pods/kubecombo-controller-0")
    st["status"] = {"phase": "Running", "podIP": "127.0.0.1",
                    "conditions": [{"type": "Ready", "status": "True"}]}
    r = sim.request("PUT", "/api/v1/namespaces/kubecombo-system/pods/"
                    "kubecombo-controller-0/status", json=st)
    assert r.status_code == 200, r.text
    with open(os.path.join(SOURCE, "deploy", "webhook", "webhooks.yaml")) as f:
        shipped = [d for d in yaml.safe_load_all(f) if d]
    with open(os.path.join(env["certs"], "ca.crt")) as f:
        bundle = base64.b64encode(f.read().encode()).decode()
    for d in shipped:
        for w in d["webhooks"]:
            assert "service" in w["clientConfig"], w
            w["clientConfig"]["caBundle"] = bundle
    _apply_configs(sim, shipped)
    try:
        _rejected(env, debugger(simlib.unique("svc"), enableConfigMap=True),
                  "vdebugger", ["spec.configMap: Required value"])
        rc, text = _create(env, pinger("via-service"))
        assert rc == 0, text
        got = env["sim"].get_json("/apis/vpn-gw.kubecombo.com/v1/namespaces/%s/"
                                  "pingers/via-service" % env["ns"])
        assert got["spec"]["interval"] == 5, got["spec"]
    finally:
        with open(os.path.join(env["certs"], "ca.crt")) as f:
            _apply_configs(sim, _webhook_configs(env["port"], f.read()))


def test_a_standby_replica_serves_webhooks_too(env):
    """Admission does not wait for leadership (ADR 0042): with a leader
    holding the Lease, a standby (kubecombo_leader 0) answers reviews."""
    sim = env["sim"]
    lease_ns = make_namespace(sim, "lease")
    elect = ("--leader-elect", "--leader-election-namespace", lease_ns)
    leader = Controller(sim, "leader", elect).start()
    standby = None
    try:
        simlib.wait_until(lambda: leader.leader_value() == 1.0, timeout=20,
                          what="first controller leads")
        port = simlib.free_port()
        standby = Controller(sim, "standby", elect + (
            "--enable-webhooks", "--webhook-bind-address", "127.0.0.1:%d" % port,
            "--webhook-cert-dir", env["certs"])).start()
        assert standby.leader_value() == 0.0, standby.log()
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": "u-1", "operation": "CREATE",
                              "kind": {"group": "vpn-gw.kubecombo.com",
                                       "version": "v1", "kind": "Pinger"},
                              "object": pinger("p", interval=0)}}
        r = requests.post("https://127.0.0.1:%d/validate-vpn-gw-kubecombo-com-v1-pinger"
                          % port, json=review, timeout=5,
                          verify=os.path.join(env["certs"], "ca.crt"))
        assert r.status_code == 200, r.text
        resp = r.json()["response"]
        assert resp["uid"] == "u-1" and resp["allowed"] is False, resp
        assert "spec.interval" in resp["status"]["message"], resp
        assert standby.leader_value() == 0.0
    finally:
        if standby:
            assert standby.stop() == 0, standby.log()[-3000:]
        assert leader.stop() == 0, leader.log()[-3000:]


@pytest.mark.parametrize("files,message", [
    ({"tls.crt": "garbage\n", "tls.key": "garbage\n"}, "tls.crt: not a PEM certificate"),
    ({"tls.crt": None}, "tls.key: missing"),
    ({"tls.crt": None, "tls.key": "garbage\n"}, "tls.key: not a PEM private key"),
])
def test_bad_certificates_exit_2_with_one_line(env, tmp_path, files, message):
    good = env["certs"]
    for name, text in files.items():
        if text is None:
            text = open(os.path.join(good, name)).read()
        (tmp_path / name).write_text(text)
    sim = env["sim"]
    p = subprocess.run([sim.binary, "controller", "--kubeconfig", sim.kubeconfig_path,
                        "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
                        "--enable-webhooks", "--webhook-bind-address", "127.0.0.1:0",
                        "--webhook-cert-dir", str(tmp_path)],
                       capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "kubecombo controller: --webhook-cert-dir: ") and message in lines[0], p.stderr
