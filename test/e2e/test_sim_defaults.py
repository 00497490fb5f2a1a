# kc-test-labels: e2e
"""API-server defaulting (ADR 0013) and the review schemas seen by kubectl
1.32: `kubectl get ds -o yaml` shows what a real cluster stores, `kubectl
diff` of the applied manifest is empty, `kubectl explain` knows the review
kinds."""
import json

import yaml

from simlib import unique

DS = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
  namespace: default
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      tolerations: [{{operator: Exists}}]
      containers:
      - name: agent
        image: busybox:1.36
        command: [sleep, "3600"]
"""


def test_daemonset_yaml_looks_real_and_diff_is_empty(kubectl, tmp_path):
    name = unique("ds")
    f = tmp_path / "ds.yaml"
    f.write_text(DS.format(name=name))
    rc, out, err = kubectl("apply", "-f", str(f))
    assert rc == 0, err
    rc, out, err = kubectl("get", "ds", name, "-n", "default", "-o", "yaml")
    assert rc == 0, err
    ds = yaml.safe_load(out)
    spec = ds["spec"]
    assert spec["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}, spec
    assert spec["revisionHistoryLimit"] == 10
    ps = spec["template"]["spec"]
    for k, v in (("restartPolicy", "Always"), ("dnsPolicy", "ClusterFirst"),
                 ("terminationGracePeriodSeconds", 30),
                 ("schedulerName", "default-scheduler"), ("securityContext", {})):
        assert ps[k] == v, (k, ps)
    c = ps["containers"][0]
    assert (c["imagePullPolicy"], c["terminationMessagePath"],
            c["terminationMessagePolicy"], c["resources"]) == (
        "IfNotPresent", "/dev/termination-log", "File", {}), c
    assert ds["metadata"]["generation"] == 1
    # Once the pods run the status stops moving; then compare.
    rc, out, err = kubectl("rollout", "status", "daemonset/" + name, "-n", "default",
                           "--timeout=60s")
    assert rc == 0, (out, err)
    # Server-side dry run of the same manifest: no difference (exit 0).
    rc, out, err = kubectl("diff", "-f", str(f))
    assert rc == 0, (out, err)
    rc, out, err = kubectl("apply", "-f", str(f))
    assert rc == 0 and "unchanged" in out, (out, err)
    rc, out, err = kubectl("get", "ds", name, "-n", "default", "-o",
                           "jsonpath={.metadata.generation}")
    assert out == "1", (out, err)
    kubectl("delete", "ds", name, "-n", "default", "--wait=false")


def test_kubectl_create_deployment_gets_the_defaults(kubectl):
    name = unique("web")
    rc, out, err = kubectl("create", "deployment", name, "--image=nginx", "-n", "default")
    assert rc == 0, err
    rc, out, err = kubectl("get", "deploy", name, "-n", "default", "-o", "json")
    assert rc == 0, err
    d = json.loads(out)
    assert d["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}, d["spec"]
    assert (d["spec"]["replicas"], d["spec"]["progressDeadlineSeconds"],
            d["spec"]["revisionHistoryLimit"]) == (1, 600, 10)
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert c["imagePullPolicy"] == "Always", c  # no tag means :latest
    kubectl("delete", "deploy", name, "-n", "default", "--wait=false")


def test_kubectl_explain_review_kinds(kubectl):
    for what, field in (("selfsubjectrulesreviews.status", "resourceRules"),
                        ("selfsubjectaccessreviews.spec", "resourceAttributes"),
                        ("subjectaccessreviews.spec", "user"),
                        ("tokenreviews.status", "authenticated")):
        rc, out, err = kubectl("explain", what)
        assert rc == 0, (what, err)
        assert field in out, (what, out)
