#!/usr/bin/python3
"""Control-plane benchmark of `kubecombo sim` (not a test; asserts nothing).

Measures, against a freshly started `kubecombo sim --nodes 3` over HTTPS:
  1. reads served per second: GET of one ConfigMap and LIST of 100 ConfigMaps,
     with N parallel connections (wrk, 2 threads);
  2. watch events delivered per second with 10 watchers open (10 `curl -N`
     watch streams counting lines while wrk POSTs ConfigMaps as fast as it can);
  3. memory per stored object: VmRSS of the sim before and after creating
     --objects ConfigMaps with parallel POSTs (wrk + Lua).
Prints a Markdown report (also written to --out if given).

Usage: bench/sim_bench.sh [--kubecombo PATH] [--duration S] [--objects N]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "e2e"))
import simlib  # noqa: E402

POST_LUA = r"""
local quota = tonumber(os.getenv("KC_QUOTA"))
local prefix = os.getenv("KC_PREFIX")
local path = os.getenv("KC_PATH")
local hdrs = {["Content-Type"] = "application/json",
              ["Authorization"] = "Bearer " .. os.getenv("KC_TOKEN")}
local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("id", n)
  table.insert(threads, thread)
end
counter, created, failed = 0, 0, 0
function request()
  counter = counter + 1
  local body = string.format(
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s-%d-%d",' ..
    '"labels":{"bench":"%s"}},"data":{"key":"value"}}', prefix, id, counter, prefix)
  return wrk.format("POST", path, hdrs, body)
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else failed = failed + 1 end
  if created >= quota then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); f = f + t:get("failed") end
  io.write(string.format("CREATED %d FAILED %d\n", c, f))
end
"""


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, token, conns, duration, script=None, env=None):
    threads = 1 if conns == 1 else 2
    args = ["wrk", "-t", str(threads), "-c", str(conns), "-d", "%ds" % duration,
            "--latency", "-H", "Authorization: Bearer " + token]
    if script:
        args += ["-s", script]
    args.append(url)
    p = subprocess.run(args, capture_output=True, text=True, timeout=duration + 600,
                       env=dict(os.environ, **(env or {})))
    out = p.stdout + p.stderr
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    created = re.search(r"CREATED (\d+) FAILED (\d+)", out)
    return {"rps": float(rps.group(1)) if rps else 0.0,
            "p50": p50.group(1) if p50 else "?", "p99": p99.group(1) if p99 else "?",
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "created": int(created.group(1)) if created else 0,
            "failed": int(created.group(2)) if created else 0, "raw": out}


def post_many(sim, ns, prefix, count, lua, conns=32, step=2):
    """Creates `count` ConfigMaps in ns with wrk; returns (created, rate/s).

    wrk always runs for its whole -d, so it runs in short rounds; the rate is
    taken over the rounds that did not reach their quota (no idle tail).
    """
    done, rounds = 0, 0
    full_made, full_s, all_s = 0, 0.0, 0.0
    while done < count and rounds < 100000:
        rounds += 1
        quota = max(1, (count - done + 1) // 2)  # per wrk thread (2 threads)
        t0 = time.monotonic()
        r = wrk(sim.kc.server + "/api/v1/namespaces/%s/configmaps" % ns, sim.kc.token,
                conns, step, script=lua,
                env={"KC_QUOTA": str(quota), "KC_PREFIX": "%s%d" % (prefix, rounds),
                     "KC_PATH": "/api/v1/namespaces/%s/configmaps" % ns,
                     "KC_TOKEN": sim.kc.token})
        dt = time.monotonic() - t0
        if r["created"] == 0:
            raise RuntimeError("wrk created nothing:\n" + r["raw"])
        done += r["created"]
        all_s += dt
        if r["created"] < 2 * quota:
            full_made += r["created"]
            full_s += dt
    rate = full_made / full_s if full_s else done / all_s
    return done, rate


def make_ns(sim, name):
    r = sim.request("POST", "/api/v1/namespaces",
                    json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert r.status_code in (201, 409), r.text


def count_objects(sim, ns):
    lst = sim.get_json("/api/v1/namespaces/%s/configmaps" % ns)
    return len(lst["items"])


class Watcher(threading.Thread):
    """One `curl -N` watch stream; counts event lines until `target`."""

    def __init__(self, sim, ns, rv):
        super().__init__(daemon=True)
        url = sim.kc.server + ("/api/v1/namespaces/%s/configmaps?watch=true&"
                               "resourceVersion=%s&timeoutSeconds=600" % (ns, rv))
        self.proc = subprocess.Popen(
            ["curl", "-sN", "--cacert", sim.kc.ca_file, "-H",
             "Authorization: Bearer " + sim.kc.token, url],
            stdout=subprocess.PIPE, bufsize=0)
        self.count = 0
        self.target = None
        self.reached = None
        self.lock = threading.Lock()

    def run(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 1 << 20)
            if not data:
                break
            with self.lock:
                self.count += data.count(b"\n")
                if self.target is not None and self.reached is None \
                        and self.count >= self.target:
                    self.reached = time.monotonic()

    def set_target(self, target):
        with self.lock:
            self.target = target
            if self.count >= target and self.reached is None:
                self.reached = time.monotonic()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubecombo", default=os.path.join(HERE, "..", "build", "cmd",
                                                        "kubecombo"))
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--conns", default="1,16,64")
    ap.add_argument("--watch-objects", type=int, default=10000)
    ap.add_argument("--watchers", type=int, default=10)
    ap.add_argument("--objects", type=int, default=100000)
    ap.add_argument("--out")
    a = ap.parse_args()

    sim = simlib.start_sim(os.path.abspath(a.kubecombo), nodes=3)
    lua = os.path.join(sim.workdir, "post.lua")
    with open(lua, "w") as f:
        f.write(POST_LUA)
    lines = []
    try:
        pid = sim.proc.pid
        rss0 = rss_kib(pid)
        # 1. reads
        make_ns(sim, "bench")
        post_many(sim, "bench", "r", 100, lua, conns=4)
        n = count_objects(sim, "bench")
        one = sim.get_json("/api/v1/namespaces/bench/configmaps")["items"][0]
        one_name = one["metadata"]["name"]
        get_url = sim.kc.server + "/api/v1/namespaces/bench/configmaps/" + one_name
        list_url = sim.kc.server + "/api/v1/namespaces/bench/configmaps"
        list_bytes = len(sim.request("GET", "/api/v1/namespaces/bench/configmaps").content)
        lines += ["## Reads (wrk, 2 threads, %d s each, HTTPS, bearer token)" % a.duration, "",
                  "LIST returns %d ConfigMaps (%d bytes).\n" % (n, list_bytes),
                  "| request | connections (wrk threads) | requests/s | p50 | p99 | non-2xx |",
                  "|---|---|---|---|---|---|"]
        for what, url in (("GET one ConfigMap", get_url), ("LIST 100 ConfigMaps", list_url)):
            for c in [int(x) for x in a.conns.split(",")]:
                r = wrk(url, sim.kc.token, c, a.duration)
                lines.append("| %s | %d (%d) | %.0f | %s | %s | %d |"
                             % (what, c, 1 if c == 1 else 2, r["rps"], r["p50"], r["p99"],
                                r["non2xx"]))
                print(lines[-1], flush=True)
        # 2. watch fan-out
        make_ns(sim, "wbench")
        rv = sim.get_json("/api/v1/namespaces/wbench/configmaps")["metadata"]["resourceVersion"]
        watchers = [Watcher(sim, "wbench", rv) for _ in range(a.watchers)]
        for w in watchers:
            w.start()
        time.sleep(1.0)
        for w in watchers:
            w.set_target(a.watch_objects)
        t0 = time.monotonic()
        made, post_rate = post_many(sim, "wbench", "w", a.watch_objects, lua, conns=32)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(w.reached is None for w in watchers):
            time.sleep(0.05)
        got = [w.count for w in watchers]
        t_end = max((w.reached or time.monotonic()) for w in watchers)
        for w in watchers:
            w.stop()
        delivered = sum(min(c, a.watch_objects) for c in got)
        lines += ["", "## Watch fan-out (%d watchers, `curl -N`, ConfigMaps POSTed by wrk "
                  "with 32 connections)" % a.watchers, "",
                  "| objects created | create rate (/s) | events delivered | seconds "
                  "(first POST → last event at last watcher) | events delivered/s |",
                  "|---|---|---|---|---|",
                  "| %d | %.0f | %d of %d | %.2f | %.0f |"
                  % (made, post_rate, delivered, a.watch_objects * a.watchers, t_end - t0,
                     delivered / (t_end - t0))]
        print(lines[-1], flush=True)
        # 3. memory per stored object
        make_ns(sim, "mem")
        time.sleep(1.0)
        before = rss_kib(pid)
        made, post_rate = post_many(sim, "mem", "m", a.objects, lua, conns=32)
        time.sleep(2.0)
        after = rss_kib(pid)
        sample = sim.get_json("/api/v1/namespaces/mem/configmaps?limit=1")["items"][0]
        size = len(json.dumps(sample, separators=(",", ":")))
        lines += ["", "## Memory per stored object", "",
                  "| objects | POST rate (/s) | VmRSS before | VmRSS after | per object | "
                  "JSON size of one object |", "|---|---|---|---|---|---|",
                  "| %d | %.0f | %.1f MiB | %.1f MiB | %.0f B | %d B |"
                  % (made, post_rate, before / 1024, after / 1024,
                     (after - before) * 1024 / max(made, 1), size),
                  "", "VmRSS at start (3 nodes, nothing else): %.1f MiB. The per-object figure "
                  "includes the watch-history entry each create appends." % (rss0 / 1024)]
        print("\n".join(lines[-5:]), flush=True)
    finally:
        sim.stop()
        sim.cleanup()
    report = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(report)
    print(report)


if __name__ == "__main__":
    main()
