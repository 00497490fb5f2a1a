#!/usr/bin/python3
"""Resident debugger agent CPU benchmark (issue 8; not a test; not in ctest).

Starts `kubecombo sim --nodes 1` on loopback, applies deploy/crd/, creates a
Debugger and a Pod object standing for the agent's own Pod, then runs ONE
resident `kubecombo debugger` (API access via the sim's kubeconfig) whose
scripts dir holds N trivial user checks (`echo itemK: ok; exit 0`) and no
built-in ones. Each interval the bench sets a new status.currentRun; the agent
watches, runs the N checks, and patches its report. Measured from /proc: the
agent's own CPU (utime + stime — the checks are children and counted
separately in cutime + cstime), over the whole window, plus an idle window
without runs (watch thread only).

Usage: /usr/bin/python3 bench/debugger_agent_bench.py [--kubecombo BUILD/cmd/kubecombo]
           [--checks 50] [--interval 60] [--runs 3] [--idle 60]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "test", "e2e"))
import simlib  # noqa: E402

GROUP = "/apis/vpn-gw.kubecombo.com/v1"
TCK = os.sysconf("SC_CLK_TCK")


def cpu(pid):
    """(own utime+stime, children's cutime+cstime) of a process in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        x = f.read().rsplit(")", 1)[1].split()
    return (int(x[11]) + int(x[12])) / TCK, (int(x[13]) + int(x[14])) / TCK


def req(sim, method, path, body=None, ctype="application/json"):
    r = sim.request(method, path, data=None if body is None else json.dumps(body),
                    headers={"Content-Type": ctype})
    assert r.status_code in (200, 201), r.text
    return r.json()


def report_run(sim, pod):
    p = req(sim, "GET", "/api/v1/namespaces/default/pods/" + pod)
    text = (p["metadata"].get("annotations") or {}).get("kubecombo.com/run-report")
    return json.loads(text)["run"] if text else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubecombo", default=os.path.join(SOURCE, "build", "cmd", "kubecombo"))
    ap.add_argument("--checks", type=int, default=50)
    ap.add_argument("--interval", type=float, default=60)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=60)
    a = ap.parse_args()
    a.kubecombo = os.path.abspath(a.kubecombo)
    work = tempfile.mkdtemp(prefix="kc-agent-bench-")
    custom = os.path.join(work, "scripts", "custom")
    os.makedirs(custom)
    for i in range(a.checks):
        path = os.path.join(custom, "c%02d.sh" % i)
        with open(path, "w") as f:
            f.write("#!/bin/sh\necho \"item%d: ok\"\nexit 0\n" % i)
        os.chmod(path, 0o755)
    sim = simlib.start_sim(a.kubecombo, nodes=1)
    agent = None
    try:
        rc, out, err = sim.kubectl("apply", "-f", os.path.join(SOURCE, "deploy", "crd"))
        assert rc == 0, out + err
        req(sim, "POST", GROUP + "/namespaces/default/debuggers",
            {"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Debugger",
             "metadata": {"name": "bench"}, "spec": {"workloadType": "daemonset", "cpu": "100m", "memory": "64Mi"}})
        req(sim, "POST", "/api/v1/namespaces/default/pods",
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench-agent"},
             "spec": {"containers": [{"name": "debug", "image": "busybox"}]}})
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEBUGGER_NAME": "bench",
               "POD_NAME": "bench-agent", "POD_NAMESPACE": "default", "DS_NAME": "bench",
               "NODE_NAME": "n1"}
        log = open(os.path.join(work, "agent.log"), "w")
        agent = subprocess.Popen([a.kubecombo, "debugger", "--kubeconfig", sim.kubeconfig_path,
                                  "--port", "0", "--host-root", work,
                                  "--scripts-dir", os.path.join(work, "scripts")],
                                 stdout=log, stderr=subprocess.STDOUT, env=env)
        time.sleep(2)
        idle0, t0 = cpu(agent.pid), time.monotonic()
        time.sleep(a.idle)
        idle1, t1 = cpu(agent.pid), time.monotonic()
        print("idle: %.3f s CPU in %.1f s wall = %.3f %% of a core"
              % (idle1[0] - idle0[0], t1 - t0, 100 * (idle1[0] - idle0[0]) / (t1 - t0)))
        start, ts = cpu(agent.pid), time.monotonic()
        took = []
        for i in range(a.runs):
            due = ts + i * a.interval
            time.sleep(max(0, due - time.monotonic()))
            now = time.gmtime()
            run = time.strftime("%Y%m%d-%H%M%S", now)
            req(sim, "PATCH", GROUP + "/namespaces/default/debuggers/bench/status",
                {"status": {"currentRun": {"id": run,
                                           "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", now)}}},
                "application/merge-patch+json")
            r0 = time.monotonic()
            simlib.wait_until(lambda: report_run(sim, "bench-agent") == run,
                              timeout=a.interval, interval=0.05, what="report " + run)
            took.append(time.monotonic() - r0)
        time.sleep(max(0, ts + a.runs * a.interval - time.monotonic()))
        end, te = cpu(agent.pid), time.monotonic()
        own, kids, wall = end[0] - start[0], end[1] - start[1], te - ts
        print("%d runs of %d checks, one per %.0f s: agent %.3f s CPU (%.2f ms per check), "
              "checks %.3f s CPU, wall %.1f s → agent %.3f %% of a core; run → report %s s"
              % (a.runs, a.checks, a.interval, own, 1000 * own / (a.runs * a.checks), kids,
                 wall, 100 * own / wall, ", ".join("%.2f" % t for t in took)))
    finally:
        if agent and agent.poll() is None:
            agent.terminate()
            agent.wait(timeout=20)
        sim.stop()
        sim.cleanup()
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
