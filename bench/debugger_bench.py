#!/usr/bin/python3
"""Debugger controller convergence benchmark (not a test; not in ctest).

Starts `kubecombo sim --nodes 3` and `kubecombo controller` on loopback,
applies deploy/crd/, then creates N DaemonSet Debuggers at once (one
`kubectl create -f` of a List) and measures the time until every Debugger is
Ready=True with status.observedGeneration current, plus the controller's RSS
before and after (memory per Debugger). Every wait is bounded.

Usage: /usr/bin/python3 bench/debugger_bench.py [--kubecombo BUILD/cmd/kubecombo]
           [--debuggers 1000] [--timeout 600]
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "test", "e2e"))
import simlib  # noqa: E402
from controllerlib import Controller  # noqa: E402

GROUP = "/apis/vpn-gw.kubecombo.com/v1"


def rss_kib(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """utime + stime of a process from /proc (seconds)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ready_count(sim, ns):
    r = sim.request("GET", "%s/namespaces/%s/debuggers" % (GROUP, ns), timeout=30)
    if r.status_code != 200:
        return 0
    n = 0
    for d in r.json()["items"]:
        st = d.get("status") or {}
        if st.get("observedGeneration") != d["metadata"].get("generation"):
            continue
        if any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in st.get("conditions") or []):
            n += 1
    return n


def print_writes(sim):
    """Client writes per resource and verb (the sim's write counter)."""
    sums = {}
    for it in simlib.fault_writes(sim)["items"]:
        row = sums.setdefault(it["resource"], dict.fromkeys(
            ("create", "update", "patch", "delete", "status"), 0))
        for verb in row:
            row[verb] += it[verb]
    for res, row in sorted(sums.items()):
        print("writes %-40s %s" % (res, " ".join(
            "%s=%d" % kv for kv in row.items() if kv[1])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubecombo",
                    default=os.path.join(SOURCE, "build", "cmd", "kubecombo"))
    ap.add_argument("--debuggers", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--writes", action="store_true",
                    help="start the sim with --fault-api and print the "
                         "controller's writes per resource and verb")
    a = ap.parse_args()
    sim = simlib.start_sim(os.path.abspath(a.kubecombo), nodes=3,
                           extra=["--fault-api"] if a.writes else [])
    ctl = None
    try:
        rc, out, err = sim.kubectl("apply", "-f", os.path.join(SOURCE, "deploy", "crd"))
        assert rc == 0, out + err
        ns = "bench"
        rc, out, err = sim.kubectl("create", "namespace", ns)
        assert rc == 0, out + err
        ctl = Controller(sim, "bench").start()
        simlib.wait_until(lambda: (ctl.get("/readyz", "health") is not None and
                                   ctl.get("/readyz", "health").status_code == 200),
                          timeout=60, what="controller /readyz")
        time.sleep(2)  # settle: baseline after the initial LIST
        pid = ctl.proc.pid
        base = rss_kib(pid)
        items = [{"apiVersion": "vpn-gw.kubecombo.com/v1", "kind": "Debugger",
                  "metadata": {"name": "dbg-%04d" % i, "namespace": ns},
                  "spec": {"workloadType": "daemonset", "cpu": "100m",
                           "memory": "64Mi"}} for i in range(a.debuggers)]
        path = sim.write_file("debuggers.json", json.dumps(
            {"apiVersion": "v1", "kind": "List", "items": items}))
        cpu0 = cpu_seconds(pid), cpu_seconds(sim.proc.pid)
        t0 = time.monotonic()
        # --validate=false: the client-side schema check is not what is measured.
        rc, out, err = sim.kubectl("create", "--validate=false", "-f", path,
                                   timeout=a.timeout)
        assert rc == 0, err[-2000:]
        t_created = time.monotonic() - t0
        n, peak = 0, base
        deadline = t0 + a.timeout
        while time.monotonic() < deadline:
            n = ready_count(sim, ns)
            peak = max(peak, rss_kib(pid))
            if n >= a.debuggers:
                break
            time.sleep(0.5)
        t_ready = time.monotonic() - t0
        cpu = cpu_seconds(pid) - cpu0[0], cpu_seconds(sim.proc.pid) - cpu0[1]
        time.sleep(2)
        after = rss_kib(pid)
        hwm = rss_kib(pid, "VmHWM")
        pods = len(sim.get_json("/api/v1/namespaces/%s/pods" % ns)["items"])
        print("debuggers=%d nodes=3 created_in=%.2fs ready=%d all_ready_after=%.2fs "
              "(from the start of kubectl create) pods=%d"
              % (a.debuggers, t_created, n, t_ready, pods))
        print("controller RSS: baseline %.1f MiB, after %.1f MiB, peak(sampled) %.1f MiB, "
              "VmHWM %.1f MiB -> %.1f KiB per Debugger (after - baseline)"
              % (base / 1024, after / 1024, peak / 1024, hwm / 1024,
                 (after - base) / a.debuggers))
        print("CPU until all Ready: controller %.1f s, sim %.1f s" % cpu)
        print("load average: %s" % open("/proc/loadavg").read().strip())
        if a.writes:
            print_writes(sim)
        m = ctl.get("/metrics", timeout=5)
        for line in (m.text.splitlines() if m is not None else []):
            if line.startswith(("kc_reconcile_total", "kc_informer_events_total",
                                "kc_reconcile_errors_total")):
                print("metric " + line)
        if ctl.proc.poll() is not None:
            print("CONTROLLER EXITED %s:\n%s" % (ctl.proc.returncode, ctl.log()[-3000:]))
        if n < a.debuggers:
            print("NOT CONVERGED within %.0fs" % a.timeout)
            return 1
        return 0
    finally:
        if ctl is not None:
            ctl.stop()
        sim.stop()
        sim.cleanup()


if __name__ == "__main__":
    sys.exit(main())
