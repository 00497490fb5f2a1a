# `kubecombo debugger` local modes against prepared host roots: --run-once
# finds exactly the planted errors on exactly their nodes, errlogs hold only
# failed checks, NPD plugins run unchanged as user scripts (job style), bad
# scripts are reported without hurting the agent, and a troubleshooting pod
# stays up until SIGTERM.
# kc-test-labels: e2e root
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_checks import CHECKS, add_iface, make_tree  # noqa: E402

KUBECOMBO = os.environ.get("KUBECOMBO", "")
RUN = "20261128-160000"
LINE = re.compile(r"^(disk|net|mem|svc|custom)/(\S+) (ok|PROBLEM|UNKNOWN)\b.* \d+\.\d\ds$")

pytestmark = pytest.mark.skipif(not KUBECOMBO or not os.access(KUBECOMBO, os.X_OK),
                                reason="KUBECOMBO (the kubecombo binary) not set")


def need_root():
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("SKIP: needs root and unshare to mount tmpfs in a private mount namespace")


def scripts_dir(tmp_path: Path, name="scripts", builtin=True):
    d = tmp_path / name
    if builtin:
        shutil.copytree(CHECKS, d, ignore=shutil.ignore_patterns("*.md", "errlog", ".gitignore"))
    else:
        d.mkdir()
    return d


def debugger(*args, env=None, mounts=(), timeout=120):
    """Runs kubecombo debugger; `mounts` are (dir, size, fill) tmpfs mounts made
    first in a private mount namespace (vanishing with the process)."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODE_NAME": "n1", "KC_NET_PING": "0"}
    e.update(env or {})
    cmd = [KUBECOMBO, "debugger", *map(str, args)]
    if mounts:
        script = "set -e\n"
        for d, size, fill in mounts:
            script += f"mount -t tmpfs -o size={size} tmpfs '{d}'\n"
            if fill:
                script += f"dd if=/dev/zero of='{d}/fill' bs=64k 2>/dev/null || true\n"
        script += 'exec "$@"\n'
        cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *cmd]
    start = time.monotonic()
    p = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=timeout)
    p.took = time.monotonic() - start
    print(f"rc={p.returncode} {p.took:.2f}s\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}")
    return p


def errors_of(summary: dict):
    return {(cat, item): d["err"] for cat, items in summary.items()
            for item, d in (items or {}).items() if not item.startswith("_") and d}


def check_lines(text):
    return [m.group(1) + "/" + m.group(2) for m in map(LINE.match, text.splitlines()) if m]


def errlogs(scripts: Path):
    return sorted(p.relative_to(scripts).as_posix() for p in scripts.glob("*/errlog/*.log"))


def test_three_nodes_report_exactly_their_planted_errors(tmp_path):
    need_root()
    mounts_a = "/dev/sdb1 /data ext4 rw,relatime 0 0\n/dev/sda1 /boot ext4 rw,relatime 0 0\n"
    nodes = {
        "node-a": make_tree(tmp_path / "a", mounts=mounts_a),        # full disk
        "node-b": make_tree(tmp_path / "b"),                         # link down
        "node-c": make_tree(tmp_path / "c", procs=("kubelet",)),     # containerd missing
        "node-d": make_tree(tmp_path / "d"),                         # healthy
    }
    for root in nodes.values():
        (root / "data").mkdir()
        (root / "boot").mkdir()
    add_iface(nodes["node-b"], "eth2", oper="down", carrier="0")
    expected = {
        "node-a": {("disk", "sdb1")},
        "node-b": {("net", "eth2")},
        "node-c": {("svc", "containerd")},
        "node-d": set(),
    }
    all_checks = sorted(p.relative_to(CHECKS).as_posix() for p in CHECKS.glob("*/*")
                        if p.is_file() and p.suffix != ".md")
    for node, root in nodes.items():
        scripts = scripts_dir(tmp_path, "scripts-" + node)
        mounts = [(root / "data", "1M", node == "node-a"), (root / "boot", "4M", False)]
        p = debugger("--run-once", "--host-root", root, "--scripts-dir", scripts,
                     "--run-id", RUN, env={"NODE_NAME": node}, mounts=mounts)
        summary = yaml.safe_load(p.stdout)
        assert list(summary) == ["disk", "net", "mem", "svc"]
        errs = errors_of(summary)
        assert set(errs) == expected[node], (node, errs)
        assert p.returncode == (0 if node == "node-d" else 1)
        # One readable line per check in the log, each check exactly once.
        assert sorted(check_lines(p.stderr)) == all_checks
        # Errlogs: only the failed checks, only in their category.
        logs = errlogs(scripts)
        if node == "node-d":
            assert logs == []
            # Its proc/mounts lists nothing: checks without items report themselves.
            assert summary["disk"] == {"usage": {}, "readonly": {}, "kernel-errors": {}}
            continue
        cat = next(iter(expected[node]))[0]
        assert logs == [f"{cat}/errlog/{RUN}.log"]
        text = (scripts / logs[0]).read_text()
        failed = re.findall(r"^=== (\S+) (PROBLEM|UNKNOWN)", text, re.M)
        assert len(failed) == 1, text
        assert f"$ {scripts}/{failed[0][0]}" in text
    a = yaml.safe_load(debugger("--run-once", "disk", "--host-root", nodes["node-a"],
                                "--scripts-dir", scripts_dir(tmp_path, "again"),
                                mounts=[(nodes["node-a"] / "data", "1M", True),
                                        (nodes["node-a"] / "boot", "4M", False)]).stdout)
    assert a["disk"]["sdb1"]["err"].startswith("disk full (100% used, 0 KiB free on /data)")
    assert a["disk"]["sda1"] == {}


NPD_PLUGIN = """#!/bin/bash
# A node-problem-detector custom plugin, unchanged (exit 0 OK, 1 NonOK, 2 Unknown).
readonly OK=0
readonly NONOK=1
readonly UNKNOWN=2
if ! command -v kubecombo-fake-ntpd >/dev/null; then
  echo "NTP service is not running"
  exit $NONOK
fi
echo "NTP service is running"
exit $OK
"""


def write_script(path: Path, text, mode=0o755, binary=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.write_bytes if binary else path.write_text)(text)
    path.chmod(mode)


def test_npd_plugin_runs_unchanged_as_job(tmp_path):
    scripts = scripts_dir(tmp_path, builtin=False)
    write_script(scripts / "custom/check_ntp.sh", NPD_PLUGIN)
    write_script(scripts / "custom/fine.sh", "#!/bin/sh\necho 'all good'\nexit 0\n")
    root = make_tree(tmp_path / "host")
    p = debugger("--host-root", root, "--scripts-dir", scripts, "--port", 0, "--run-id", RUN)
    assert p.returncode == 1
    assert "custom/check_ntp.sh PROBLEM check_ntp.sh: NTP service is not running (1 item)" in p.stdout
    assert sorted(check_lines(p.stdout)) == ["custom/check_ntp.sh", "custom/fine.sh"]
    assert errlogs(scripts) == [f"custom/errlog/{RUN}.log"]
    text = (scripts / f"custom/errlog/{RUN}.log").read_text()
    assert "=== custom/check_ntp.sh PROBLEM" in text and "NTP service is not running" in text
    assert "fine.sh" not in text
    # The same plugin through --run-once lands in the summary under custom.
    p = debugger("--run-once", "custom", "--host-root", root, "--scripts-dir", scripts)
    assert yaml.safe_load(p.stdout) == {
        "custom": {"check_ntp.sh": {"err": "NTP service is not running"}, "fine.sh": {}}}
    # All plugins fine: the job exits 0.
    (scripts / "custom/check_ntp.sh").unlink()
    p = debugger("--host-root", root, "--scripts-dir", scripts, "--port", 0)
    assert p.returncode == 0


def test_bad_scripts_are_reported_and_never_stop_the_others(tmp_path):
    scripts = scripts_dir(tmp_path, builtin=False)
    c = scripts / "custom"
    tag = f"{os.getpid()}4242"
    write_script(c / "noexec.sh", "#!/bin/sh\nexit 0\n", mode=0o644)
    write_script(c / "crlf.sh", b"#!/bin/sh\r\necho hi\r\n", binary=True)
    write_script(c / "garbage.sh", "#!/bin/sh\nprintf 'x\\377\\376\\000\\033[31m: y\\n'\n"
                 "head -c 3000 /dev/urandom\nexit 1\n")
    write_script(c / "hang.sh", f"#!/bin/sh\nsleep 1000.{tag} &\n(sleep 1000.{tag}) &\n"
                 f"exec sleep 1000.{tag}\n")
    write_script(c / "huge.sh", "#!/bin/sh\nhead -c 10485760 /dev/zero | tr '\\0' x\nexit 1\n")
    write_script(c / "crash.sh", "#!/bin/sh\nkill -SEGV $$\n")
    write_script(c / "good.sh", "#!/bin/sh\necho 'thing: ok'\n")
    write_script(c / "README.md", "not a check\n", mode=0o644)
    p = debugger("--run-once", "custom", "--host-root", tmp_path, "--scripts-dir", scripts,
                 "--check-timeout", "1s", "--run-id", RUN)
    assert p.returncode == 1
    s = yaml.safe_load(p.stdout)["custom"]
    assert s["noexec.sh"] == {"err": "unknown: not executable"}
    assert s["crlf.sh"] == {"err": "unknown: script has CRLF line endings (convert with dos2unix)"}
    assert s["hang.sh"] == {"err": "unknown: timed out after 1s"}
    assert s["crash.sh"] == {"err": "unknown: killed by SIGSEGV"}
    assert s["thing"] == {}
    assert s["garbage.sh"]["err"]          # reported, valid YAML/UTF-8
    assert s["huge.sh"]["err"].startswith("xxxx")
    assert "README.md" not in s
    assert p.took < 60
    out = subprocess.run(["pgrep", "-f", f"sleep 1000.{tag}"], capture_output=True, text=True)
    assert out.stdout == "", "the timed-out check's processes survived"
    log = (scripts / f"custom/errlog/{RUN}.log").read_text(errors="strict")
    assert "[output truncated: " in log
    assert "good.sh" not in log
    for name in ("noexec.sh", "crlf.sh", "garbage.sh", "hang.sh", "huge.sh", "crash.sh"):
        assert f"=== custom/{name} " in log


def test_summary_is_bounded(tmp_path):
    scripts = scripts_dir(tmp_path, builtin=False)
    write_script(scripts / "custom/many.sh",
                 "#!/bin/sh\ni=0\nwhile [ $i -lt 3000 ]; do echo \"dev$i: broken beyond repair\"; "
                 "i=$((i+1)); done\nexit 1\n")
    p = debugger("--run-once", "custom", "--host-root", tmp_path, "--scripts-dir", scripts,
                 "--summary-max-bytes", 2048, "--output-cap", 1 << 20)
    assert len(p.stdout.encode()) <= 2048
    s = yaml.safe_load(p.stdout)["custom"]
    assert s["_truncated"].endswith(" items omitted")
    assert s["dev0"] == {"err": "broken beyond repair"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(proc, pattern, seconds=30):
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if re.search(pattern, line):
            return seen
    raise AssertionError(f"no line matching {pattern!r} in {seen}")


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return r.status, r.read().decode()


def test_troubleshooting_pod_stays_up_until_sigterm(tmp_path):
    scripts = scripts_dir(tmp_path, builtin=False)
    port = free_port()
    proc = subprocess.Popen([KUBECOMBO, "debugger", "--host-root", tmp_path, "--scripts-dir",
                             scripts, "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        wait_for_line(proc, "staying up until SIGTERM")
        for cat in ("disk", "net", "mem", "svc", "custom"):
            assert (scripts / cat / "errlog").is_dir(), cat
        assert get(port, "/healthz")[0] == 200
        time.sleep(0.5)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_job_serves_per_check_metrics(tmp_path):
    scripts = scripts_dir(tmp_path, builtin=False)
    write_script(scripts / "custom/a.sh", "#!/bin/sh\nexit 0\n")
    write_script(scripts / "custom/b.sh", "#!/bin/sh\nsleep 3\nexit 0\n")
    port = free_port()
    proc = subprocess.Popen([KUBECOMBO, "debugger", "--host-root", tmp_path, "--scripts-dir",
                             scripts, "--port", str(port), "--concurrency", "1"],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "NODE_NAME": "n7"})
    try:
        wait_for_line(proc, r"^custom/a\.sh ok ")
        status, text = get(port, "/metrics")
        assert status == 200
        labels = 'node="n7",category="custom",check="a.sh"'
        assert f"kubecombo_check_status{{{labels}}} 0" in text
        assert f"kubecombo_check_exit_status{{{labels}}} 0" in text
        assert f"kubecombo_check_last_success_timestamp_seconds{{{labels}}}" in text
        assert f"kubecombo_check_duration_seconds_count{{{labels}}} 1" in text
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_flags():
    assert debugger("--help").returncode == 0
    assert debugger("--no-such-flag").returncode == 2
    assert debugger("--run-id", "yesterday").returncode == 2
    assert debugger("disk").returncode == 2
    assert debugger("--check-timeout", "soon").returncode == 2
