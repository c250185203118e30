"""Test harness: starts the real dangjiao server on a fresh database
(an SQLite file, or a new schema on the PostgreSQL server named by
$DANGJIAO_TEST_PG) and talks HTTP to it."""

import gzip
import http.client
import json
import re

import jsonschema
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse

DEMO_PASSWORD = "Dangjiao#2026"


class Server:
    def __init__(self, binary, backend, extra_args=()):
        self.binary = os.path.abspath(binary)
        self.backend = backend
        self.dir = tempfile.mkdtemp(prefix="dj-http-")
        self.schema = None
        if backend == "sqlite":
            self.db_url = "sqlite://" + os.path.join(self.dir, "dangjiao.db")
        else:
            base = os.environ.get("DANGJIAO_TEST_PG")
            if not base:
                raise SystemExit("DANGJIAO_TEST_PG is not set (make test sets it)")
            self.schema = "h_%d_%d" % (os.getpid(), random.randrange(10**6))
            self.psql("CREATE SCHEMA " + self.schema)
            sep = "&" if "?" in base else "?"
            self.db_url = base + sep + "options=-csearch_path%3D" + self.schema
        self.key_file = os.path.join(self.dir, "secret.key")
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self._contract = None

    def contract(self):
        """The OpenAPI document of this server as a Contract, read once."""
        if self._contract is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", "/api/v1/openapi.json")
            r = conn.getresponse()
            assert r.status == 200, "the OpenAPI document answered %d" % r.status
            self._contract = Contract(json.loads(r.read()))
            conn.close()
        return self._contract

    def psql(self, sql):
        base = os.environ["DANGJIAO_TEST_PG"]
        url = base
        if self.schema and "CREATE SCHEMA" not in sql and "DROP SCHEMA" not in sql:
            url = self.db_url
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                       check=True, stdout=subprocess.DEVNULL, env=env)

    def cli(self, *args):
        return subprocess.run([self.binary, *args, "--db", self.db_url,
                               "--key-file", self.key_file],
                              capture_output=True, text=True, cwd=self.dir)

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db_url, "--key-file", self.key_file,
             "--listen", "127.0.0.1:0", "--demo", *self.extra_args],
            stdout=subprocess.PIPE, stderr=self._log_file(),
            text=True, cwd=self.dir)
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if "listening on http://" in line:
                self.port = int(line.split("http://")[1].split()[0].rsplit(":", 1)[1])
                return self
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError("server did not start; log:\n" + self.log())

    def _log_file(self):
        self.log_handle = open(os.path.join(self.dir, "server.log"), "w")
        return self.log_handle

    def log(self):
        with open(os.path.join(self.dir, "server.log")) as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return -9
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        self.stop()
        if getattr(self, "log_handle", None):
            self.log_handle.close()
        if self.schema:
            try:
                self.psql("DROP SCHEMA %s CASCADE" % self.schema)
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Contract:
    """The server's OpenAPI document as a checker: every answer the suite
    receives must be one its route documents (status, media type) and, for
    JSON, valid against the route's schema (JSON Schema 2020-12)."""

    def __init__(self, doc):
        self.doc = doc
        self.routes = []
        for pattern, ops in doc["paths"].items():
            segs = pattern.strip("/").split("/")
            literals = sum(1 for x in segs if not x.startswith("{"))
            rx = re.compile("^/" + "/".join("[^/]+" if x.startswith("{") else re.escape(x)
                                             for x in segs) + "$")
            for method, op in ops.items():
                self.routes.append((literals, method.upper(), rx, pattern, op))
        self.routes.sort(key=lambda r: -r[0])
        self.validators = {}

    def validator(self, ref):
        if ref not in self.validators:
            schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                      "components": self.doc["components"], "$ref": ref}
            self.validators[ref] = jsonschema.Draft202012Validator(schema)
        return self.validators[ref]

    def route(self, method, path):
        bare = urllib.parse.unquote(path.split("?")[0])
        for _, m, rx, pattern, op in self.routes:
            if m == method and rx.match(bare):
                return pattern, op
        return None, None

    def check(self, method, path, res):
        pattern, op = self.route(method, path)
        if op is None:
            return  # the web app's pages, and routes that do not exist (404, 405)
        media = (res.header("content-type") or "").split(";")[0].strip()
        where = "%s %s -> %d" % (method, pattern, res.status)
        if res.status >= 400:
            assert media == "application/problem+json", "%s: %s is not a problem" % (where, media)
            self.validate("#/components/schemas/Problem", res, where)
            return
        documented = op["responses"].get(str(res.status))
        assert documented, "%s: status %d is not documented" % (where, res.status)
        content = documented.get("content", {})
        if res.status == 204 or not content:
            assert not res.body, "%s: a body where none is documented" % where
            return
        assert media in content, "%s: %s is not documented (%s)" % (where, media, list(content))
        if media == "application/json":
            self.validate(content[media]["schema"]["$ref"], res, where)

    def validate(self, ref, res, where):
        errors = sorted(self.validator(ref).iter_errors(json.loads(res.body)), key=str)
        if errors:
            e = errors[0]
            raise AssertionError("%s: the answer breaks its schema %s at %s: %s" % (
                where, ref.rsplit("/", 1)[1], "/".join(str(p) for p in e.absolute_path),
                e.message[:300]))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name):
        return self.headers.get(name.lower())

    def field_errors(self):
        j = self.json() or {}
        return {e["field"]: e["code"] for e in j.get("errors", [])}

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Client:
    """One user agent: a Bearer token, or cookies like a browser."""

    def __init__(self, server, token=None, source="127.0.0.1"):
        """`source`: the loopback address the requests come from (127.0.0.2 is another client)."""
        self.server = server
        self.token = token
        self.cookies = {}
        self.source = source
        self.conn = self.connect()

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30,
                                          source_address=(self.source, 0))

    def request(self, method, path, body=None, headers=None, raw=None):
        h = {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            h["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        path = urllib.parse.quote(path, safe="/?&=%+-_.~")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                raw_body = r.read()
                payload = raw_body.decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = self.connect()
                if attempt:
                    raise
        hdrs = {}
        set_cookies = []
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                set_cookies.append(v)
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
            hdrs[k.lower()] = v
        if hdrs.get("content-encoding") == "gzip":  # as a browser would
            payload = gzip.decompress(raw_body).decode("utf-8", "replace")
        res = Response(r.status, hdrs, payload)
        res.set_cookies = set_cookies
        res.body_bytes = raw_body  # as on the wire
        self.server.contract().check(method, path, res)
        return res

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def login(server, username, password=DEMO_PASSWORD):
    c = Client(server)
    r = c.post("/api/v1/auth/login", {"username": username, "password": password})
    if r.status != 200:
        raise AssertionError("login %s failed: %r" % (username, r))
    c.cookies.clear()
    c.token = r.json()["token"]
    return c


def citizen_id(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[s % 11]
