# kc-test-labels: e2e
"""The listeners of `kubecombo controller` (CONTRACT.md): /metrics and
/debug/actors on the metrics address, /healthz and /readyz on the health
address. `promtool check metrics` accepts /metrics and a real Prometheus
(Debian package, started here on 127.0.0.1 with a temp config and storage)
scrapes it (`up == 1`). Also: bad kubeconfig → one line, exit 2; SIGTERM →
exit 0.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402
from controllerlib import Controller  # noqa: E402

PROMTOOL = "/usr/bin/promtool"
PROMETHEUS = "/usr/bin/prometheus"


SOURCE = os.environ.get("KC_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
CRDS = os.path.join(SOURCE, "deploy", "crd")


def _apply_crds(sim):
    rc, out, err = sim.kubectl("apply", "-f", CRDS)
    assert rc == 0, out + err


@pytest.fixture
def controller(sim):
    # The controller's informers need their CRDs before /readyz is OK.
    _apply_crds(sim)
    c = Controller(sim, "m").start()
    yield c
    rc = c.stop()
    assert rc == 0, c.log()


def test_listeners_serve_their_routes(controller):
    simlib.wait_until(lambda: (controller.get("/readyz", "health") or
                               requests.Response()).status_code == 200,
                      timeout=10, what="readyz")
    assert controller.get("/healthz", "health").status_code == 200
    # Each listener serves only its own routes.
    assert controller.get("/metrics", "health").status_code == 404
    assert controller.get("/healthz", "metrics").status_code == 404
    m = controller.get("/metrics")
    assert m.status_code == 200
    assert m.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "\nkubecombo_leader 1\n" in "\n" + m.text  # no election: sole writer
    assert "process_resident_memory_bytes" in m.text
    actors = controller.get("/debug/actors", timeout=5).json()["actors"]
    by_name = {a["name"]: a for a in actors}
    for name in ("recorder", "debuggers", "pingers", "nodes"):
        assert name in by_name, actors
        assert by_name[name]["parent"] == "root"
    assert "leader" not in by_name  # not started without --leader-elect
    assert by_name["recorder"]["state"].startswith("written=")


def test_readyz_names_unsynced_informers_until_the_crds_exist():
    """A fresh sim without the CRDs: /readyz is 500 naming the Debugger and
    Pinger informers (their LIST is 404); once deploy/crd/ is applied, the
    informers' retries list and /readyz turns 200."""
    s = simlib.start_sim(os.environ["KUBECOMBO"], nodes=1)
    c = None
    try:
        c = Controller(s, "nocrd").start()
        # Not ready: "starting", then the informers that have not listed.
        seen = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            r = c.get("/readyz", "health")
            if r is not None:
                seen.append((r.status_code, r.text))
                if "informer/" in r.text:
                    break
            time.sleep(0.1)
        assert seen and "informer/" in seen[-1][1], seen[-5:]
        # 500 with the reason, as controller-runtime's healthz handler.
        assert all(code == 500 for code, _ in seen), seen
        r = c.get("/readyz", "health")
        assert r.status_code == 500 and r.text.startswith("not synced: "), r.text
        assert "informer/debuggers" in r.text, r.text
        assert "informer/pingers" in r.text, r.text
        _apply_crds(s)
        simlib.wait_until(lambda: (c.get("/readyz", "health") or
                                   requests.Response()).status_code == 200,
                          timeout=60, what="readyz after the CRDs")
        assert c.stop() == 0, c.log()
        c = None
    finally:
        if c is not None:
            c.stop()
        s.stop()
        s.cleanup()


def test_promtool_accepts_metrics(controller):
    if not os.access(PROMTOOL, os.X_OK):
        pytest.skip("SKIP: %s not installed (Debian package prometheus)" % PROMTOOL)
    text = controller.get("/metrics").text
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (p.stdout + p.stderr).strip() == "", p.stdout + p.stderr
    # The check can fail: a bad exposition is rejected.
    bad = subprocess.run([PROMTOOL, "check", "metrics"],
                         input="# TYPE x_ms counter\nx_ms 1\n",
                         capture_output=True, text=True, timeout=60)
    assert (bad.stdout + bad.stderr).strip() != ""


def test_prometheus_scrapes_the_controller(controller):
    if not os.access(PROMETHEUS, os.X_OK):
        pytest.skip("SKIP: %s not installed (Debian package prometheus)" % PROMETHEUS)
    work = tempfile.mkdtemp(prefix="kc-prom-")
    port = simlib.free_port()
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "scrape_configs:\n  - job_name: kubecombo-controller\n"
                "    scrape_interval: 1s\n    scrape_timeout: 1s\n"
                "    static_configs:\n      - targets: ['127.0.0.1:%d']\n"
                % controller.metrics_port)
    log = open(os.path.join(work, "prometheus.log"), "wb")
    prom = subprocess.Popen([PROMETHEUS, "--config.file=" + cfg,
                             "--storage.tsdb.path=" + os.path.join(work, "data"),
                             "--web.listen-address=127.0.0.1:%d" % port,
                             "--log.level=warn"],
                            stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    log.close()

    def query(q):
        try:
            r = requests.get("http://127.0.0.1:%d/api/v1/query" % port,
                             params={"query": q}, timeout=2)
            res = r.json()["data"]["result"]
            return res[0]["value"][1] if res else None
        except (requests.RequestException, ValueError, KeyError):
            return None

    try:
        simlib.wait_until(lambda: query('up{job="kubecombo-controller"} == 1') == "1",
                          timeout=60, interval=0.5, what="Prometheus: up == 1")
        simlib.wait_until(lambda: query("kubecombo_leader") == "1", timeout=30,
                          interval=0.5, what="Prometheus: kubecombo_leader")
    except AssertionError:
        with open(os.path.join(work, "prometheus.log"), "rb") as f:
            print(f.read()[-3000:].decode("utf-8", "replace"))
        raise
    finally:
        prom.terminate()
        try:
            prom.wait(timeout=15)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def test_sigterm_exits_zero_within_grace(sim):
    c = Controller(sim, "t").start()
    t0 = time.monotonic()
    c.signal(signal.SIGTERM)
    rc = c.wait(timeout=15)
    assert rc == 0, c.log()
    assert time.monotonic() - t0 < 12
    assert "shutdown complete" in c.log()


@pytest.mark.parametrize("content,field", [
    ("apiVersion: v1\nkind: Config\ncurrent-context: nope\ncontexts: []\n", "nope"),
    ("{{{ not yaml", None),
])
def test_bad_kubeconfig_one_line_exit_2(sim, content, field):
    path = sim.write_file(simlib.unique("bad") + ".kubeconfig", content)
    p = subprocess.run([sim.binary, "controller", "--kubeconfig", path,
                        "--metrics-bind-address", "0",
                        "--health-probe-bind-address", "0"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    assert path in lines[0], lines[0]
    if field:
        assert field in lines[0], lines[0]


def test_missing_kubeconfig_exit_2(sim):
    path = os.path.join(sim.workdir, "does-not-exist.kubeconfig")
    p = subprocess.run([sim.binary, "controller", "--kubeconfig", path],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert path in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
