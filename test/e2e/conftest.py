# kc-test-labels: e2e
"""pytest fixtures for the e2e tests: a running `kubecombo sim` (HTTPS, 3
nodes), one more with --fault-api, kubectl, the Python client and raw HTTPS.

The sim is started from $KUBECOMBO (the binary under test). Tests skip with a
visible reason only when kubectl or the Python client is missing.
"""
import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402


def _binary():
    path = os.environ.get("KUBECOMBO")
    if not path:
        build = os.environ.get("KC_BUILD_DIR")
        if build:
            path = os.path.join(build, "cmd", "kubecombo")
    return path


def _require_kubectl():
    if not os.access(simlib.KUBECTL, os.X_OK):
        pytest.skip("SKIP: %s not installed" % simlib.KUBECTL)
    out = subprocess.run([simlib.KUBECTL, "version", "--client", "-o", "json"],
                         capture_output=True, text=True, timeout=30)
    import json
    try:
        minor = int("".join(ch for ch in json.loads(out.stdout)["clientVersion"]["minor"]
                            if ch.isdigit()))
    except (ValueError, KeyError):
        minor = 0
    if minor < 30:
        pytest.skip("SKIP: kubectl >= 1.30 needed, found %r" % out.stdout[:200])


def _require_python_client():
    try:
        import kubernetes  # noqa: F401
        import requests  # noqa: F401
    except ImportError as e:
        pytest.skip("SKIP: Python kubernetes client / requests missing (%s); "
                    "run with /usr/bin/python3 and python3-kubernetes" % e)


def _start(extra=()):
    binary = _binary()
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail("KUBECOMBO=%r is not an executable kubecombo binary" % binary)
    try:
        return simlib.start_sim(binary, nodes=3, extra=extra)
    except RuntimeError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def sim():
    """The shared control plane: `kubecombo sim --nodes 3`, HTTPS."""
    _require_python_client()
    s = _start()
    yield s
    rc = s.stop()
    log = s.log()
    s.cleanup()
    # A crash (signal) during the session is a server bug worth seeing.
    assert rc is None or rc >= 0, "sim died with signal %d:\n%s" % (-rc, log)


@pytest.fixture(scope="module")
def fault_sim():
    """A second control plane with --fault-api (compaction, 410)."""
    _require_python_client()
    s = _start(extra=("--fault-api",))
    yield s
    s.stop()
    s.cleanup()


@pytest.fixture
def kubectl(sim):
    """kubectl(*args, timeout=60) -> (rc, stdout, stderr) against `sim`."""
    _require_kubectl()
    return sim.kubectl


@pytest.fixture
def api(sim):
    """An ApiClient configured from the sim's kubeconfig."""
    _require_python_client()
    c = sim.api_client()
    yield c
    c.close()


@pytest.fixture
def alive(sim):
    """Asserts after the test that the sim process is still running."""
    yield
    assert sim.alive(), "kubecombo sim died:\n" + sim.log()


def pytest_report_header(config):
    return "kubecombo: %s; kubectl: %s" % (_binary(), shutil.which("kubectl"))
