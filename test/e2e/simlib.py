# kc-test-labels: e2e
"""Helpers for the end-to-end tests of `kubecombo sim`.

Starts the embedded control plane as a process, reads the kubeconfig it
writes, and offers the three ways the tests talk to it: the real kubectl
(fresh KUBECACHEDIR per call), the official Python client, and raw HTTPS
with the kubeconfig's CA and bearer token. Every wait is bounded.
"""
import atexit
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

import yaml

KUBECTL = "/usr/bin/kubectl"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix="e2e"):
    """A DNS-1123 name unique to this run."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def wait_until(pred, timeout=20.0, interval=0.1, what="condition"):
    """Polls pred() until it returns a truthy value or the timeout passes."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s (last: %r)"
                         % (timeout, what, last))


class Kubeconfig:
    """The parts of the written kubeconfig the tests need."""

    def __init__(self, path, workdir):
        self.path = path
        with open(path) as f:
            self.doc = yaml.safe_load(f)
        ctx_name = self.doc.get("current-context")
        contexts = {c["name"]: c["context"] for c in self.doc.get("contexts", [])}
        users = {u["name"]: u.get("user", {}) for u in self.doc.get("users", [])}
        clusters = {c["name"]: c["cluster"] for c in self.doc.get("clusters", [])}
        self.current_context = ctx_name
        self.contexts = contexts
        self.users = users
        cluster = clusters[contexts[ctx_name]["cluster"]]
        self.server = cluster["server"].rstrip("/")
        self.ca_file = self._material(cluster, "certificate-authority", workdir, "ca.crt")
        self.token = None
        self.token_context = None
        self.cert_context = None
        self.cert_file = self.key_file = None
        for name, ctx in contexts.items():
            user = users.get(ctx.get("user"), {})
            if user.get("token") and self.token is None:
                self.token = user["token"]
                self.token_context = name
            if (user.get("client-certificate") or user.get("client-certificate-data")) \
                    and self.cert_context is None:
                self.cert_context = name
                self.cert_file = self._material(user, "client-certificate", workdir,
                                                "client.crt")
                self.key_file = self._material(user, "client-key", workdir, "client.key")

    def _material(self, section, key, workdir, fname):
        if section.get(key + "-data"):
            out = os.path.join(workdir, fname)
            with open(out, "wb") as f:
                f.write(base64.b64decode(section[key + "-data"]))
            return out
        p = section.get(key)
        if p and not os.path.isabs(p):
            p = os.path.join(os.path.dirname(self.path), p)
        return p


class Sim:
    """One `kubecombo sim` process with its own port and temp dir."""

    def __init__(self, binary, nodes=3, extra=()):
        self.binary = binary
        self.workdir = tempfile.mkdtemp(prefix="kc-e2e-sim-")
        self.port = free_port()
        self.kubeconfig_path = os.path.join(self.workdir, "kubeconfig")
        self.log_path = os.path.join(self.workdir, "sim.log")
        self.args = [binary, "sim", "--listen", "127.0.0.1:%d" % self.port,
                     "--nodes", str(nodes), "--kubeconfig-out",
                     self.kubeconfig_path] + list(extra)
        self.proc = None
        self.kc = None
        self._session = None

    # -- lifecycle -------------------------------------------------------
    def start(self):
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.workdir)
        log.close()
        atexit.register(self.stop)  # never leave a sim behind, even on a crash
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("kubecombo sim exited with %s before writing the "
                                   "kubeconfig:\n%s" % (self.proc.returncode, self.log()))
            if os.path.exists(self.kubeconfig_path):
                try:
                    self.kc = Kubeconfig(self.kubeconfig_path, self.workdir)
                    return self
                except (yaml.YAMLError, KeyError, TypeError):
                    pass  # written atomically per contract; retry once more
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("kubecombo sim wrote no kubeconfig within %.0fs:\n%s"
                           % (START_TIMEOUT, self.log()))

    def stop(self):
        if self._session is not None:
            self._session.close()
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        return self.proc.returncode

    def cleanup(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self, tail=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-tail:].decode("utf-8", "replace")
        except OSError:
            return ""

    # -- kubectl ---------------------------------------------------------
    def kubectl(self, *args, timeout=60, kubeconfig=None, input=None):
        """Runs the real kubectl with a fresh cache dir; (rc, stdout, stderr)."""
        cache = tempfile.mkdtemp(prefix="kcache-", dir=self.workdir)
        env = dict(os.environ)
        env["KUBECONFIG"] = kubeconfig or self.kubeconfig_path
        env["KUBECACHEDIR"] = cache
        env["HOME"] = self.workdir
        try:
            p = subprocess.run([KUBECTL] + list(args), env=env, input=input,
                               capture_output=True, text=True, timeout=timeout)
            return p.returncode, p.stdout, p.stderr
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    def kubectl_popen(self, *args, kubeconfig=None):
        """Starts kubectl in the background (for `get -w`); caller must stop it."""
        cache = tempfile.mkdtemp(prefix="kcache-", dir=self.workdir)
        env = dict(os.environ)
        env["KUBECONFIG"] = kubeconfig or self.kubeconfig_path
        env["KUBECACHEDIR"] = cache
        env["HOME"] = self.workdir
        return subprocess.Popen([KUBECTL] + list(args), env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)

    def write_file(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    # -- Python client ---------------------------------------------------
    def api_client(self, context=None):
        from kubernetes import client, config
        cfg = client.Configuration()
        config.load_kube_config(config_file=self.kubeconfig_path, context=context,
                                client_configuration=cfg)
        return client.ApiClient(configuration=cfg)

    # -- raw HTTPS -------------------------------------------------------
    def session(self):
        import requests
        if self._session is None:
            s = requests.Session()
            # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment would
            # override session.verify (requests merges env settings first).
            s.trust_env = False
            s.verify = self.kc.ca_file if self.kc.server.startswith("https") else False
            if self.kc.token:
                s.headers["Authorization"] = "Bearer " + self.kc.token
            self._session = s
        return self._session

    def request(self, method, path, timeout=30, **kw):
        return self.session().request(method, self.kc.server + path, timeout=timeout, **kw)

    def get_json(self, path):
        r = self.request("GET", path)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r.json()


def start_sim(binary, nodes=3, extra=()):
    return Sim(binary, nodes=nodes, extra=extra).start()


class LineReader:
    """Collects a background process's stdout lines in a thread."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(line)

    def text(self):
        with self.lock:
            return "".join(self.lines)

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.thread.join(timeout=timeout)
        err = self.proc.stderr.read() if self.proc.stderr else ""
        return self.text(), err


def json_stream(text):
    """Decodes concatenated (possibly pretty-printed) JSON documents."""
    dec = json.JSONDecoder()
    out, i, n = [], 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        try:
            obj, j = dec.raw_decode(text, i)
        except ValueError:
            break  # a partial document at the end of a live stream
        out.append(obj)
        i = j
    return out


def table(text):
    """Parses kubectl's column output into (header, rows of dicts).

    Column boundaries come from the header's word positions, so empty cells
    (e.g. SHORTNAMES) are kept.
    """
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return [], []
    header = lines[0]
    starts, names, i = [], [], 0
    while i < len(header):
        if header[i] != " " and (i == 0 or header[i - 1] == " "):
            # a column name may contain a single space ("NOMINATED NODE")
            j = i
            while j < len(header) and not (header[j] == " " and
                                            (j + 1 >= len(header) or header[j + 1] == " ")):
                j += 1
            starts.append(i)
            names.append(header[i:j])
            i = j
        else:
            i += 1
    rows = []
    for line in lines[1:]:
        row = {}
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(line)
            row[names[k]] = line[start:end].strip()
        rows.append(row)
    return names, rows


def assert_status(resp, code, reason, message=None, message_prefix=None,
                  message_contains=None, details=None):
    """Checks an api:S1 Status response: HTTP code, content type and body."""
    assert resp.status_code == code, (resp.status_code, resp.text[:1000])
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip() == "application/json", ctype
    body = resp.json()
    assert body.get("kind") == "Status", body
    assert body.get("apiVersion") == "v1", body
    assert body.get("metadata") == {}, body
    assert body.get("status") == "Failure", body
    assert body.get("code") == code, body
    assert body.get("reason") == reason, body
    msg = body.get("message")
    assert isinstance(msg, str) and msg, body
    if message is not None:
        assert msg == message, (msg, message)
    if message_prefix is not None:
        assert msg.startswith(message_prefix), (msg, message_prefix)
    if message_contains is not None:
        assert message_contains in msg, (msg, message_contains)
    if details is not None:
        got = body.get("details")
        assert isinstance(got, dict), body
        for k, v in details.items():
            if k == "group" and v == "":
                assert got.get("group", "") == "", got
            else:
                assert got.get(k) == v, (k, got)
    return body


# -- fault API (ADR 0012; the sim must run with --fault-api) ---------------
def _fault(sim, method, path, body=None):
    r = sim.request(method, "/fault/v1/" + path,
                    json=body if body is not None else None)
    assert r.status_code == 200, (path, r.status_code, r.text[:500])
    return r.json()


def fault_errors(sim, code, count=None, fraction=None, verb=None, resource=None,
                 path_prefix=None, retry_after=None):
    """Answer `code` (429 plain text + Retry-After, 500, 503) to `count`
    requests or a `fraction` of them, optionally scoped."""
    body = {"code": code}
    for k, v in (("count", count), ("fraction", fraction), ("verb", verb),
                 ("resource", resource), ("pathPrefix", path_prefix),
                 ("retryAfterSeconds", retry_after)):
        if v is not None:
            body[k] = v
    return _fault(sim, "POST", "errors", body)


def fault_deny(sim, verb, resource, namespace=None, user=None,
               service_account=None):
    """403 Forbidden (the RBAC Status) for `verb` on `resource` ("*" = any),
    for every user or only `user` / `service_account` ("namespace/name")."""
    body = {"verb": verb, "resource": resource}
    if namespace:
        body["namespace"] = namespace
    if user:
        body["user"] = user
    if service_account:
        body["serviceAccount"] = service_account
    return _fault(sim, "POST", "deny", body)


def fault_reset(sim, count=None, fraction=None, watch_only=False, verb=None,
                resource=None, path_prefix=None):
    """Abort the TCP connection (RST) of matching requests."""
    body = {"watchOnly": watch_only}
    for k, v in (("count", count), ("fraction", fraction), ("verb", verb),
                 ("resource", resource), ("pathPrefix", path_prefix)):
        if v is not None:
            body[k] = v
    return _fault(sim, "POST", "reset-connections", body)


def fault_watch_delay(sim, milliseconds):
    """Delay every watch delivery by `milliseconds` (0 = off)."""
    return _fault(sim, "POST", "watch-delay", {"milliseconds": milliseconds})


def fault_pod_status(sim, namespace, name, phase=None, container=None,
                     exit_code=None):
    """Set a pod's phase and/or a container's exit code (terminated)."""
    body = {"namespace": namespace, "name": name}
    for k, v in (("phase", phase), ("container", container),
                 ("exitCode", exit_code)):
        if v is not None:
            body[k] = v
    return _fault(sim, "POST", "pod-status", body)


def fault_drop_watches(sim):
    return _fault(sim, "POST", "drop-watches")


def fault_compact(sim):
    """Drop the watch history now: older resourceVersions get 410."""
    return _fault(sim, "POST", "compact")


def fault_clear(sim):
    """Remove every fault (write counters stay)."""
    return _fault(sim, "POST", "clear")


def fault_state(sim):
    """The active faults and how many answers were faulted ("served")."""
    return _fault(sim, "GET", "faults")


def fault_writes(sim, resource=None, namespace=None, name=None):
    """Successful write requests per object: {"total": N, "items": [...]}."""
    q = [(k, v) for k, v in (("resource", resource), ("namespace", namespace),
                             ("name", name)) if v is not None]
    path = "writes" + ("?" + "&".join("%s=%s" % kv for kv in q) if q else "")
    return _fault(sim, "GET", path)


def fault_reset_writes(sim):
    return _fault(sim, "DELETE", "writes")
