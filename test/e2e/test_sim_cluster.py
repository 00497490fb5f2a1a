# kc-test-labels: e2e
"""The simulated cluster with the real kubectl 1.32 (ADR 0009): nodes and
node Leases, the scheduler (`kubectl run`), Deployments with ReplicaSets
(`kubectl create deployment` + `rollout status`), DaemonSets on 3 nodes
rolled within maxUnavailable at every observed moment, and an unschedulable
pod's FailedScheduling Event in `kubectl describe`. Pods become Running
through the stage kubelet of the same control plane."""
import json

import simlib

pytestmark = []


def _json(kubectl, *args):
    rc, out, err = kubectl(*args, "-o", "json")
    assert rc == 0, err
    return json.loads(out)


def _ns(kubectl):
    name = simlib.unique("cl")
    rc, _, err = kubectl("create", "namespace", name)
    assert rc == 0, err
    return name


def test_nodes_ready_labelled_untainted_with_leases(kubectl, alive):
    nodes = _json(kubectl, "get", "nodes")["items"]
    assert [n["metadata"]["name"] for n in nodes] == [
        "kubecombo-worker-1", "kubecombo-worker-2", "kubecombo-worker-3"]
    for n in nodes:
        labels = n["metadata"]["labels"]
        assert labels["kubernetes.io/hostname"] == n["metadata"]["name"]
        assert labels["kubernetes.io/os"] == "linux"
        assert labels["kubernetes.io/arch"] == "amd64"
        assert not any(k.startswith("node-role.kubernetes.io/") for k in labels)
        assert not n["spec"].get("taints")
        ready = [c for c in n["status"]["conditions"] if c["type"] == "Ready"]
        assert ready and ready[0]["status"] == "True"
    rc, out, err = kubectl("get", "nodes")
    assert rc == 0, err
    assert out.count(" Ready ") == 3, out
    leases = _json(kubectl, "get", "leases", "-n", "kube-node-lease")["items"]
    assert sorted(l["metadata"]["name"] for l in leases) == [
        n["metadata"]["name"] for n in nodes]
    for l in leases:
        assert l["spec"]["holderIdentity"] == l["metadata"]["name"]
        assert l["spec"]["renewTime"].endswith("Z")


def test_kubectl_run_gives_a_scheduled_running_pod(kubectl, alive):
    ns = _ns(kubectl)
    rc, out, err = kubectl("run", "solo", "-n", ns, "--image=busybox",
                           "--restart=Never", "--", "sleep", "3600")
    assert rc == 0, err
    rc, out, err = kubectl("wait", "-n", ns, "--for=condition=Ready", "pod/solo",
                           "--timeout=30s")
    assert rc == 0, (out, err)
    pod = _json(kubectl, "get", "pod", "solo", "-n", ns)
    assert pod["spec"]["nodeName"].startswith("kubecombo-worker-")
    assert pod["status"]["phase"] == "Running"
    sched = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert sched and sched[0]["status"] == "True"
    rc, out, err = kubectl("describe", "pod", "solo", "-n", ns)
    assert rc == 0, err
    assert "Scheduled" in out and "Successfully assigned %s/solo to" % ns in out


def test_unschedulable_pod_reports_failed_scheduling(kubectl, sim, alive):
    ns = _ns(kubectl)
    manifest = json.dumps({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "nowhere", "namespace": ns},
        "spec": {"nodeSelector": {"disk": "none"},
                 "containers": [{"name": "c", "image": "busybox"}]}})
    rc, _, err = kubectl("apply", "-f", sim.write_file(ns + ".json", manifest))
    assert rc == 0, err
    msg = ("0/3 nodes are available: 3 node(s) didn't match Pod's node "
           "affinity/selector. preemption: 0/3 nodes are available: 3 "
           "Preemption is not helpful for scheduling.")

    def described():
        rc, out, _ = kubectl("describe", "pod", "nowhere", "-n", ns)
        return rc == 0 and "FailedScheduling" in out and msg in out and out
    simlib.wait_until(described, timeout=20, what="FailedScheduling in describe")
    pod = _json(kubectl, "get", "pod", "nowhere", "-n", ns)
    cond = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"][0]
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "False", "Unschedulable", msg)
    assert pod["status"]["phase"] == "Pending"


def test_create_deployment_rollout_status_and_update(kubectl, alive):
    ns = _ns(kubectl)
    rc, _, err = kubectl("create", "deployment", "web", "-n", ns,
                         "--image=nginx:1", "--replicas=3")
    assert rc == 0, err
    rc, out, err = kubectl("rollout", "status", "deployment/web", "-n", ns,
                           "--timeout=60s", timeout=90)
    assert rc == 0, (out, err)
    assert 'deployment "web" successfully rolled out' in out
    pods = _json(kubectl, "get", "pods", "-n", ns, "-l", "app=web")["items"]
    assert len(pods) == 3
    assert all(p["status"]["phase"] == "Running" for p in pods)
    assert all(p["spec"]["nodeName"] for p in pods)
    rc, out, err = kubectl("get", "rs", "-n", ns)
    assert rc == 0, err
    assert out.split("\n")[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    rc, out, err = kubectl("get", "deploy", "web", "-n", ns)
    assert rc == 0 and "3/3" in out, (out, err)
    rc, _, err = kubectl("set", "image", "deployment/web", "-n", ns, "nginx=nginx:2")
    assert rc == 0, err
    rc, out, err = kubectl("rollout", "status", "deployment/web", "-n", ns,
                           "--timeout=60s", timeout=90)
    assert rc == 0, (out, err)
    d = _json(kubectl, "get", "deployment", "web", "-n", ns)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert d["status"]["updatedReplicas"] == 3
    simlib.wait_until(lambda: len(_json(kubectl, "get", "pods", "-n", ns, "-l",
                                        "app=web")["items"]) == 3,
                      timeout=60, what="old pods gone")
    images = {p["spec"]["containers"][0]["image"]
              for p in _json(kubectl, "get", "pods", "-n", ns, "-l", "app=web")["items"]}
    assert images == {"nginx:2"}


def _ds_manifest(ns, image, max_unavailable):
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": ns},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "updateStrategy": {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": max_unavailable}},
                 "template": {"metadata": {"labels": {"app": "agent"}},
                              "spec": {"containers": [{"name": "a", "image": image}]}}}})


def test_daemonset_three_nodes_rolls_within_max_unavailable(kubectl, sim, alive):
    ns = _ns(kubectl)
    path = sim.write_file(ns + "-ds.json", _ds_manifest(ns, "agent:1", 1))
    rc, _, err = kubectl("apply", "-f", path)
    assert rc == 0, err
    rc, out, err = kubectl("rollout", "status", "daemonset/agent", "-n", ns,
                           "--timeout=60s", timeout=90)
    assert rc == 0, (out, err)
    pods = _json(kubectl, "get", "pods", "-n", ns, "-l", "app=agent")["items"]
    assert sorted(p["spec"]["nodeName"] for p in pods) == [
        "kubecombo-worker-1", "kubecombo-worker-2", "kubecombo-worker-3"]
    assert all(p["status"]["phase"] == "Running" for p in pods)
    ds = _json(kubectl, "get", "ds", "agent", "-n", ns)
    st = ds["status"]
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"],
            st["numberReady"], st["numberAvailable"], st["updatedNumberScheduled"],
            st["numberMisscheduled"], st["observedGeneration"]) == (3, 3, 3, 3, 3, 0, 1)

    # Roll: follow every pod event through a watch opened before the apply, so
    # each intermediate state is seen however fast the roll is.
    import threading
    from kubernetes import client, watch
    api = sim.api_client()
    v1 = client.CoreV1Api(api)
    listed = v1.list_namespaced_pod(ns, label_selector="app=agent")
    pods_now = {p.metadata.name: p for p in listed.items}
    state = {"worst": 0, "events": 0, "deleted": 0, "done": False}
    w = watch.Watch()

    def unavailable():
        live = [p for p in pods_now.values() if p.metadata.deletion_timestamp is None]
        ready = {p.spec.node_name for p in live
                 if any(c.type == "Ready" and c.status == "True"
                        for c in (p.status.conditions or []))}
        return 3 - len(ready), live, ready

    def follow():
        for ev in w.stream(v1.list_namespaced_pod, ns, label_selector="app=agent",
                           resource_version=listed.metadata.resource_version,
                           timeout_seconds=60):
            obj = ev["object"]
            if ev["type"] == "DELETED":
                pods_now.pop(obj.metadata.name, None)
                state["deleted"] += 1
            else:
                pods_now[obj.metadata.name] = obj
            state["events"] += 1
            down, live, ready = unavailable()
            state["worst"] = max(state["worst"], down)
            new_ready = [p for p in live if p.spec.containers[0].image == "agent:2"
                         and p.spec.node_name in ready]
            # Done once the three new pods are Ready and every old pod's DELETED
            # arrived (a terminating pod may outlive its replacement's start).
            if len(new_ready) == 3 and len(pods_now) == 3:
                state["done"] = True
                w.stop()

    t = threading.Thread(target=follow, daemon=True)
    t.start()
    path = sim.write_file(ns + "-ds2.json", _ds_manifest(ns, "agent:2", 1))
    rc, _, err = kubectl("apply", "-f", path)
    assert rc == 0, err
    t.join(timeout=70)
    w.stop()
    api.close()
    assert state["done"], "DaemonSet did not roll: %r" % state
    assert state["worst"] <= 1, "more than maxUnavailable=1 down: %d" % state["worst"]
    assert state["deleted"] == 3  # each old pod replaced
    rc, out, err = kubectl("rollout", "status", "daemonset/agent", "-n", ns,
                           "--timeout=60s", timeout=90)
    assert rc == 0, (out, err)
    ds = _json(kubectl, "get", "ds", "agent", "-n", ns)
    assert ds["status"]["observedGeneration"] == 2
    assert ds["status"]["updatedNumberScheduled"] == 3
