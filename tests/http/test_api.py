"""HTTP-level tests of the foundation: the real server binary on a real
database (SQLite or PostgreSQL), real HTTP requests."""

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Client, Server, citizen_id, login, DEMO_PASSWORD  # noqa: E402

ARGS = None
SERVER = None

TRICKY = [
    "O'Brien\"; DROP TABLE members; --",
    "党支部 🎉 emoji",
    "\u05e9\u05dc\u05d5\u05dd RTL \u202e",
    "100% _like_ \\ back",
    "null",
]


def setUpModule():
    global SERVER
    SERVER = Server(ARGS.server, ARGS.backend,
                    ["--qr-slot-seconds", "2", "--checkin-grace-minutes", "15",
                     "--trusted-proxy", "127.0.0.4"]).start()


def tearDownModule():
    code = SERVER.stop()
    SERVER.cleanup()
    assert code == 0, "server did not stop cleanly on SIGTERM: %r" % code


def org_by_code(client, code):
    r = client.get("/api/v1/orgs?q=" + code)
    for o in r.json()["items"]:
        if o["code"] == code:
            return o
    raise AssertionError("no org " + code)


_serial = [100]


def raw_post(path, token, content_type, body):
    """POST over a bare socket, for bodies the server refuses before reading them."""
    import socket
    with socket.create_connection(("127.0.0.1", SERVER.port)) as sock:
        sock.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                      "Content-Type: %s\r\nContent-Length: %d\r\n\r\n"
                      % (urllib.parse.quote(path, safe="/?&=%"), token, content_type, len(body))).encode())
        try:
            sock.sendall(body)
        except OSError:
            pass  # the server may answer and close before reading it all
        return sock.recv(65536).decode("utf-8", "replace")


def _recent(days_ago, hours=0):
    """An ISO time `days_ago` days before now (+08:00), so the record is not locked."""
    import datetime
    t = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) - datetime.timedelta(days=days_ago)
    t = t.replace(hour=9 + hours, minute=0, second=0, microsecond=0)
    return t.isoformat()


def new_citizen_id():
    _serial[0] += 1
    return citizen_id("530102198807%02d%03d" % (1 + _serial[0] % 28, _serial[0] % 1000))


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin = login(SERVER, "admin")
        cls.org01 = org_by_code(cls.admin, "KMGW-001")
        cls.org02 = org_by_code(cls.admin, "KMGW-002")
        cls.branch01 = cls.admin.get("/api/v1/orgs?type=branch&parent_id=%d" % cls.org01["id"]).json()["items"][0]
        cls.branch02 = cls.admin.get("/api/v1/orgs?type=branch&parent_id=%d" % cls.org02["id"]).json()["items"][0]

    def member_body(self, **over):
        body = {
            "org_id": self.branch01["id"],
            "name": "测试党员",
            "citizen_id": new_citizen_id(),
            "phone": "13987654321",
            "political_status": "full",
            "joined_on": "2010-07-01",
            "full_member_on": "2011-07-01",
        }
        body.update(over)
        return body

    def count(self, path):
        return self.admin.get(path).json()["total"]


class System(Base):
    def test_health_ready_metrics(self):
        c = Client(SERVER)
        self.assertEqual(c.get("/healthz").status, 200)
        r = c.get("/readyz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["status"], "ready")
        m = c.get("/metrics")
        self.assertEqual(m.status, 200)
        self.assertIn("dangjiao_http_requests_total", m.body)
        self.assertIn("dangjiao_http_request_duration_seconds_bucket", m.body)
        self.assertIn("dangjiao_db_pool_connections", m.body)

    def test_openapi_covers_every_route(self):
        doc = openapi()
        self.assertEqual(doc["openapi"][:2], "3.")
        documented = {(m, p) for m, p, _ in routes()}
        # A sample of what must be there (the rest of the suite walks the document).
        for route in [("GET", "/api/v1/auth/me"), ("POST", "/api/v1/checkin"),
                      ("GET", "/verify/{serial}"), ("GET", "/api/v1/jobs/{id}"),
                      ("PUT", "/api/v1/trainings/{id}/quotas")]:
            self.assertIn(route, documented, "missing from OpenAPI: %r" % (route,))
        self.assertGreaterEqual(len(documented), 70)
        # And every documented route is really served (not a 404 'no such route').
        for method, path in documented:
            concrete = path.replace("{id}", "1")
            r = Client(SERVER).request(method, concrete)
            self.assertNotEqual(r.status, 405, (method, path))
            if r.status == 404:
                self.assertNotIn("no such route", r.body, (method, path))

    def test_parameters_are_typed(self):
        params = {(m, p): {x["name"]: x["schema"] for x in op.get("parameters", [])}
                  for m, p, op in routes()}
        self.assertEqual(params[("GET", "/verify/{serial}")]["serial"]["type"], "string")
        self.assertEqual(params[("GET", "/api/v1/jobs/{id}")]["id"]["type"], "string")
        self.assertEqual(params[("GET", "/api/v1/orgs/{id}")]["id"]["type"], "integer")
        q = params[("GET", "/api/v1/members")]
        self.assertEqual((q["page"]["type"], q["leading_cadre"]["type"], q["q"]["type"]),
                         ("integer", "boolean", "string"))
        self.assertEqual(params[("GET", "/api/v1/audit")]["from"].get("format"), "date")
        required = {(m, p): {x["name"] for x in op.get("parameters", []) if x.get("required")}
                    for m, p, op in routes()}
        self.assertIn("year", required[("GET", "/api/v1/members/{id}/hours")])
        self.assertNotIn("page", required[("GET", "/api/v1/members")])
        self.assertEqual(self.admin.get("/api/v1/home-deliveries").status, 422)  # year missing

    def test_large_json_answers_are_gzipped_for_clients_that_accept_it(self):
        path = "/api/v1/compliance?period=2026&detail=summary"
        plain = self.admin.get(path)
        self.assertIsNone(plain.header("content-encoding"))
        self.assertEqual(plain.header("vary"), "Accept-Encoding")
        packed = self.admin.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        self.assertEqual(packed.header("content-encoding"), "gzip")
        self.assertEqual(json.loads(packed.body), json.loads(plain.body))
        self.assertLess(len(packed.body_bytes) * 5, len(plain.body_bytes))
        small = self.admin.get("/api/v1/auth/me", headers={"Accept-Encoding": "gzip"})
        self.assertIsNone(small.header("content-encoding"))  # not worth it below 4 KiB
        refused = self.admin.get(path, headers={"Accept-Encoding": "gzip;q=0"})
        self.assertIsNone(refused.header("content-encoding"))

    def test_a_large_answer_is_paged_and_its_memory_returns(self):
        def rss_kib():
            with open("/proc/%d/status" % SERVER.proc.pid) as f:
                return int([x for x in f if x.startswith("VmRSS:")][0].split()[1])
        path = "/api/v1/compliance?from=2024-01-02&to=2026-11-30"
        before = rss_kib()
        first = self.admin.get(path + "&people_page_size=5")
        self.assertEqual(first.status, 200)
        rep = first.json()
        self.assertEqual(len(rep["people"]), min(5, rep["people_total"]))
        second = self.admin.get(path + "&people_page_size=5&people_page=2").json()
        self.assertNotEqual([p["member_id"] for p in rep["people"]], [p["member_id"] for p in second["people"]])
        self.assertEqual(self.admin.get(path + "&people_page=99999999999").json()["people"], [])
        self.assertEqual(self.admin.get(path + "&people_page_size=5000").field_errors(), {"people_page_size": "range"})
        # Large answers leave the server about where it was (glibc keeps freed pages
        # unless they are handed back: about 10x the answer's size without that).
        size = 0
        for _ in range(3):
            r = self.admin.get(path + "&people_page_size=1000")
            size = len(r.body_bytes)
        import time
        time.sleep(0.3)
        grown = rss_kib() - before
        self.assertGreater(size, 4 << 20)
        self.assertLess(grown * 1024, 3 * size, (grown, size))

    def test_periods_are_at_most_three_years(self):
        for path in ("/api/v1/compliance", "/api/v1/stats/activities", "/api/v1/stats/trainings"):
            r = self.admin.get(path + "?from=2000-01-01&to=2026-12-31")
            self.assertEqual((r.status, r.field_errors()), (422, {"to": "too_long"}), path)
            self.assertIn("at most 3 years", r.json()["detail"])
        self.assertEqual(self.admin.get("/api/v1/stats/trainings?from=2024-01-01&to=2026-12-31").status, 200)

    def raw(self, data):
        """Bytes to the server over a bare socket; everything it sends until it closes."""
        import socket
        with socket.create_connection(("127.0.0.1", SERVER.port), timeout=5) as sock:
            sock.sendall(data)
            out = b""
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except socket.timeout:
                out += b"<still open>"
            return out

    def test_framing_host_and_encoded_slashes(self):
        smuggle = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n"
                   b"Content-Type: application/json\r\n\r\n"
                   b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        out = self.raw(smuggle)
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:200])
        self.assertEqual(out.count(b"HTTP/1.1 "), 1, out)  # nothing read as a second request
        self.assertNotIn(b"<still open>", out)
        out = self.raw(b"GET /healthz HTTP/1.1\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:200])
        self.assertIn(b"Host header", out)
        out = self.raw(b"GET /healthz HTTP/1.0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.0 200"), out[:200])
        out = self.raw(b"GET /api/v1/orgs%2F1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400"), out[:200])
        self.assertIn(b"%2F", out)

    def test_expect_100_continue(self):
        """The interim 100 before the body is sent; a body over the limit is refused first."""
        import socket
        body = json.dumps({"username": "no-such-user", "password": "wrong-password-1"}).encode()
        with socket.create_connection(("127.0.0.1", SERVER.port), timeout=5) as sock:
            sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                         b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body))
            interim = sock.recv(65536)
            self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(body)
            final = b""
            while chunk := sock.recv(65536):
                final += chunk
        self.assertTrue(final.startswith(b"HTTP/1.1 401"), final[:200])
        out = self.raw(b"POST /api/v1/members HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                       b"Content-Type: application/json\r\nContent-Length: 900000000\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:200])
        self.assertNotIn(b"100 Continue", out)

    def test_head_options_and_405_with_allow(self):
        h = Client(SERVER).request("HEAD", "/healthz")
        self.assertEqual((h.status, h.body), (200, ""))
        self.assertGreater(int(h.header("content-length")), 0)
        h = self.admin.request("HEAD", "/api/v1/orgs/%d" % self.org01["id"])
        self.assertEqual((h.status, h.body), (200, ""))
        self.assertEqual(Client(SERVER).request("HEAD", "/api/v1/orgs/1").status, 401)
        r = self.admin.request("PUT", "/api/v1/orgs")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("allow"), "GET, HEAD, OPTIONS, POST")
        self.assertEqual((r.json()["status"], r.json()["type"]), (405, "urn:dangjiao:problem:method_not_allowed"))
        o = Client(SERVER).request("OPTIONS", "/api/v1/orgs/1")
        self.assertEqual(o.status, 204)
        self.assertEqual(o.header("allow"), "DELETE, GET, HEAD, OPTIONS, PATCH")

    def test_api_answers_are_not_cached_and_metrics_are_for_loopback(self):
        self.assertEqual(self.admin.get("/api/v1/members?page_size=1").header("cache-control"), "no-store")
        self.assertEqual(Client(SERVER).get("/api/v1/orgs").header("cache-control"), "no-store")
        self.assertIsNone(Client(SERVER).get("/healthz").header("cache-control"))
        s = Server(ARGS.server, ARGS.backend, ["--metrics-from", "10.9.8.7"]).start()
        try:
            r = Client(s).get("/metrics")
            self.assertEqual(r.status, 403)
            self.assertNotIn("dangjiao_http_requests_total", r.body)
        finally:
            s.cleanup()

    def test_unknown_route_and_method(self):
        r = self.admin.get("/api/v1/nothing-here")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.header("content-type"), "application/problem+json")
        self.assertEqual(self.admin.request("PUT", "/api/v1/orgs").status, 405)

    def test_oversize_body_is_413_and_changes_nothing(self):
        before = self.count("/api/v1/members")
        big = json.dumps(self.member_body(name="x" * (1024 * 1024 + 10))).encode()
        reply = raw_post("/api/v1/members", self.admin.token, "application/json", big)
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply[:200])
        self.assertIn("application/problem+json", reply)
        self.assertEqual(self.count("/api/v1/members"), before)

    def test_oversize_headers_is_431(self):
        r = Client(SERVER).get("/healthz", headers={"X-Big": "a" * 20000})
        self.assertEqual(r.status, 431)


class Auth(Base):
    def test_login_answers_token_cookie_and_user(self):
        c = Client(SERVER)
        r = c.post("/api/v1/auth/login", {"username": "admin", "password": DEMO_PASSWORD})
        self.assertEqual(r.status, 200)
        body = r.json()
        self.assertEqual(len(body["token"]), 43)
        self.assertFalse(body["must_change_password"])
        self.assertEqual(body["user"]["role"], "committee_admin")
        self.assertIn("dangjiao_session", c.cookies)
        session_cookie = [x for x in r.set_cookies if x.startswith("dangjiao_session=")][0]
        self.assertIn("HttpOnly", session_cookie)
        self.assertIn("SameSite=Strict", session_cookie)

    def test_wrong_password_and_unknown_user_look_alike(self):
        c = Client(SERVER)
        a = c.post("/api/v1/auth/login", {"username": "admin", "password": "wrong-Password1"})
        b = c.post("/api/v1/auth/login", {"username": "nobody", "password": "wrong-Password1"})
        self.assertEqual((a.status, b.status), (401, 401))
        self.assertEqual(a.json()["detail"], b.json()["detail"])

    def test_login_bad_input(self):
        c = Client(SERVER)
        self.assertEqual(c.post("/api/v1/auth/login", raw="{not json").status, 400)
        r = c.post("/api/v1/auth/login", {"username": 5, "password": "x"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.field_errors(), {"username": "type"})
        r = c.post("/api/v1/auth/login", {"username": "admin"})
        self.assertEqual(r.status, 422)
        self.assertIn("password", r.field_errors())
        r = c.post("/api/v1/auth/login", {"username": "admin", "password": "x", "extra": 1})
        self.assertEqual(r.field_errors(), {"extra": "unknown_field"})

    def test_forced_password_change_then_access(self):
        r = self.admin.post("/api/v1/users", {"username": "newcadre", "password": "Temp-Pass-2026",
                                              "role": "org_admin", "org_id": self.org01["id"]})
        self.assertEqual(r.status, 201, r)
        u = Client(SERVER)
        r = u.post("/api/v1/auth/login", {"username": "newcadre", "password": "Temp-Pass-2026"})
        self.assertTrue(r.json()["must_change_password"])
        u.token, u.cookies = r.json()["token"], {}
        self.assertEqual(u.get("/api/v1/orgs").status, 403)
        self.assertEqual(u.get("/api/v1/auth/me").status, 200)
        weak = u.post("/api/v1/auth/password", {"old_password": "Temp-Pass-2026", "new_password": "password"})
        self.assertEqual(weak.status, 422)
        self.assertIn("new_password", weak.field_errors())
        ok = u.post("/api/v1/auth/password", {"old_password": "Temp-Pass-2026", "new_password": "Brand-New-Pass-7"})
        self.assertEqual(ok.status, 204, ok)
        self.assertEqual(u.get("/api/v1/orgs").status, 200)

    def test_failed_logins_are_throttled_per_name_and_address_not_locked(self):
        self.assertEqual(self.admin.post("/api/v1/users", {
            "username": "lockme", "password": "Lock-Me-Pass-1", "role": "auditor",
            "org_id": self.org01["id"]}).status, 201)
        attacker = Client(SERVER, source="127.0.0.3")

        def fail5(name):
            return [attacker.post("/api/v1/auth/login", {"username": name, "password": "Wrong-Pass-1"})
                    for _ in range(5)]
        real, unknown = fail5("lockme"), fail5("no-such-account")
        # A real name and an unknown one answer alike: the same statuses and the same words.
        self.assertEqual([r.status for r in real], [401, 401, 401, 401, 429])
        # (the wait is stated in seconds from each name's first failure: a second apart at most)
        words = lambda rs: [(r.status, re.sub(r"\d+ s", "N s", r.json()["detail"])) for r in rs]
        self.assertEqual(words(real), words(unknown))
        self.assertGreater(int(real[-1].header("retry-after")), 0)
        self.assertEqual(real[-1].field_errors(), {"password": "too_many_attempts"})
        r = attacker.post("/api/v1/auth/login", {"username": "lockme", "password": "Lock-Me-Pass-1"})
        self.assertEqual(r.status, 429)  # no more guesses from there, right or wrong
        # The account's owner, from his own address, is not shut out.
        owner = Client(SERVER, source="127.0.0.2")
        r = owner.post("/api/v1/auth/login", {"username": "lockme", "password": "Lock-Me-Pass-1"})
        self.assertEqual(r.status, 200, r)
        audit = self.admin.get("/api/v1/audit?action=auth.throttled").json()
        self.assertGreaterEqual(audit["total"], 2)
        # A session's wrong current password is throttled too.
        for i in range(4):
            self.assertEqual(owner.post("/api/v1/auth/password", {
                "old_password": "Wrong-Pass-%d" % i, "new_password": "Brand-New-Pass-8"},
                headers={"X-CSRF-Token": owner.cookies["dangjiao_csrf"]}).status, 422)
        r = owner.post("/api/v1/auth/password", {"old_password": "Wrong-Pass-9", "new_password": "Brand-New-Pass-8"},
                       headers={"X-CSRF-Token": owner.cookies["dangjiao_csrf"]})
        self.assertEqual((r.status, r.field_errors()), (429, {"old_password": "too_many_attempts"}))

    def test_secure_cookies_and_client_address_only_from_a_trusted_proxy(self):
        body = {"username": "org01", "password": DEMO_PASSWORD}
        tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7, 198.51.100.9"}
        plain = Client(SERVER).post("/api/v1/auth/login", body, headers=tls)
        self.assertEqual(plain.status, 200)
        self.assertTrue(all("Secure" not in c for c in plain.set_cookies), plain.set_cookies)
        proxied_client = Client(SERVER, source="127.0.0.4")
        proxied = proxied_client.post("/api/v1/auth/login", body, headers=tls)
        self.assertEqual(proxied.status, 200)
        self.assertEqual(len(proxied.set_cookies), 2)
        self.assertTrue(all(c.endswith("; Secure") for c in proxied.set_cookies), proxied.set_cookies)
        # The session records the address the proxy saw (the last one), not the client's claim.
        sessions = proxied_client.get("/api/v1/auth/sessions").json()["items"]
        mine = [x for x in sessions if x["current"]][0]
        self.assertEqual(mine["client_ip"], "198.51.100.9")
        direct = [x for x in Client(SERVER, plain.json()["token"]).get("/api/v1/auth/sessions").json()["items"]
                  if x["current"]][0]
        self.assertEqual(direct["client_ip"], "127.0.0.1")
        out = proxied_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": proxied.json()["csrf_token"],
                                                                   **tls})
        self.assertEqual(out.status, 204)
        self.assertTrue(all("Max-Age=0" in c and "Secure" in c for c in out.set_cookies), out.set_cookies)

    def test_cookie_session_needs_csrf_on_writes(self):
        c = Client(SERVER)
        r = c.post("/api/v1/auth/login", {"username": "org01", "password": DEMO_PASSWORD})
        csrf = r.json()["csrf_token"]
        self.assertEqual(c.cookies.get("dangjiao_csrf"), csrf)
        self.assertEqual(c.get("/api/v1/orgs/%d" % self.org01["id"]).status, 200)
        body = {"code": "CSRF-1", "name": "跨站测试", "type": "branch", "parent_id": self.org01["id"]}
        before = self.count("/api/v1/orgs")
        r = c.post("/api/v1/orgs", body)
        self.assertEqual(r.status, 403)
        self.assertIn("X-CSRF-Token", r.field_errors())
        r = c.post("/api/v1/orgs", body, headers={"X-CSRF-Token": "forged"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.count("/api/v1/orgs"), before)
        r = c.post("/api/v1/orgs", body, headers={"X-CSRF-Token": csrf})
        self.assertEqual(r.status, 201, r)

    def test_forged_expired_and_logged_out_tokens(self):
        self.assertEqual(Client(SERVER, "forged-token").get("/api/v1/orgs").status, 401)
        self.assertEqual(Client(SERVER, "A" * 43).get("/api/v1/orgs").status, 401)
        self.assertEqual(Client(SERVER).get("/api/v1/orgs").status, 401)
        c = login(SERVER, "org02")
        self.assertEqual(c.get("/api/v1/orgs").status, 200)
        self.assertEqual(c.post("/api/v1/auth/logout").status, 204)
        self.assertEqual(c.get("/api/v1/orgs").status, 401)

    def test_sessions_list_and_end_own_only(self):
        a = login(SERVER, "inspector")
        b = login(SERVER, "inspector")
        other = login(SERVER, "auditor")
        items = a.get("/api/v1/auth/sessions").json()["items"]
        self.assertGreaterEqual(len(items), 2)
        current = [s for s in items if s["current"]]
        self.assertEqual(len(current), 1)
        other_id = [s for s in other.get("/api/v1/auth/sessions").json()["items"] if s["current"]][0]["id"]
        self.assertEqual(a.delete("/api/v1/auth/sessions/%d" % other_id).status, 404)
        self.assertEqual(other.get("/api/v1/orgs").status, 200)
        b_id = [s["id"] for s in items if not s["current"]][0]
        self.assertEqual(a.delete("/api/v1/auth/sessions/%d" % b_id).status, 204)
        self.assertEqual(b.get("/api/v1/orgs").status, 401)


class Orgs(Base):
    def test_crud_move_and_cycle(self):
        r = self.admin.post("/api/v1/orgs", {"code": "T-ORG-1", "name": "测试机关党委", "type": "party_committee",
                                             "parent_id": 1, "leader": "张书记", "founded_on": "2001-07-01"})
        self.assertEqual(r.status, 201, r)
        pc = r.json()
        r = self.admin.post("/api/v1/orgs", {"code": "T-ORG-2", "name": "测试支部", "type": "branch",
                                             "parent_id": pc["id"]})
        br = r.json()
        self.assertEqual(br["path"], pc["path"] + "%d/" % br["id"])
        r = self.admin.patch("/api/v1/orgs/%d" % br["id"], {"name": "改名支部"})
        self.assertEqual(r.json()["name"], "改名支部")
        r = self.admin.post("/api/v1/orgs/%d/move" % br["id"], {"parent_id": self.org02["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json()["path"].startswith(self.org02["path"]))
        r = self.admin.post("/api/v1/orgs/%d/move" % pc["id"], {"parent_id": pc["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"parent_id": "cycle"})
        r = self.admin.post("/api/v1/orgs/1/move", {"parent_id": self.org01["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"parent_id": "cycle"})
        self.assertEqual(self.admin.delete("/api/v1/orgs/%d" % br["id"]).status, 204)
        self.assertEqual(self.admin.get("/api/v1/orgs/%d" % br["id"]).status, 404)

    def test_delete_with_members_is_409(self):
        r = self.admin.delete("/api/v1/orgs/%d" % self.branch02["id"])
        self.assertEqual(r.status, 409)
        self.assertIn("member", r.json()["detail"])

    def test_listing_by_parent_and_subtree_with_counts(self):
        r = self.admin.get("/api/v1/orgs?parent_id=1&page_size=100")
        codes = {o["code"] for o in r.json()["items"]}
        self.assertTrue({"KMGW-%03d" % i for i in range(1, 48)} <= codes)
        root = self.admin.get("/api/v1/orgs/1").json()
        self.assertGreaterEqual(root["member_count"], 5500)
        sub = self.admin.get("/api/v1/orgs?subtree_of=%d&page_size=500" % self.org01["id"]).json()
        self.assertTrue(all(o["path"].startswith(self.org01["path"]) for o in sub["items"]))
        self.assertEqual(self.admin.get("/api/v1/orgs?page_size=501").status, 400)
        self.assertEqual(self.admin.get("/api/v1/orgs?parent_id=abc").status, 400)

    def test_bad_input(self):
        before = self.count("/api/v1/orgs")
        cases = [
            (dict(raw="{\"code\": "), 400, {"body": "malformed_json"}),
            (dict(raw="[1,2]"), 400, {"body": "type"}),
            (dict(body={"code": 7, "name": "x", "type": "branch", "parent_id": 1}), 400, {"code": "type"}),
            (dict(body={"code": "Z1", "name": "x", "type": "branch", "parent_id": "1"}), 400, {"parent_id": "type"}),
            (dict(body={"code": "Z1", "name": "x", "type": "branch", "parent_id": 1, "colour": "red"}), 400, {"colour": "unknown_field"}),
            (dict(body={"name": "x", "type": "branch", "parent_id": 1}), 422, {"code": "required"}),
            (dict(body={"code": "Z1", "name": "x", "type": "castle", "parent_id": 1}), 422, {"type": "unknown_code"}),
            (dict(body={"code": "Z1", "name": "x", "type": "branch", "parent_id": 999999}), 422, {"parent_id": "unknown"}),
            (dict(body={"code": "Z1", "name": "x", "type": "branch", "parent_id": 1, "founded_on": "2021-02-30"}), 422, {"founded_on": "date"}),
            (dict(body={"code": "KMGW-001", "name": "x", "type": "branch", "parent_id": self.org01["id"]}), 409, {"code": "taken"}),
        ]
        for kw, status, fields in cases:
            r = self.admin.post("/api/v1/orgs", **kw)
            self.assertEqual(r.status, status, (kw, r))
            self.assertEqual(r.header("content-type"), "application/problem+json")
            for f, code in fields.items():
                self.assertEqual(r.field_errors().get(f), code, (kw, r))
        self.assertEqual(self.count("/api/v1/orgs"), before)
        self.assertEqual(self.admin.get("/api/v1/orgs/999999").status, 404)
        self.assertEqual(self.admin.get("/api/v1/orgs/abc").status, 400)
        self.assertEqual(self.admin.get("/api/v1/orgs/-1").status, 400)

    def test_unicode_and_sql_text_round_trip(self):
        for i, text in enumerate(TRICKY):
            r = self.admin.post("/api/v1/orgs", {"code": "U-%d" % i, "name": text, "type": "branch",
                                                 "parent_id": self.org01["id"], "leader": text,
                                                 "department": text})
            self.assertEqual(r.status, 201, r)
            got = self.admin.get("/api/v1/orgs/%d" % r.json()["id"]).json()
            self.assertEqual((got["name"], got["leader"], got["department"]), (text, text, text))
        found = self.admin.get("/api/v1/orgs?q=" + "100%25").json()
        self.assertEqual([o["name"] for o in found["items"]], [TRICKY[3]])


class Members(Base):
    def test_a_pasted_list_is_matched_and_bad_lists_refused(self):
        # org01's demo members (its first branch may be one an earlier test added, empty).
        some = self.admin.get("/api/v1/members?org_id=%d&page_size=2" % self.org01["id"]).json()["items"]
        full_id = self.admin.post("/api/v1/members/%d/pii" % some[1]["id"]).json()["citizen_id"]
        r = self.admin.post("/api/v1/members/match", {"lines": [some[0]["name"], full_id, "查无此人", ""],
                                                      "org_id": self.org01["id"]})
        self.assertEqual(r.status, 200, r)
        items = r.json()["items"]
        self.assertEqual([i["line"] for i in items], [some[0]["name"], full_id, "查无此人"])
        self.assertIn(some[0]["id"], [m["id"] for m in items[0]["members"]])
        self.assertEqual([m["id"] for m in items[1]["members"]], [some[1]["id"]])
        self.assertNotEqual(items[1]["members"][0]["citizen_id"], full_id)  # masked
        self.assertEqual(items[2]["members"], [])
        url = "/api/v1/members/match"
        self.assertEqual(self.admin.post(url, {"lines": []}).field_errors(), {"lines": "required"})
        self.assertEqual(self.admin.post(url, {"lines": "张三"}).field_errors(), {"lines": "type"})
        self.assertEqual(self.admin.post(url, {"lines": ["x%d" % i for i in range(1001)]}).field_errors(),
                         {"lines": "too_many"})
        self.assertEqual(self.admin.post(url, raw="{").status, 400)
        self.assertEqual(login(SERVER, "org02").post(url, {"lines": ["x"], "org_id": self.org01["id"]})
                         .field_errors(), {"org_id": "unknown"})
        self.assertEqual(login(SERVER, "member01").post(url, {"lines": ["x"]}).status, 403)

    def test_create_get_mask_and_pii(self):
        body = self.member_body(name="王小明")
        r = self.admin.post("/api/v1/members", body)
        self.assertEqual(r.status, 201, r)
        m = r.json()
        masked_id = body["citizen_id"][:4] + "*" * 10 + body["citizen_id"][-4:]
        # Masked for everyone by default, committee_admin included.
        self.assertEqual((m["citizen_id"], m["phone"], m["can_reveal"]), (masked_id, "139****4321", True))
        self.assertEqual(m["birth_date"], "1988-07-%s" % body["citizen_id"][12:14])
        # The organization named with its path, wherever it is named.
        self.assertEqual(m["org_path_name"], self.org01["name"] + " / " + self.branch01["name"])
        self.assertEqual(self.admin.get("/api/v1/orgs/%d" % self.branch01["id"]).json()["path_name"], m["org_path_name"])
        todos = self.admin.get("/api/v1/compliance?period=2026Q4&detail=summary").json()["todos"]
        self.assertTrue(any(" / " in t["org_path_name"] for t in todos))
        listed = self.admin.get("/api/v1/members?q=王小明").json()["items"][0]
        self.assertEqual(listed["citizen_id"], masked_id)
        # The full value is one explicit act on one record, on the record.
        full = self.admin.post("/api/v1/members/%d/pii" % m["id"])
        self.assertEqual(full.status, 200)
        self.assertEqual(full.json(), {"citizen_id": body["citizen_id"], "phone": "13987654321"})
        self.assertEqual(full.header("cache-control"), "no-store")
        audit = self.admin.get("/api/v1/audit?action=member.pii_revealed").json()["items"][0]
        self.assertEqual(audit["entity_id"], str(m["id"]))
        self.assertNotIn(body["citizen_id"], json.dumps(audit))
        org_admin = login(SERVER, "org01")
        seen = org_admin.get("/api/v1/members/%d" % m["id"]).json()
        self.assertEqual((seen["citizen_id"], seen["phone"], seen["can_reveal"]), (masked_id, "139****4321", False))
        refused = org_admin.post("/api/v1/members/%d/pii" % m["id"])
        self.assertEqual(refused.status, 403)
        self.assertIn("member:pii", refused.json()["detail"])
        self.assertEqual(self.admin.post("/api/v1/members/999999/pii").status, 404)

    def test_member_sees_self_only(self):
        me = login(SERVER, "member01")
        my_id = me.get("/api/v1/auth/me").json()["member_id"]
        mine = me.get("/api/v1/members/%d" % my_id)
        self.assertEqual(mine.status, 200)
        self.assertTrue(mine.json()["can_reveal"])  # his own, on the record
        self.assertIn("*", mine.json()["citizen_id"])
        self.assertEqual(me.post("/api/v1/members/%d/pii" % my_id).status, 200)
        self.assertEqual(me.post("/api/v1/members/%d/pii" % (my_id + 1)).status, 404)
        self.assertEqual(me.get("/api/v1/members/%d" % (my_id + 1)).status, 404)
        self.assertEqual(me.get("/api/v1/members").status, 403)

    def test_validation_errors_name_fields_and_change_nothing(self):
        before = self.count("/api/v1/members")
        cases = [
            (self.member_body(citizen_id="530102198807011230"), 422, "citizen_id"),
            (self.member_body(citizen_id="12345"), 422, "citizen_id"),
            (self.member_body(gender="female", citizen_id=citizen_id("53010219880701123")), 422, "gender"),
            (self.member_body(birth_date="1990-01-01"), 422, "birth_date"),
            (self.member_body(full_member_on="2009-01-01"), 422, "full_member_on"),
            (self.member_body(phone="12345"), 422, "phone"),
            (self.member_body(political_status="boss"), 422, "political_status"),
            (self.member_body(cadre_rank="king"), 422, "cadre_rank"),
            (self.member_body(retired="yes"), 400, "retired"),
            (self.member_body(tags="a"), 400, "tags"),
            (self.member_body(org_id=self.branch02["id"] * 1000), 422, "org_id"),
            ({"name": "缺字段"}, 422, "citizen_id"),
        ]
        for body, status, field in cases:
            r = self.admin.post("/api/v1/members", body)
            self.assertEqual(r.status, status, (body, r))
            self.assertIn(field, r.field_errors(), (body, r))
        self.assertEqual(self.count("/api/v1/members"), before)
        dup = self.member_body()
        self.assertEqual(self.admin.post("/api/v1/members", dup).status, 201)
        again = self.admin.post("/api/v1/members", dup)
        self.assertEqual(again.status, 409)
        self.assertEqual(again.field_errors(), {"citizen_id": "taken"})
        # From another subtree: the same words, nothing about where, and the attempt audited.
        org02 = login(SERVER, "org02")
        elsewhere = org02.post("/api/v1/members", dict(dup, org_id=self.branch02["id"]))
        self.assertEqual((elsewhere.status, elsewhere.json()["detail"]), (409, again.json()["detail"]))
        self.assertNotIn(self.branch01["name"], elsewhere.body)
        refused = self.admin.get("/api/v1/audit?action=member.create_refused").json()["items"]
        self.assertEqual([e["username"] for e in refused[:2]], ["org02", "admin"])
        self.assertNotIn(dup["citizen_id"], json.dumps(refused))

    def test_other_subtree_is_invisible_and_unwritable(self):
        org01 = login(SERVER, "org01")
        theirs = self.admin.get("/api/v1/members?org_id=%d&page_size=1" % self.org02["id"]).json()["items"][0]
        self.assertEqual(org01.get("/api/v1/members/%d" % theirs["id"]).status, 404)
        self.assertEqual(org01.patch("/api/v1/members/%d" % theirs["id"], {"name": "改"}).status, 404)
        self.assertEqual(org01.delete("/api/v1/members/%d" % theirs["id"]).status, 404)
        r = org01.post("/api/v1/members", self.member_body(org_id=self.branch02["id"]))
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"org_id": "unknown"})
        r = org01.get("/api/v1/members?org_id=%d" % self.org02["id"])
        self.assertEqual(r.status, 422)
        listed = org01.get("/api/v1/members?page_size=500").json()
        self.assertTrue(all(m["id"] != theirs["id"] for m in listed["items"]))
        self.assertEqual(self.admin.get("/api/v1/members/%d" % theirs["id"]).json()["name"], theirs["name"])

    def test_transfer_keeps_history(self):
        m = self.admin.post("/api/v1/members", self.member_body()).json()
        r = self.admin.post("/api/v1/members/%d/transfer" % m["id"],
                            {"to_org_id": self.branch02["id"], "date": "2021-05-01", "reason": "工作调动"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["org_id"], self.branch02["id"])
        h = self.admin.get("/api/v1/members/%d/history" % m["id"]).json()["items"]
        self.assertEqual([(x["org_id"], x["to_date"]) for x in h],
                         [(self.branch01["id"], "2021-05-01"), (self.branch02["id"], None)])
        r = self.admin.post("/api/v1/members/%d/transfer" % m["id"], {"to_org_id": self.branch01["id"], "date": "2000-01-01"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"date": "before_current"})

    def test_filters_and_paging(self):
        leaders = self.admin.get("/api/v1/members?leading_cadre=true&page_size=5").json()
        self.assertGreater(leaders["total"], 250)
        self.assertTrue(all(m["is_leading_cadre"] for m in leaders["items"]))
        self.assertEqual(len(leaders["items"]), 5)
        infirm = self.admin.get("/api/v1/members?infirm=true").json()
        self.assertTrue(all(m["infirm"] for m in infirm["items"]))
        self.assertEqual(self.admin.get("/api/v1/members?infirm=maybe").status, 400)
        self.assertEqual(self.admin.get("/api/v1/members?political_status=boss").status, 422)

    def test_unicode_round_trip_in_every_text_field(self):
        for text in TRICKY:
            body = self.member_body(name=text, ethnicity=text[:20], education=text, work_unit=text,
                                    job_title=text, tags=[text[:30]])
            r = self.admin.post("/api/v1/members", body)
            self.assertEqual(r.status, 201, r)
            got = self.admin.get("/api/v1/members/%d" % r.json()["id"]).json()
            for f in ("name", "ethnicity", "education", "work_unit", "job_title"):
                self.assertEqual(got[f], body[f], f)
            self.assertEqual(got["tags"], body["tags"])

    def test_patch_and_delete_are_audited(self):
        m = self.admin.post("/api/v1/members", self.member_body()).json()
        r = self.admin.patch("/api/v1/members/%d" % m["id"], {"post": "secretary", "party_worker": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["post"], "secretary")
        self.assertEqual(self.admin.delete("/api/v1/members/%d" % m["id"]).status, 204)
        self.assertEqual(self.admin.get("/api/v1/members/%d" % m["id"]).status, 404)
        auditor = login(SERVER, "auditor")
        trail = auditor.get("/api/v1/audit?entity=member&entity_id=%d" % m["id"]).json()["items"]
        self.assertEqual([e["action"] for e in trail], ["member.delete", "member.update", "member.create"])
        upd = trail[1]
        self.assertEqual((upd["before"]["post"], upd["after"]["post"]), ("none", "secretary"))
        self.assertEqual(upd["username"], "admin")
        self.assertIn("*", upd["after"]["citizen_id"])  # audit holds no clear PII


class Fuzz(Base):
    def test_garbage_never_500(self):
        import random
        rnd = random.Random(7)
        paths = ["/api/v1/orgs", "/api/v1/members", "/api/v1/auth/login", "/api/v1/users",
                 "/api/v1/orgs/%d/move" % self.org01["id"], "/api/v1/auth/password"]
        samples = ['{"a":', "null", "[]", '{"name": {"x": 1}}', '{"org_id": 1e400}',
                   '{"org_id": -5}', '{"org_id": 18446744073709551615}', "\xff\xfe", '"str"',
                   '{"name": "\\ud800"}', '{"tags": [1,2]}', '{"parent_id": true}']
        for _ in range(150):
            body = rnd.choice(samples)
            if rnd.random() < 0.3:
                body = "".join(chr(rnd.randrange(1, 0x3000)) for _ in range(rnd.randrange(1, 40)))
            r = self.admin.post(rnd.choice(paths), raw=body.encode("utf-8", "surrogatepass"))
            self.assertLess(r.status, 500, (body, r))
        self.assertEqual(Client(SERVER).get("/readyz").status, 200)

    def test_every_json_body_refuses_malformed_json_naming_it(self):
        """Every route that reads a JSON body answers broken JSON and a non-object with 400."""
        checked = 0
        for method, pattern, op in routes():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            path = re.sub(r"\{[^}]+\}", "1", pattern)
            for raw in ("{not json", "[1, 2]"):
                r = self.admin.request(method, path, raw=raw)
                self.assertEqual(r.status, 400, (method, pattern, raw, r))
            checked += 1
        self.assertGreater(checked, 60)


_DOC = []


def openapi():
    """The server's OpenAPI document, read once: the one inventory of the API."""
    if not _DOC:
        _DOC.append(Client(SERVER).get("/api/v1/openapi.json").json())
    return _DOC[0]


def routes():
    """Every operation the server documents, as (method, pattern, operation)."""
    return [(m.upper(), p, op) for p, ops in openapi()["paths"].items() for m, op in ops.items()]


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Permissions(Base):
    """Route x role x (own subtree, other subtree, no session)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.admin.post("/api/v1/users", {"username": "lecturer01", "password": "Lect-Pass-2026",
                                             "role": "lecturer", "org_id": cls.branch01["id"]})
        assert r.status == 201, r
        lec = login(SERVER, "lecturer01", "Lect-Pass-2026")
        assert lec.post("/api/v1/auth/password", {"old_password": "Lect-Pass-2026",
                                                  "new_password": "Lect-Pass-2027"}).status == 204
        cls.clients = {
            "committee_admin": cls.admin,
            "org_admin": login(SERVER, "org01"),
            "auditor": login(SERVER, "auditor"),
            "inspector": login(SERVER, "inspector"),
            "member": login(SERVER, "member01"),
            "lecturer": lec,
            "community": login(SERVER, "community01"),
            "none": Client(SERVER),
        }
        admin = cls.admin

        def member_in(org):
            return admin.get("/api/v1/members?org_id=%d&page_size=1" % org["id"]).json()["items"][0]["id"]

        cls.ids = {"own": {"org": cls.branch01["id"], "member": member_in(cls.branch01)},
                   "other": {"org": cls.branch02["id"], "member": member_in(cls.branch02)}}
        me = cls.clients["member"].get("/api/v1/auth/me").json()
        # A member's own subtree is his organization; his own record is himself.
        cls.member_own = {"org": me["org_id"], "member": me["member_id"]}

    # Expected status per role for a route on the own and the other subtree.
    # org_admin is scoped to KMGW-001; auditor and inspector sit at the
    # committee and read everything; member and lecturer sit in branch01.
    READ = {"committee_admin": (200, 200), "org_admin": (200, 404), "auditor": (200, 200),
            "inspector": (200, 200), "member": (200, 404), "lecturer": (200, 404), "none": (401, 401)}
    MEMBER_READ = {"committee_admin": (200, 200), "org_admin": (200, 404), "auditor": (200, 200),
                   "inspector": (200, 200), "member": (200, 404), "lecturer": (404, 404), "none": (401, 401)}
    WRITE = {"committee_admin": (200, 200), "org_admin": (200, 404), "auditor": (403, 403),
             "inspector": (403, 403), "member": (403, 403), "lecturer": (403, 403), "none": (401, 401)}

    def check(self, method, path_fmt, kind, table, body=None):
        for role, expected in table.items():
            for i, where in enumerate(("own", "other")):
                ids = self.member_own if role == "member" and where == "own" else self.ids[where]
                path = path_fmt.format(id=ids[kind])
                r = self.clients[role].request(method, path, body=body)
                self.assertEqual(r.status, expected[i], (role, where, method, path, r))
                if where == "other" and r.status != 200:
                    self.assertNotIn('"name"', r.body)

    def test_org_routes(self):
        self.check("GET", "/api/v1/orgs/{id}", "org", self.READ)
        self.check("GET", "/api/v1/orgs?parent_id={id}", "org",
                   {**self.READ, "org_admin": (200, 422), "member": (200, 422), "lecturer": (200, 422)})
        self.check("PATCH", "/api/v1/orgs/{id}", "org", self.WRITE, body={"leader": "检查"})

    def test_member_routes(self):
        self.check("GET", "/api/v1/members/{id}", "member", self.MEMBER_READ)
        self.check("GET", "/api/v1/members/{id}/history", "member", self.MEMBER_READ)
        self.check("PATCH", "/api/v1/members/{id}", "member", self.WRITE, body={"education": "研究生"})
        self.check("GET", "/api/v1/members?org_id={id}", "org",
                   {**self.MEMBER_READ, "org_admin": (200, 422), "member": (403, 403), "lecturer": (403, 403)})

    def test_collection_and_admin_routes(self):
        table = {
            ("GET", "/api/v1/audit"): {"committee_admin": 200, "auditor": 200, "org_admin": 403,
                                       "inspector": 403, "member": 403, "lecturer": 403, "none": 401},
            ("GET", "/api/v1/users"): {"committee_admin": 200, "org_admin": 200, "auditor": 403,
                                       "inspector": 403, "member": 403, "lecturer": 403, "none": 401},
            ("GET", "/api/v1/orgs"): {"committee_admin": 200, "org_admin": 200, "auditor": 200,
                                      "inspector": 200, "member": 200, "lecturer": 200, "none": 401},
            ("GET", "/api/v1/auth/sessions"): {"committee_admin": 200, "org_admin": 200, "auditor": 200,
                                               "inspector": 200, "member": 200, "lecturer": 200, "none": 401},
            ("POST", "/api/v1/members"): {"auditor": 403, "inspector": 403, "member": 403,
                                          "lecturer": 403, "none": 401},
            ("POST", "/api/v1/orgs"): {"auditor": 403, "inspector": 403, "member": 403,
                                       "lecturer": 403, "none": 401},
            ("POST", "/api/v1/users"): {"auditor": 403, "inspector": 403, "member": 403,
                                        "lecturer": 403, "none": 401},
        }
        for (method, path), expected in table.items():
            for role, status in expected.items():
                body = {"username": "x"} if method == "POST" else None
                if path == "/api/v1/members" and method == "POST":
                    body = self.member_body()
                if path == "/api/v1/orgs" and method == "POST":
                    body = {"code": "PERM-X", "name": "x", "type": "branch", "parent_id": self.org01["id"]}
                if path == "/api/v1/users" and method == "POST":
                    body = {"username": "perm-x", "password": "Perm-Pass-2026", "role": "member",
                            "org_id": self.branch01["id"]}
                r = self.clients[role].request(method, path, body=body)
                self.assertEqual(r.status, status, (role, method, path, r))

    def test_org_admin_cannot_grant_committee_admin_or_reach_other_subtree(self):
        org01 = self.clients["org_admin"]
        r = org01.post("/api/v1/users", {"username": "sneaky", "password": "Sneaky-Pass-1",
                                         "role": "committee_admin", "org_id": self.org01["id"]})
        self.assertEqual(r.status, 403)
        r = org01.post("/api/v1/users", {"username": "sneaky", "password": "Sneaky-Pass-1",
                                         "role": "org_admin", "org_id": self.org02["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"org_id": "unknown"})
        self.assertEqual(org01.post("/api/v1/users/1/reset-password", {"password": "Whatever-Pass-1"}).status, 404)
        # Nor an account with permissions it lacks itself: an auditor reads the audit trail.
        r = org01.post("/api/v1/users", {"username": "sneaky-auditor", "password": "Sneaky-Pass-1",
                                         "role": "auditor", "org_id": self.org01["id"]})
        self.assertEqual(r.status, 403)
        self.assertIn("audit:read", r.json()["detail"])
        r = org01.post("/api/v1/users", {"username": "fine-inspector", "password": "Inspect-Pass-1",
                                         "role": "inspector", "org_id": self.org01["id"]})
        self.assertEqual(r.status, 201, r)
        # Passwords count characters, not bytes (中文1a中文 is six, in twelve bytes).
        r = self.admin.post("/api/v1/auth/password", {"old_password": DEMO_PASSWORD,
                                                      "new_password": "中文1a中文"})
        self.assertEqual((r.status, r.field_errors()), (422, {"new_password": "too_short"}))

    def test_every_route_needs_a_session(self):
        open_routes = {("POST", "/api/v1/auth/login"), ("GET", "/healthz"), ("GET", "/readyz"),
                       ("GET", "/metrics"), ("GET", "/api/v1/openapi.json"), ("GET", "/verify/{serial}"),
                       ("POST", "/api/v1/checkin/scan"),  # a phone scans before it logs in
                       ("POST", "/api/v1/community-posts/scan"),
                       ("GET", "/api/v1/media/{id}")}  # <video> sends no header: its address is signed
        none = self.clients["none"]
        for method, path, _ in routes():
            if (method, path) in open_routes:
                continue
            concrete = (path.replace("{id}", "1").replace("{sid}", "1").replace("{aid}", "1").replace("{fid}", "1")
                        .replace("{mid}", "1"))
            r = none.request(method, concrete, body=None if method == "GET" else {})
            self.assertEqual(r.status, 401, (method, path, r))

    def test_every_id_route_refuses_another_subtree(self):
        """org01's administrator against records of KMGW-002: never a 2xx, never their data."""
        admin = self.admin
        other_member = self.ids["other"]["member"]
        other_org = self.ids["other"]["org"]
        act = admin.post("/api/v1/activities", {
            "org_id": other_org, "type": "theme_day", "title": "别处的活动",
            "started_at": _recent(3), "ended_at": _recent(3, 1)}).json()
        att = admin.post("/api/v1/activities/%d/attachments?filename=a.pdf" % act["id"], raw=PDF,
                         headers={"Content-Type": "application/pdf"}).json()
        tr = admin.post("/api/v1/trainings", {"org_id": self.org02["id"], "title": "别处的班",
                                              "level": "unit", "starts_on": _shanghai()[:10],
                                              "ends_on": _shanghai(days=1)[:10], "capacity": 5}).json()
        sess = admin.post("/api/v1/trainings/%d/sessions" % tr["id"], {
            "title": "课", "started_at": _shanghai(10), "ended_at": _shanghai(70)}).json()
        other_user = [u for u in admin.get("/api/v1/users?page_size=500").json()["items"]
                      if u["username"] == "org02"][0]["id"]
        matter = admin.post("/api/v1/matters", {"org_id": other_org, "title": "别处的实事",
                                                "category": "other", "planned_on": "2021-05-01"}).json()
        matter_file = admin.post("/api/v1/matters/%d/files?filename=a.png" % matter["id"], raw=PNG,
                                 headers={"Content-Type": "image/png"}).json()
        ids = {"/api/v1/orgs/": other_org, "/api/v1/members/": other_member,
               "/api/v1/activities/": act["id"], "/api/v1/trainings/": tr["id"],
               "/api/v1/users/": other_user, "/api/v1/matters/": matter["id"]}
        org01 = self.clients["org_admin"]
        checked = 0
        for method, path, _ in routes():
            prefix = next((p for p in ids if path.startswith(p + "{id}")), None)
            if not prefix:
                continue
            concrete = (path.replace("{id}", str(ids[prefix])).replace("{sid}", str(sess["id"]))
                        .replace("{aid}", str(att["id"])).replace("{mid}", str(other_member))
                        .replace("{fid}", str(matter_file["id"])))
            if concrete.endswith("/hours"):
                concrete += "?year=2026"
            body = None if method in ("GET", "DELETE") else {}
            if path.endswith("/move"):
                body = {"parent_id": self.org01["id"]}
            r = org01.request(method, concrete, body=body)
            self.assertIn(r.status, (403, 404, 422), (method, concrete, r))
            self.assertNotIn("别处", r.body, (method, concrete))
            checked += 1
        self.assertGreaterEqual(checked, 25)

    def test_every_declared_permission_is_enforced(self):
        """Each route's permission comes from the route table (x-permission in the
        document): a role without it gets 403 naming it, whatever the ids and the
        body; a role with it is never refused for want of it."""
        perms = {role: set(c.get("/api/v1/auth/me").json()["permissions"])
                 for role, c in self.clients.items() if role != "none"}
        self.assertIn("quota:manage", perms["committee_admin"])
        self.assertNotIn("quota:manage", perms["org_admin"])
        checked = 0
        for method, path, op in routes():
            perm = op.get("x-permission")
            if not perm:
                continue
            concrete = re.sub(r"\{\w+\}", "1", path)
            for role, granted in perms.items():
                if perm in granted and method != "GET":
                    continue  # a write by a role that may: it would change the demo city
                r = self.clients[role].request(method, concrete,
                                               body=None if method in ("GET", "DELETE") else {})
                if perm in granted:
                    refused = r.status == 403 and perm in r.json().get("detail", "")
                    self.assertFalse(refused, (role, method, path, r))
                else:
                    self.assertEqual(r.status, 403, (role, method, path, r))
                    self.assertIn("requires permission " + perm, r.json()["detail"])
                    checked += 1
        self.assertGreaterEqual(checked, 100)

    def test_me_answers_roles_scope_and_permissions(self):
        me = self.clients["org_admin"].get("/api/v1/auth/me").json()
        self.assertEqual(me["roles"], ["org_admin"])
        self.assertEqual(me["scope_path"], self.org01["path"])
        self.assertIn("member:write", me["permissions"])
        self.assertNotIn("member:pii", me["permissions"])
        self.assertEqual(self.admin.get("/api/v1/auth/me").json()["scope_path"], "/")

    def test_denials_are_audited(self):
        self.clients["inspector"].post("/api/v1/orgs", {"code": "DENY", "name": "x", "type": "branch", "parent_id": 1})
        denied = self.admin.get("/api/v1/audit?action=auth.denied").json()
        self.assertGreaterEqual(denied["total"], 1)


class Activities(Base):
    """Recording meetings, the ledger, the rules and the statistics over HTTP."""

    def meeting(self, org, **over):
        body = {"org_id": org["id"], "type": "branch_committee", "title": "支委会",
                "started_at": "2025-03-03T15:00:00+08:00", "ended_at": "2025-03-03T16:30:00+08:00"}
        body.update(over)
        return body

    def test_one_request_records_a_meeting_with_exceptions(self):
        branch = self.admin.get("/api/v1/orgs/%d" % self.branch01["id"]).json()
        members = self.admin.get("/api/v1/members?org_id=%d&page_size=100" % branch["id"]).json()["items"]
        in_party = [m for m in members if m["political_status"] in ("full", "probationary")]
        absent, leave = in_party[0]["id"], in_party[1]["id"]
        r = self.admin.post("/api/v1/activities", self.meeting(branch, type="branch_assembly", attendees=[
            {"member_id": absent, "status": "absent"},
            {"member_id": leave, "status": "leave", "reason": "出差"}]))
        self.assertEqual(r.status, 201, r)
        a = r.json()
        # A 支委会 expects the branch committee; a member who sits in is a guest.
        committee = [m for m in in_party if m["post"] in ("secretary", "deputy_secretary", "committee_member")
                     and m["joined_on"] <= "2025-03-03"]
        others = [m for m in in_party if m not in committee and m["joined_on"] <= "2025-03-03"]
        c = self.admin.post("/api/v1/activities", self.meeting(branch, attendees=[
            {"member_id": others[0]["id"], "status": "present"}])).json()
        self.assertEqual((c["expected_count"], c["present_count"]), (len(committee), len(committee) + 1))
        self.assertEqual([t["guest"] for t in c["attendees"] if t["member_id"] == others[0]["id"]], [True])
        self.assertEqual(a["held_on"], "2025-03-03")
        self.assertTrue(a["late_entry"])
        self.assertEqual(a["hours"], 1.5)
        self.assertEqual(a["expected_count"], len([m for m in in_party if m["joined_on"] <= "2025-03-03"]))
        self.assertEqual(a["present_count"], a["expected_count"] - 2)
        status = {t["member_id"]: t["status"] for t in a["attendees"]}
        self.assertEqual((status[absent], status[leave]), ("absent", "leave"))
        present = [mid for mid, st in status.items() if st == "present"][0]
        hours = self.admin.get("/api/v1/members/%d/hours?year=2025" % present).json()
        self.assertIn(a["id"], [e["source_id"] for e in hours["entries"]])
        none = self.admin.get("/api/v1/members/%d/hours?year=2025" % absent).json()
        self.assertNotIn(a["id"], [e["source_id"] for e in none["entries"]])
        comp = self.admin.get("/api/v1/compliance?period=2025-03&org_id=%d" % branch["id"]).json()
        item = [i for o in comp["organizations"] if o["org_id"] == branch["id"]
                for i in o["items"] if i["rule"] == "branch_committee_monthly"][0]
        self.assertEqual((item["actual"], item["status"]), (1, "met"))
        audit = self.admin.get("/api/v1/audit?entity=activity&entity_id=%d" % a["id"]).json()["items"]
        self.assertEqual(audit[0]["action"], "activity.create_late")

    def test_locked_records_need_committee_admin_and_a_reason(self):
        a = self.admin.post("/api/v1/activities", self.meeting(self.branch01, type="theme_day")).json()
        self.assertTrue(a["locked"])
        org01 = login(SERVER, "org01")
        self.assertEqual(org01.patch("/api/v1/activities/%d" % a["id"], {"title": "改"}).status, 403)
        r = self.admin.patch("/api/v1/activities/%d" % a["id"], {"title": "改"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"change_reason": "required"})
        r = self.admin.patch("/api/v1/activities/%d" % a["id"], {"title": "改", "change_reason": "更正"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(org01.delete("/api/v1/activities/%d" % a["id"]).status, 403)
        self.assertEqual(self.admin.delete("/api/v1/activities/%d?reason=重复录入" % a["id"]).status, 204)
        self.assertEqual(self.admin.get("/api/v1/activities/%d" % a["id"]).status, 404)

    def test_bad_input(self):
        before = self.count("/api/v1/activities")
        b = self.branch01
        m = self.admin.get("/api/v1/members?org_id=%d&page_size=1" % b["id"]).json()["items"][0]["id"]
        other = self.admin.get("/api/v1/members?org_id=%d&page_size=1" % self.org02["id"]).json()["items"][0]["id"]
        cases = [
            (self.meeting(b, type="dance"), 422, "type"),
            (self.meeting(b, ended_at="2025-03-03T14:00:00+08:00"), 422, "ended_at"),
            (self.meeting(b, started_at="2099-03-03T15:00:00+08:00", ended_at="2099-03-03T16:00:00+08:00"), 422, "started_at"),
            (self.meeting(b, started_at="2025-03-03 15:00"), 422, "started_at"),
            (self.meeting(b, hours=-2), 422, "hours"),
            (self.meeting(b, hours=1e9), 422, "hours"),
            (self.meeting(b, hours="two"), 400, "hours"),
            (self.meeting(b, attendees=[{"member_id": m, "status": "absent"}, {"member_id": m, "status": "late"}]), 422, "attendees[1].member_id"),
            (self.meeting(b, attendees=[{"member_id": m, "status": "asleep"}]), 422, "attendees[0].status"),
            (self.meeting(b, attendees=[{"member_id": m, "status": "leave"}]), 422, "attendees[0].reason"),
            (self.meeting(b, attendees=[{"member_id": m, "mood": "ok", "status": "present"}]), 400, "attendees[0].mood"),
            (self.meeting(b, attendees="all"), 400, "attendees"),
            (self.meeting(b, org_id=999999), 422, "org_id"),
        ]
        for body, status, field in cases:
            r = self.admin.post("/api/v1/activities", body)
            self.assertEqual(r.status, status, (body, r))
            self.assertIn(field, r.field_errors(), (body, r))
        org01 = login(SERVER, "org01")
        r = org01.post("/api/v1/activities", self.meeting(b, attendees=[{"member_id": other, "status": "present"}]))
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"attendees[0].member_id": "unknown"})
        self.assertEqual(self.count("/api/v1/activities"), before)

    def test_compliance_stats_and_rules(self):
        comp = self.admin.get("/api/v1/compliance?period=2026Q1")
        self.assertEqual(comp.status, 200)
        body = comp.json()
        self.assertEqual(len(body["organizations"]), self.count("/api/v1/orgs"))
        self.assertGreater(body["summary"]["met"], 1000)
        self.assertGreater(body["summary"]["missed"], 0)  # the demo has gaps
        self.assertIsNotNone(body["summary"]["rate"])
        summary = self.admin.get("/api/v1/compliance?period=2026Q1&detail=summary").json()
        self.assertNotIn("people", summary)
        # The same report as a workbook: rates, to-dos and missed items, rules in words.
        book = self.admin.get("/api/v1/compliance?period=2026Q1&format=xlsx")
        self.assertEqual(book.status, 200)
        probe = subprocess.run(["/usr/bin/python3", "-c",
                                "import io, sys, openpyxl\n"
                                "wb = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read()))\n"
                                "print(wb.sheetnames, wb['未落实'].max_row - 1, wb['未落实'].cell(2, 2).value)"],
                               input=book.body_bytes, capture_output=True)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        out = probe.stdout.decode()
        self.assertIn("['落实情况', '本期待办', '未落实'] %d " % len(body["overdue"]), out)
        self.assertNotIn("_", out.split("] ")[1])  # a rule's words, not its code
        self.assertEqual(self.admin.get("/api/v1/compliance?period=2026Q1&format=pdf").field_errors(), {"format": "unknown_code"})
        self.assertNotIn("items", summary["organizations"][0])
        self.assertEqual(summary["summary"], body["summary"])
        # The dashboard's figures: the summary and a page of the open to-dos, nothing else.
        now = self.admin.get("/api/v1/compliance?period=2026Q4&detail=summary").json()
        self.assertGreater(now["todos_total"], 10)
        totals = self.admin.get("/api/v1/compliance?period=2026Q4&detail=totals&todos_page=2&todos_page_size=10")
        self.assertEqual(totals.status, 200)
        self.assertLess(len(totals.body_bytes), 8000)
        t = totals.json()
        self.assertEqual((t["summary"], t["todos_total"]), (now["summary"], now["todos_total"]))
        self.assertEqual(t["todos"], now["todos"][10:20])
        self.assertFalse({"organizations", "people", "alerts", "overdue"} & set(t))
        bad = "/api/v1/compliance?period=2026Q4&detail=totals&"
        self.assertEqual(self.admin.get(bad + "todos_page_size=1001").field_errors(), {"todos_page_size": "range"})
        self.assertEqual(self.admin.get(bad + "todos_page=0").status, 400)
        self.assertEqual(self.admin.get(bad + "todos_page=x").field_errors(), {"todos_page": "type"})
        self.assertEqual(self.admin.get(bad[:-1].replace("totals", "all")).field_errors(), {"detail": "unknown_code"})
        self.assertEqual(self.admin.get("/api/v1/compliance?period=2026Q1&detail=some").status, 400)
        stats = self.admin.get("/api/v1/stats/activities?period=2026H1").json()
        self.assertGreater(stats["by_type"]["branch_committee"]["count"], 1000)
        self.assertGreater(stats["leaders"]["count"], 100)
        self.assertGreater(stats["leaders"]["three_meetings_one_lecture"], 0)
        self.assertEqual(self.admin.get("/api/v1/compliance?period=2021Q5").status, 422)
        self.assertEqual(self.admin.get("/api/v1/compliance").status, 422)
        self.assertEqual(self.admin.get("/api/v1/stats/activities?from=2026-02-01").status, 422)
        rules = self.admin.get("/api/v1/rules").json()["items"]
        self.assertIn("branch_committee_monthly", [x["code"] for x in rules])
        org01 = login(SERVER, "org01")
        new = {"code": "theme_day_monthly", "kind": "org_count", "effective_from": "2030-01-01",
               "source": "测试", "label_zh": "主题党日", "label_en": "Theme day",
               "params": {"types": ["theme_day"], "per": "month", "min": 1, "org_types": ["branch"]}}
        self.assertEqual(org01.post("/api/v1/rules", new).status, 403)
        bad = dict(new, params={"types": ["nope"], "per": "fortnight"})
        r = self.admin.post("/api/v1/rules", bad)
        self.assertEqual(r.status, 422)
        self.assertEqual(set(r.field_errors()), {"params.types", "params.per"})
        r = self.admin.post("/api/v1/rules", new)
        self.assertEqual(r.status, 201, r)
        self.assertGreaterEqual(r.json()["version"], 2)
        r = org01.get("/api/v1/compliance?period=2026Q1&org_id=%d" % self.org02["id"])
        self.assertEqual(r.status, 422)
        own = org01.get("/api/v1/compliance?period=2026Q1").json()
        self.assertTrue(all(o["org_id"] != self.org02["id"] for o in own["organizations"]))
        below = org01.get("/api/v1/orgs/%d/hours?year=2026&below_target=true" % self.org01["id"])
        self.assertEqual(below.status, 200)
        self.assertEqual(org01.get("/api/v1/orgs/%d/hours?year=2026" % self.org02["id"]).status, 404)
        self.assertEqual(org01.get("/api/v1/orgs/%d/hours" % self.org01["id"]).status, 422)

    def test_stats_xlsx_reads_back_with_a_real_reader(self):
        import tempfile
        r = self.admin.get("/api/v1/stats/activities?period=2026H1&format=xlsx")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("content-type").startswith("application/vnd.openxmlformats"))
        self.assertIn("attachment", r.header("content-disposition"))
        stats = self.admin.get("/api/v1/stats/activities?period=2026H1").json()
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as f:
            f.write(r.body_bytes)
            f.flush()
            # openpyxl from Debian (python3-openpyxl), in Debian's interpreter.
            out = subprocess.run(["/usr/bin/python3", "-c", (
                "import json, sys, openpyxl\n"
                "wb = openpyxl.load_workbook(sys.argv[1])\n"
                "print(json.dumps({ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}))"),
                f.name], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        book = json.loads(out.stdout)
        summary = dict(book["概况"][1:])
        self.assertEqual(summary["活动次数"], stats["total"])
        self.assertEqual(summary["领导干部讲党课次数"], stats["leaders"]["lectures_given"])
        by_type = {row[0]: row for row in book["按类型"][1:]}
        self.assertEqual(by_type["主题党日"][1], stats["by_type"]["theme_day"]["count"])
        # Every breakdown in words: no code, and a contest's kinds each by its own name.
        subtypes = [row[0] for row in book["按子类型"][1:]]
        self.assertIn("知识竞赛", subtypes)
        self.assertEqual(len(set(subtypes)), len(subtypes))
        for sheet in ("按类型", "按子类型", "按标签", "按教学方式"):
            for row in book[sheet][1:]:
                self.assertNotRegex(row[0], r"^[a-z_.]+$", (sheet, row))
        self.assertEqual(self.admin.get("/api/v1/stats/activities?period=2026H1&format=pdf").status, 400)

    def test_attachments_checked_by_content_and_served_safely(self):
        import random
        a = self.admin.post("/api/v1/activities", self.meeting(
            self.branch01, type="theme_day", started_at=_recent(2), ended_at=_recent(2, 2))).json()
        url = "/api/v1/activities/%d/attachments" % a["id"]
        r = self.admin.post(url + "?filename=合影.png", raw=PNG, headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r)
        png = r.json()
        r = self.admin.post(url + "?filename=纪要.pdf", raw=PDF, headers={"Content-Type": "application/pdf"})
        self.assertEqual(r.status, 201, r)
        got = self.admin.get(url + "/%d" % png["id"])
        self.assertEqual(got.status, 200)
        self.assertEqual(got.body_bytes, PNG)
        self.assertEqual(got.header("content-type"), "image/png")
        self.assertIn("sandbox", got.header("content-security-policy"))
        before = len(self.admin.get("/api/v1/activities/%d" % a["id"]).json()["attachments"])
        self.assertEqual(before, 2)
        html = b"<html><script>alert(1)</script></html>"
        cases = [
            (html, "image/jpeg", 422, "file"),                      # HTML named as a photo
            (PNG, "image/jpeg", 422, "file"),                       # the wrong claimed type
            (html, "text/html", 422, "Content-Type"),
        ]
        for body, ctype, status, field in cases:
            r = self.admin.post(url + "?filename=x", raw=body, headers={"Content-Type": ctype})
            self.assertEqual(r.status, status, (ctype, r))
            self.assertIn(field, r.field_errors())
        big = b"\xff\xd8\xff" + bytes(random.getrandbits(8) for _ in range(1024)) * (11 * 1024)
        reply = raw_post(url + "?filename=big.jpg", self.admin.token, "image/jpeg", big)
        self.assertTrue(reply.startswith("HTTP/1.1 413"), reply[:100])
        self.assertEqual(len(self.admin.get("/api/v1/activities/%d" % a["id"]).json()["attachments"]), 2)
        org02 = login(SERVER, "org02")
        self.assertEqual(org02.get(url + "/%d" % png["id"]).status, 404)
        self.assertEqual(org02.post(url + "?filename=x.png", raw=PNG, headers={"Content-Type": "image/png"}).status, 404)
        self.assertEqual(self.admin.delete(url + "/%d" % png["id"]).status, 204)
        self.assertEqual(self.admin.get(url + "/%d" % png["id"]).status, 404)

    def test_member_sees_own_hours_only(self):
        me = login(SERVER, "member01")
        my_id = me.get("/api/v1/auth/me").json()["member_id"]
        mine = me.get("/api/v1/members/%d/hours?year=2026" % my_id)
        self.assertEqual(mine.status, 200)
        self.assertIn("target", mine.json())
        self.assertEqual(me.get("/api/v1/members/%d/hours?year=2026" % (my_id + 1)).status, 404)


def _shanghai(minutes_from_now=0, days=0):
    import datetime
    t = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    t += datetime.timedelta(minutes=minutes_from_now, days=days)
    return t.replace(microsecond=0).isoformat()


class Training(Base):
    """Classes, quotas, enrolment, rotating-QR check-in, completion, certificates."""

    def new_class(self, **over):
        # From an hour ago's date: sessions begin up to 20 minutes back, which
        # just after midnight in Shanghai is yesterday.
        body = {"org_id": 1, "title": "新时代党员示范班", "level": "demonstration",
                "target_groups": ["all_members"], "starts_on": _shanghai(-60)[:10],
                "ends_on": _shanghai(days=2)[:10], "capacity": 3, "venue": "党校报告厅"}
        body.update(over)
        r = self.admin.post("/api/v1/trainings", body)
        self.assertEqual(r.status, 201, r)
        return r.json()

    def test_batch_enrolment_answers_each_member(self):
        t = self.new_class(title="批量报名班", capacity=2)
        members = self.admin.get("/api/v1/members?org_id=%d&political_status=full&page_size=3"
                                 % self.branch01["id"]).json()["items"]
        batch = "/api/v1/trainings/%d/enrolments/batch" % t["id"]
        body = {"members": [{"member_id": m["id"]} for m in members] + [{"member_id": members[0]["id"]},
                                                                         {"member_id": 99999999}],
                "waitlist": True}
        r = self.admin.post(batch, body)
        self.assertEqual(r.status, 200, r)
        out = r.json()
        self.assertEqual((out["enrolled"], out["waitlisted"], out["refused"]), (2, 1, 2))
        self.assertEqual([i.get("status") for i in out["items"][:3]], ["enrolled", "enrolled", "waitlisted"])
        self.assertEqual(out["items"][3]["error"]["code"], "already_enrolled")
        self.assertEqual(out["items"][4]["error"]["code"], "unknown")
        self.assertEqual(self.admin.post(batch, {"members": []}).field_errors(), {"members": "required"})
        self.assertEqual(self.admin.post(batch, {"members": [{}]}).field_errors(), {"members[0].member_id": "required"})
        self.assertEqual(self.admin.post("/api/v1/trainings/999999/enrolments/batch", body).status, 404)

    def test_a_class_and_a_session_are_changed_and_bad_changes_refused(self):
        t = self.new_class(title="修改测试班", capacity=5)
        url = "/api/v1/trainings/%d" % t["id"]
        r = self.admin.request("PATCH", url, {"title": "修改测试班（二期）", "capacity": 6})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["title"], r.json()["capacity"], r.json()["venue"]),
                         ("修改测试班（二期）", 6, "党校报告厅"))
        self.assertEqual(self.admin.request("PATCH", url, {"capacity": "many"}).field_errors(), {"capacity": "type"})
        self.assertEqual(self.admin.request("PATCH", url, {"capacity": 0}).field_errors(), {"capacity": "range"})
        self.assertEqual(self.admin.request("PATCH", url, {"org_id": 2}).field_errors(), {"org_id": "immutable"})
        self.assertEqual(self.admin.request("PATCH", url, {"ends_on": "2000-01-01"}).field_errors(),
                         {"ends_on": "before_start"})
        self.assertEqual(self.admin.request("PATCH", url, raw="{").status, 400)
        self.assertEqual(self.admin.request("PATCH", "/api/v1/trainings/999999", {"title": "x"}).status, 404)
        self.assertEqual(login(SERVER, "org02").request("PATCH", url, {"title": "x"}).status, 404)
        self.assertEqual(login(SERVER, "member01").request("PATCH", url, {"title": "x"}).status, 403)
        self.assertEqual(self.admin.get(url).json()["title"], "修改测试班（二期）")
        start = _shanghai(days=1)[:10]
        s = self.admin.post(url + "/sessions", {"title": "专题党课", "started_at": start + "T09:00:00+08:00",
                                                "ended_at": start + "T11:00:00+08:00"})
        self.assertEqual(s.status, 201, s)
        session = url + "/sessions/%d" % s.json()["id"]
        r = self.admin.request("PATCH", session, {"title": "专题党课：二十大精神", "ended_at": start + "T11:30:00+08:00"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["title"], r.json()["hours"]), ("专题党课：二十大精神", 2.5))
        self.assertEqual(self.admin.request("PATCH", session, {"ended_at": start + "T08:00:00+08:00"}).field_errors(),
                         {"ended_at": "before_start"})
        self.assertEqual(self.admin.request("PATCH", session, {"started_at": "tomorrow"}).field_errors(),
                         {"started_at": "format"})
        self.assertEqual(self.admin.request("PATCH", url + "/sessions/999999", {"title": "x"}).status, 404)
        self.assertEqual(self.admin.request("DELETE", session).status, 204)
        self.assertEqual(self.admin.get(url).json()["sessions"], [])
        self.assertEqual(self.admin.request("DELETE", session).status, 404)
        actions = {a["action"] for a in self.admin.get("/api/v1/audit?entity_id=%d&entity=training"
                                                        % t["id"]).json()["items"]}
        self.assertTrue({"training.update", "training.session_update", "training.session_remove"} <= actions, actions)

    def test_withdraw_cancel_and_their_refusals(self):
        t = self.new_class(title="撤销测试班", capacity=1)
        members = self.admin.get("/api/v1/members?org_id=%d&political_status=full&page_size=3"
                                 % self.branch01["id"]).json()["items"]
        enrol = "/api/v1/trainings/%d/enrolments" % t["id"]
        self.assertEqual(self.admin.post(enrol, {"member_id": members[0]["id"]}).status, 201)
        self.assertEqual(self.admin.post(enrol, {"member_id": members[1]["id"], "waitlist": True}).status, 201)
        other = login(SERVER, "org02")
        self.assertEqual(other.request("DELETE", enrol + "/%d" % members[0]["id"]).status, 404)
        self.assertEqual(self.admin.request("DELETE", enrol + "/%d" % members[2]["id"]).status, 404)
        self.assertEqual(self.admin.request("DELETE", enrol + "/x").status, 400)
        r = self.admin.request("DELETE", enrol + "/%d" % members[0]["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"member_id": members[0]["id"], "promoted_member_id": members[1]["id"]})
        trail = self.admin.get("/api/v1/audit?action=training.withdraw").json()["items"][0]
        self.assertEqual(trail["after"]["promoted_member_id"], members[1]["id"])
        cancel = "/api/v1/trainings/%d" % t["id"]
        self.assertEqual(self.admin.request("DELETE", cancel).field_errors(), {"reason": "required"})
        self.assertEqual(login(SERVER, "member01").request("DELETE", cancel + "?reason=x").status, 403)
        self.assertEqual(self.admin.request("DELETE", cancel + "?reason=" + urllib.parse.quote("改期")).status, 204)
        self.assertEqual(self.admin.get(cancel).status, 404)
        self.assertEqual(self.admin.request("DELETE", cancel + "?reason=x").status, 404)
        # The calendar's counts and the directly affiliated organizations.
        days = self.admin.get("/api/v1/activities/by-day?from=2026-01-01&to=2026-01-31")
        self.assertEqual(days.status, 200)
        self.assertTrue(all(d["total"] == sum(d["by_type"].values()) for d in days.json()["items"]))
        self.assertEqual(self.admin.get("/api/v1/activities/by-day?from=2025-01-01&to=2026-06-30").field_errors(),
                         {"to": "too_long"})
        self.assertIn(self.admin.get("/api/v1/activities/by-day").status, (400, 422))
        affiliated = self.admin.get("/api/v1/orgs?depth=1&page_size=500").json()["items"]
        self.assertTrue(affiliated and all(o["depth"] == 1 for o in affiliated))
        self.assertEqual(self.admin.get("/api/v1/orgs?depth=x").field_errors(), {"depth": "type"})
        # The audit export: the trail's filters, checked like the list's.
        self.assertEqual(self.admin.get("/api/v1/audit/export.xlsx?from=2026-13-01").field_errors(), {"from": "date"})
        self.assertEqual(login(SERVER, "org01").get("/api/v1/audit/export.xlsx").status, 403)
        book = self.admin.get("/api/v1/audit/export.xlsx?action=training.withdraw")
        self.assertEqual(book.status, 200)
        self.assertEqual(book.body_bytes[:2], b"PK")

    def scan(self, qr):
        """The pass a phone gets for scanning the venue screen's code `qr`."""
        r = Client(SERVER).post("/api/v1/checkin/scan", {"session_id": qr["session_id"], "slot": qr["slot"],
                                                         "token": qr["token"]})
        self.assertEqual(r.status, 200, r)
        return r.json()["pass"]

    def session(self, tid, start_min, minutes=60, **over):
        body = {"title": "专题讲座", "started_at": _shanghai(start_min),
                "ended_at": _shanghai(start_min + minutes), "method": "lecture"}
        body.update(over)
        return self.admin.post("/api/v1/trainings/%d/sessions" % tid, body)

    def member_account(self, member_id, username):
        r = self.admin.post("/api/v1/users", {"username": username, "password": "Temp-Pass-2026",
                                              "role": "member", "org_id": self.admin.get(
                                                  "/api/v1/members/%d" % member_id).json()["org_id"],
                                              "member_id": member_id})
        self.assertEqual(r.status, 201, r)
        c = login(SERVER, username, "Temp-Pass-2026")
        self.assertEqual(c.post("/api/v1/auth/password", {"old_password": "Temp-Pass-2026",
                                                          "new_password": "Checkin-Pass-7"}).status, 204)
        return c

    def test_theory_course_first_and_session_order(self):
        t = self.new_class(title="发展对象培训班", target_groups=["development_targets"])
        r = self.session(t["id"], 60 * 24)
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"first_course": "theory_first"})
        self.assertEqual(self.session(t["id"], 60 * 24, first_course=True, required=True).status, 201)
        r = self.session(t["id"], 60 * 20)  # before the first course
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"first_course": "theory_first"})
        later = self.session(t["id"], 60 * 26, venue="党校报告厅")
        self.assertEqual(later.status, 201)
        clash = self.session(t["id"], 60 * 26 + 10, venue="党校报告厅")
        self.assertEqual(clash.status, 201)
        self.assertEqual(clash.json()["warnings"][0]["code"], "venue_busy")
        r = self.session(t["id"], 60 * 24 * 5)  # after the class ends
        self.assertEqual(r.status, 422)

    def test_quotas_enrolment_checkin_completion(self):
        me = login(SERVER, "member01")
        my_id = me.get("/api/v1/auth/me").json()["member_id"]
        my_org = self.admin.get("/api/v1/members/%d" % my_id).json()["org_id"]
        affiliated_id = int(self.admin.get("/api/v1/orgs/%d" % my_org).json()["path"].split("/")[2])
        affiliated = self.admin.get("/api/v1/orgs/%d" % affiliated_id).json()
        org_admin = login(SERVER, "org%02d" % int(affiliated["code"].split("-")[1]))
        other_aff = self.org02 if affiliated_id != self.org02["id"] else self.org01
        t = self.new_class()
        tid = t["id"]
        # Started 12 minutes ago: on time under the server's 15-minute grace (10 by default).
        s1 = self.session(tid, -12, 120, venue="报告厅A").json()
        s2 = self.session(tid, -20, 120, venue="报告厅B").json()
        s3 = self.session(tid, 60 * 24, 60).json()  # tomorrow
        quotas = "/api/v1/trainings/%d/quotas" % tid
        self.assertEqual(org_admin.request("PUT", quotas, body={"quotas": []}).status, 403)
        r = self.admin.request("PUT", quotas, body={"quotas": [
            {"org_id": affiliated_id, "seats": 2}, {"org_id": other_aff["id"], "seats": 2}]})
        self.assertEqual(r.status, 422)
        self.assertIn("quotas", r.field_errors())  # 4 seats > capacity 3
        r = self.admin.request("PUT", quotas, body={"quotas": [{"org_id": self.branch01["id"], "seats": 1}]})
        self.assertEqual(r.status, 422)
        r = self.admin.request("PUT", quotas, body={"quotas": [
            {"org_id": affiliated_id, "seats": 2}, {"org_id": other_aff["id"], "seats": 1}]})
        self.assertEqual(r.status, 200, r)
        enrol = "/api/v1/trainings/%d/enrolments" % tid
        r = org_admin.post(enrol, {"member_id": my_id})
        self.assertEqual(r.status, 201, r)
        peers = [m for m in org_admin.get("/api/v1/members?org_id=%d&political_status=full&page_size=20"
                                          % affiliated_id).json()["items"] if m["id"] != my_id]
        self.assertEqual(org_admin.post(enrol, {"member_id": peers[0]["id"]}).status, 201)
        self.assertEqual(org_admin.post(enrol, {"member_id": my_id}).status, 409)  # twice
        full = org_admin.post(enrol, {"member_id": peers[1]["id"]})
        self.assertEqual(full.status, 409)
        self.assertEqual(full.field_errors(), {"quota": "full"})
        wait = org_admin.post(enrol, {"member_id": peers[1]["id"], "waitlist": True})
        self.assertEqual((wait.status, wait.json()["status"]), (201, "waitlisted"))
        outsider = self.admin.get("/api/v1/members?org_id=%d&page_size=1" % other_aff["id"]).json()["items"][0]
        r = org_admin.post(enrol, {"member_id": outsider["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"member_id": "unknown"})
        # The enrolling administrator below the organizer sees the class and his own people only.
        self.assertIn(tid, [x["id"] for x in org_admin.get("/api/v1/trainings?page_size=500").json()["items"]])
        self.assertEqual(org_admin.get("/api/v1/trainings/%d" % tid).status, 200)
        elsewhere = [m for m in self.admin.get("/api/v1/members?org_id=%d&political_status=full&page_size=5"
                                               % other_aff["id"]).json()["items"] if m["id"] != outsider["id"]][0]
        self.assertEqual(self.admin.post(enrol, {"member_id": elsewhere["id"]}).status, 201)
        seen = {e["member_id"] for e in org_admin.get(enrol).json()["items"]}
        self.assertEqual(seen, {my_id, peers[0]["id"], peers[1]["id"]})
        self.assertIn(elsewhere["id"], {e["member_id"] for e in self.admin.get(enrol).json()["items"]})
        other_admin = login(SERVER, "org%02d" % int(other_aff["code"].split("-")[1]))
        self.assertEqual(other_admin.get("/api/v1/trainings/%d" % tid).status, 200)
        self.assertEqual({e["member_id"] for e in other_admin.get(enrol).json()["items"]}, {elsewhere["id"]})

        # The venue screen's code; the member's phone opens it while logged in.
        qr = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s1["id"])).json()
        self.assertIn("/checkin?session=%d" % s1["id"], qr["url"])
        # Without --public-url a name in Host never reaches the link; an IP address does.
        listen = "http://127.0.0.1:%d/checkin?" % SERVER.port
        for host in ("dj.example.gov.cn", "evil.example/@x", "127.0.0.1:1@evil.example"):
            named = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s1["id"]),
                                   headers={"X-Forwarded-Proto": "https", "Host": host})
            self.assertTrue(named.json()["url"].startswith(listen), (host, named.json()["url"]))
        lan = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s1["id"]),
                             headers={"Host": "192.168.1.20:8080"})
        self.assertTrue(lan.json()["url"].startswith("http://192.168.1.20:8080/checkin?"))
        proxied = Client(SERVER, self.admin.token, source="127.0.0.4").get(
            "/api/v1/trainings/%d/sessions/%d/qr" % (tid, s1["id"]),
            headers={"X-Forwarded-Proto": "https", "Host": "10.1.2.3"})
        self.assertTrue(proxied.json()["url"].startswith("https://10.1.2.3/checkin?"))
        svg = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr?format=svg" % (tid, s1["id"]))
        self.assertEqual(svg.header("content-type"), "image/svg+xml")
        self.assertTrue(svg.body.startswith("<svg"))
        png = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr?format=png" % (tid, s1["id"]))
        self.assertEqual(png.header("content-type"), "image/png")
        self.assertEqual(png.body_bytes[:8], b"\x89PNG\r\n\x1a\n")
        import struct, zlib
        width = struct.unpack(">I", png.body_bytes[16:20])[0]
        idat = png.body_bytes.index(b"IDAT")
        length = struct.unpack(">I", png.body_bytes[idat - 4:idat])[0]
        pixels = zlib.decompress(png.body_bytes[idat + 4:idat + 4 + length])
        self.assertEqual(len(pixels), width * (width + 1))  # one filter byte a row
        self.assertEqual(self.admin.get("/api/v1/trainings/%d/sessions/%d/qr?format=gif" % (tid, s1["id"])).status, 400)
        # The scanned code becomes a pass that stays in the phone's page (no login needed yet).
        anonymous = Client(SERVER)
        forged = anonymous.post("/api/v1/checkin/scan", {"session_id": s1["id"], "slot": qr["slot"], "token": "x" * 22})
        self.assertEqual((forged.status, forged.field_errors()), (422, {"token": "expired_or_forged"}))
        other = anonymous.post("/api/v1/checkin/scan", {"session_id": s2["id"], "slot": qr["slot"], "token": qr["token"]})
        self.assertEqual(other.status, 422)  # another session's token
        self.assertEqual(anonymous.post("/api/v1/checkin/scan", {"session_id": s1["id"]}).field_errors(),
                         {"slot": "required", "token": "required"})
        self.assertEqual(me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": "1.2.3.x"}).field_errors(),
                         {"pass": "expired_or_forged"})
        self.assertEqual(me.post("/api/v1/checkin", {"session_id": s1["id"]}).field_errors(), {"pass": "required"})
        my_pass = self.scan(qr)
        first = me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": my_pass},
                        headers={"Idempotency-Key": "phone-1"})
        self.assertEqual(first.status, 201, first)
        self.assertEqual(first.json()["status"], "present")
        again = me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": my_pass},
                        headers={"Idempotency-Key": "phone-1"})
        self.assertEqual(again.status, 200)
        self.assertEqual(again.json()["at"], first.json()["at"])
        # The member's own classes show the check-in on its session, and nothing on the others.
        mine = [x for x in me.get("/api/v1/my/trainings").json()["items"] if x["id"] == tid][0]
        own = {x["id"]: x["my_checkin"] for x in mine["sessions"]}
        self.assertEqual((own[s1["id"]]["status"], own[s1["id"]]["method"]), ("present", "qr"))
        self.assertIsNone(own[s2["id"]])
        # One audit row for the check-in, none for the repeat.
        trail = self.admin.get("/api/v1/audit?action=training.check_in&entity=session&entity_id=%d" % s1["id"]).json()["items"]
        self.assertEqual([(e["action"], e["after"]["member_id"], e["after"]["method"]) for e in trail],
                         [("training.check_in", my_id, "qr")])
        self.assertEqual(me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": self.scan(qr)}).status, 409)
        # The pass forwarded to an enrolled colleague checks nobody else in.
        peer = self.member_account(peers[0]["id"], "peer%d" % tid)
        fwd = peer.post("/api/v1/checkin", {"session_id": s1["id"], "pass": my_pass})
        self.assertEqual((fwd.status, fwd.field_errors()), (422, {"pass": "used"}))
        import time
        old = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s2["id"])).json()
        time.sleep(4.5)  # two slots of 2 s pass: a forwarded link or a photo of the old code is refused
        r = anonymous.post("/api/v1/checkin/scan", {"session_id": s2["id"], "slot": old["slot"], "token": old["token"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"token": "expired_or_forged"})
        # The numeric code, 20 minutes after the start: late.
        code = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s2["id"])).json()["code"]
        self.assertEqual(peer.post("/api/v1/checkin", {"session_id": s2["id"], "code": "000000" if code != "000000" else "111111"}).status, 422)
        r = peer.post("/api/v1/checkin", {"session_id": s2["id"], "code": code})
        self.assertEqual((r.status, r.json()["status"]), (201, "late"))
        tomorrow = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s3["id"])).json()
        r = me.post("/api/v1/checkin", {"session_id": s3["id"], "pass": self.scan(tomorrow)})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"session_id": "outside_window"})
        waiting = self.member_account(peers[1]["id"], "wait%d" % tid)
        wq = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (tid, s1["id"])).json()
        self.assertEqual(waiting.post("/api/v1/checkin", {"session_id": s1["id"], "pass": self.scan(wq)}).status, 403)
        # The attendance so far: the QR check-in, the waitlisted member not listed.
        att = self.admin.get("/api/v1/trainings/%d/sessions/%d/checkins" % (tid, s1["id"])).json()
        mine = [i for i in att["items"] if i["member_id"] == my_id][0]
        self.assertEqual((mine["checkin"]["status"], mine["checkin"]["method"]), ("present", "qr"))
        self.assertEqual(att["checked_in"], 1)
        self.assertEqual(att["enrolled"], len(att["items"]))
        self.assertNotIn(peers[1]["id"], [i["member_id"] for i in att["items"]])
        self.assertEqual(self.admin.get("/api/v1/trainings/%d/sessions/999999/checkins" % tid).status, 404)
        bad = self.admin.get("/api/v1/trainings/%d/sessions/x/checkins" % tid)
        self.assertEqual((bad.status, bad.field_errors()), (400, {"sid": "type"}))
        self.assertEqual(me.get("/api/v1/trainings/%d/sessions/%d/checkins" % (tid, s1["id"])).status, 403)
        # A roster mark that repeats the recorded status keeps the QR check-in and its time.
        s1_roster = "/api/v1/trainings/%d/sessions/%d/roster" % (tid, s1["id"])
        self.assertEqual(self.admin.post(s1_roster, {"checkins": [{"member_id": my_id, "status": "present"}]}).status, 200)
        again = self.admin.get("/api/v1/trainings/%d/sessions/%d/checkins" % (tid, s1["id"])).json()
        self.assertEqual([i["checkin"] for i in again["items"] if i["member_id"] == my_id], [mine["checkin"]])
        # The administrator marks the rest; completion needs 80% of the hours.
        roster = "/api/v1/trainings/%d/sessions/%d/roster" % (tid, s2["id"])
        self.assertEqual(self.admin.post(roster, {"checkins": [{"member_id": my_id, "status": "present"}]}).status, 200)
        self.assertEqual(self.admin.post(roster, {"checkins": [{"member_id": outsider["id"], "status": "present"}]}).status, 422)
        r = self.admin.post("/api/v1/trainings/%d/sessions/%d/roster" % (tid, s3["id"]),
                            {"checkins": [{"member_id": my_id, "status": "present"},
                                          {"member_id": peers[0]["id"], "status": "absent"}]})
        self.assertEqual(r.status, 200)
        done = self.admin.post("/api/v1/trainings/%d/complete" % tid).json()
        self.assertEqual((done["enrolled"], done["completed"]), (3, 1))
        rows = {e["member_id"]: e for e in self.admin.get(enrol).json()["items"]}
        serial = rows[my_id]["certificate_serial"]
        self.assertTrue(serial)
        self.assertIsNone(rows[peers[0]["id"]]["certificate_serial"])
        v = Client(SERVER).get("/verify/" + serial)
        self.assertEqual(v.status, 200)
        name = self.admin.get("/api/v1/members/%d" % my_id).json()["name"]
        self.assertEqual(v.json()["name"], name[0] + "*" * (len(name) - 1))
        self.assertEqual(v.json()["hours"], 5.0)
        self.assertEqual(Client(SERVER).get("/verify/DJ2026-NOPE").status, 404)
        hours = me.get("/api/v1/members/%d/hours?year=%s" % (my_id, _shanghai()[:4])).json()
        self.assertIn(tid, [e["source_id"] for e in hours["entries"] if e["source"] == "training"])
        mine = me.get("/api/v1/my/trainings").json()["items"]
        self.assertIn(tid, [x["id"] for x in mine])

    def test_wrong_codes_are_throttled_audited_and_say_when_to_retry(self):
        t = self.new_class(title="限流班", capacity=50)
        sess = self.session(t["id"], -5, 120).json()
        member = self.admin.get("/api/v1/members?org_id=%d&page_size=1&political_status=full"
                                % self.branch02["id"]).json()["items"][0]
        self.assertEqual(self.admin.post("/api/v1/trainings/%d/enrolments" % t["id"],
                                         {"member_id": member["id"]}).status, 201)
        phone = self.member_account(member["id"], "throttle%d" % t["id"])
        code = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (t["id"], sess["id"])).json()["code"]
        wrong = [c for c in ("000001", "000002", "000003") if c != code][0]
        answers = [phone.post("/api/v1/checkin", {"session_id": sess["id"], "code": wrong}) for _ in range(5)]
        self.assertEqual([r.status for r in answers], [422, 422, 422, 422, 429])
        retry = int(answers[-1].header("retry-after"))
        self.assertTrue(0 < retry <= 60, retry)
        self.assertIn("try again in", answers[-1].json()["detail"])
        # The right code waits too, and nothing is recorded but the refusals.
        self.assertEqual(phone.post("/api/v1/checkin", {"session_id": sess["id"], "code": code}).status, 429)
        trail = self.admin.get("/api/v1/audit?action=training.check_in_refused&entity_id=%d" % sess["id"]).json()
        self.assertEqual(trail["total"], 5)
        self.assertEqual(self.admin.get("/api/v1/audit?action=training.check_in&entity_id=%d"
                                        % sess["id"]).json()["total"], 0)
        # Someone not enrolled gets the same answer for a right and a wrong code.
        outsider = login(SERVER, "member01")
        a = outsider.post("/api/v1/checkin", {"session_id": sess["id"], "code": code})
        b = outsider.post("/api/v1/checkin", {"session_id": sess["id"], "code": wrong})
        self.assertEqual((a.status, a.json()["detail"]), (b.status, b.json()["detail"]))
        self.assertEqual(a.status, 403)

    def test_geofence_leave_delivery_and_stats(self):
        me = login(SERVER, "member01")
        my_id = me.get("/api/v1/auth/me").json()["member_id"]
        t = self.new_class(title="现场教学班", capacity=50)
        # Kunming, Dianchi: the venue; 5 km away is too far.
        s1 = self.session(t["id"], -5, 120, latitude=24.88, longitude=102.83, radius_m=300).json()
        s2 = self.session(t["id"], 60, 60).json()
        self.assertEqual(self.session(t["id"], 90, 60, latitude=24.88).status, 422)
        self.assertEqual(self.admin.post("/api/v1/trainings/%d/enrolments" % t["id"], {"member_id": my_id}).status, 201)
        # Leave asked for the session, then the member comes after all: the check-in replaces it.
        early_leave = "/api/v1/trainings/%d/sessions/%d/leave" % (t["id"], s1["id"])
        self.assertEqual(me.post(early_leave, {"reason": "可能出差"}).status, 201)
        qr = self.admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (t["id"], s1["id"])).json()
        # A fenced session: no location, or half of one, is refused with the reason.
        for partial in ({}, {"latitude": 24.88}):
            r = me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": self.scan(qr),
                                            **partial})
            self.assertEqual((r.status, r.field_errors()), (422, {"location": "required"}), (partial, r))
        far = me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": self.scan(qr),
                                          "latitude": 24.925, "longitude": 102.83})
        self.assertEqual(far.status, 422)
        self.assertEqual(far.field_errors(), {"location": "too_far"})
        near = me.post("/api/v1/checkin", {"session_id": s1["id"], "pass": self.scan(qr),
                                           "latitude": 24.8805, "longitude": 102.8302})
        self.assertEqual(near.status, 201, near)
        att = self.admin.get("/api/v1/trainings/%d/sessions/%d/checkins" % (t["id"], s1["id"])).json()
        row = [i for i in att["items"] if i["member_id"] == my_id][0]["checkin"]
        self.assertEqual((row["status"], row["method"], row["reason"]), ("present", "qr", None))
        self.assertEqual(me.post(early_leave, {"reason": "可能出差"}).status, 409)  # checked in: no leave now
        leave = "/api/v1/trainings/%d/sessions/%d/leave" % (t["id"], s2["id"])
        self.assertEqual(me.post(leave, {}).status, 422)  # a reason is required
        self.assertEqual(me.post(leave, {"reason": "就医"}).status, 201)
        self.assertEqual(me.post(leave, {"reason": "就医"}).status, 409)
        # 送学上门: only to infirm or retired members; the hours reach the ledger.
        infirm = self.admin.get("/api/v1/members?infirm=true&page_size=1").json()["items"][0]
        able = self.admin.get("/api/v1/members?infirm=false&retired=false&page_size=1").json()["items"][0]
        body = {"member_id": infirm["id"], "delivered_by": "支部书记", "delivered_on": _shanghai()[:10],
                "content": "学习党的二十大精神", "hours": 2}
        r = self.admin.post("/api/v1/home-deliveries", body)
        self.assertEqual(r.status, 201, r)
        r = self.admin.post("/api/v1/home-deliveries", dict(body, member_id=able["id"]))
        self.assertEqual((r.status, r.field_errors()), (422, {"member_id": "not_eligible"}))
        r = self.admin.post("/api/v1/home-deliveries", dict(body, hours=0))
        self.assertEqual(r.status, 422)
        year = _shanghai()[:4]
        hours = self.admin.get("/api/v1/members/%d/hours?year=%s" % (infirm["id"], year)).json()
        self.assertIn("home_delivery", [e["source"] for e in hours["entries"]])
        listed = self.admin.get("/api/v1/home-deliveries?year=%s" % year).json()
        self.assertGreaterEqual(listed["total"], 1)
        stats = self.admin.get("/api/v1/stats/trainings?period=%s" % year).json()
        self.assertGreaterEqual(stats["classes"], 1)
        self.assertGreaterEqual(stats["people_trained"], 1)
        self.assertIn("demonstration", stats["classes_by_level"])
        x = self.admin.get("/api/v1/stats/trainings?period=%s&format=xlsx" % year)
        self.assertEqual(x.status, 200)
        self.assertEqual(x.body_bytes[:2], b"PK")

    def test_plan_against_actual(self):
        year = int(_shanghai()[:4])
        t = self.new_class(title="计划内示范班")
        m = self.admin.get("/api/v1/members?political_status=full&page_size=1").json()["items"][0]
        self.assertEqual(self.admin.post("/api/v1/trainings/%d/enrolments" % t["id"], {"member_id": m["id"]}).status, 201)
        listed = self.admin.get("/api/v1/trainings?page_size=500").json()
        self.assertIn(t["title"], [x["title"] for x in listed["items"] if x["id"] == t["id"]])
        self.assertEqual(listed["total"], len(listed["items"]))
        body = {"org_id": 1, "title": "%d年度党员教育培训计划" % year, "kind": "annual",
                "from_year": year, "to_year": year,
                "targets": {"classes_by_level": {"demonstration": 4}, "people_trained": 100}}
        r = self.admin.post("/api/v1/training-plans", body)
        self.assertEqual(r.status, 201, r)
        plan = self.admin.get("/api/v1/training-plans/%d" % r.json()["id"]).json()
        rows = {x["figure"]: x for x in plan["plan_vs_actual"]}
        self.assertEqual(rows["classes_by_level.demonstration"]["target"], 4)
        self.assertGreaterEqual(rows["classes_by_level.demonstration"]["actual"], 1)
        self.assertGreaterEqual(rows["people_trained"]["actual"], 1)
        bad = dict(body, targets={"classes_by_level": {"circus": 1}, "mood": 3}, to_year=year + 1)
        r = self.admin.post("/api/v1/training-plans", bad)
        self.assertEqual(r.status, 422)
        self.assertEqual(set(r.field_errors()), {"to_year"})
        r = self.admin.post("/api/v1/training-plans", dict(body, targets={"classes_by_level": {"circus": 1}, "mood": 3}))
        self.assertEqual(set(r.field_errors()), {"targets.classes_by_level.circus", "targets.mood"})
        self.assertGreaterEqual(self.admin.get("/api/v1/training-plans").json()["total"], 1)
        self.assertEqual(login(SERVER, "org01").get("/api/v1/training-plans/%d" % plan["id"]).status, 404)

    def test_target_group_and_override(self):
        t = self.new_class(title="入党积极分子培训班", target_groups=["activists"])
        m = self.admin.get("/api/v1/members?political_status=full&page_size=1").json()["items"][0]
        enrol = "/api/v1/trainings/%d/enrolments" % t["id"]
        r = self.admin.post(enrol, {"member_id": m["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"member_id": "target_group"})
        org01 = login(SERVER, "org01")
        self.assertEqual(org01.post(enrol, {"member_id": m["id"], "override_reason": "x"}).status, 403)
        r = self.admin.post(enrol, {"member_id": m["id"], "override_reason": "支部推荐"})
        self.assertEqual(r.status, 201, r)
        activist = self.admin.get("/api/v1/members?political_status=activist&page_size=1").json()["items"][0]
        self.assertEqual(self.admin.post(enrol, {"member_id": activist["id"]}).status, 201)


class Masses(Base):
    """我为群众办实事: matters of organizations and members, their figures, bad input."""

    def test_matters_move_forward_and_are_counted(self):
        org01 = login(SERVER, "org01")
        made = org01.post("/api/v1/matters", {"org_id": self.branch01["id"], "title": "为小区加装电梯协调",
                                              "category": "livelihood", "planned_on": "2021-05-10",
                                              "beneficiaries": "幸福小区居民"})
        self.assertEqual(made.status, 201, made)
        m = made.json()
        self.assertEqual((m["status"], m["planned_by"]), ("planned", "org"))
        url = "/api/v1/matters/%d" % m["id"]
        self.assertEqual(org01.request("PATCH", url, {"status": "done"}).field_errors(), {"evidence": "required"})
        done = org01.request("PATCH", url, {"status": "done", "evidence": "加装电梯2部，惠及居民86户",
                                            "done_on": "2021-06-20"})
        self.assertEqual(done.status, 200, done)
        self.assertEqual(org01.request("PATCH", url, {"status": "planned"}).status, 409)
        self.assertEqual(org01.request("DELETE", url).status, 409)
        # A member plans his own on the phone; the organization's stay out of his list.
        me = login(SERVER, "member01")
        own = me.post("/api/v1/matters", {"title": "帮助独居老人代购药品", "category": "elderly_care",
                                          "planned_on": "2021-05-12"})
        self.assertEqual(own.status, 201, own)
        self.assertEqual(own.json()["planned_by"], "member")
        mine = me.get("/api/v1/matters?page_size=500").json()["items"]
        self.assertIn(own.json()["id"], [x["id"] for x in mine])
        self.assertEqual({x["member_id"] for x in mine}, {own.json()["member_id"]})
        self.assertEqual(me.get(url).status, 404)
        self.assertEqual(me.post("/api/v1/matters", {"org_id": self.branch01["id"], "title": "x",
                                                     "category": "other", "planned_on": "2021-05-01"}).status, 403)
        f = self.admin.get("/api/v1/matters/figures?from=2021-04-01&to=2021-06-30&org_id=%d" % self.org01["id"]).json()
        self.assertGreaterEqual(f["orgs"]["done"], 1)
        self.assertGreaterEqual(f["members"]["planned"], 1)
        self.assertEqual(f["orgs"]["planned"], sum(1 for _ in self.all_matters(self.org01["id"], "org")))
        # The trail says who did what, in words.
        trail = self.admin.get("/api/v1/audit?entity=matter&entity_id=%d" % m["id"]).json()["items"]
        self.assertEqual([t["action"] for t in trail], ["matter.update", "matter.create"])

    def test_a_photo_is_evidence_checked_by_its_content(self):
        me = login(SERVER, "member01")
        m = me.post("/api/v1/matters", {"title": "清理楼道杂物", "category": "environment",
                                        "planned_on": "2021-05-20"}).json()
        files = "/api/v1/matters/%d/files" % m["id"]
        self.assertEqual(me.post(files + "?filename=a.png", raw=PDF, headers={"Content-Type": "image/png"})
                         .field_errors(), {"file": "type_mismatch"})
        self.assertEqual(me.post(files + "?filename=a.html", raw=b"<p>x</p>", headers={"Content-Type": "text/html"})
                         .field_errors(), {"Content-Type": "unsupported"})
        self.assertEqual(login(SERVER, "org02").post(files + "?filename=a.png", raw=PNG,
                                                      headers={"Content-Type": "image/png"}).status, 404)
        r = me.post(files + "?filename=现场.png", raw=PNG, headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r)
        got = me.get(files + "/%d" % r.json()["id"])
        self.assertEqual((got.status, got.body_bytes), (200, PNG))
        self.assertIn("sandbox", got.header("content-security-policy"))
        done = me.request("PATCH", "/api/v1/matters/%d" % m["id"], {"status": "done"})
        self.assertEqual(done.status, 200, done)  # the photo is the evidence
        self.assertEqual(len(done.json()["files"]), 1)
        self.assertEqual(me.request("DELETE", files + "/%d" % r.json()["id"]).status, 409)

    def test_a_commitment_is_shown_reviewed_and_then_fixed(self):
        me = login(SERVER, "member01")
        body = {"identity": "共产党员、科员", "duty": "负责文件收发", "pledge": "全年办实事不少于2件"}
        r = me.request("PUT", "/api/v1/commitments/mine?year=2025", body)
        self.assertEqual(r.status, 200, r)
        k = r.json()
        shown = me.get("/api/v1/commitments?year=2025").json()["items"]
        self.assertIn(k["id"], [x["id"] for x in shown])
        self.assertEqual({x["org_id"] for x in shown}, {k["org_id"]})  # his organization only
        review = "/api/v1/commitments/%d/review" % k["id"]
        self.assertEqual(me.post(review, {"result": "fulfilled"}).status, 403)
        self.assertEqual(login(SERVER, "org02").post(review, {"result": "fulfilled"}).status, 404)
        self.assertEqual(self.admin.post(review, {"result": "great"}).field_errors(), {"result": "unknown_code"})
        self.assertEqual(self.admin.post(review, {"result": "fulfilled", "note": "按期兑现"}).json()["review"], "fulfilled")
        self.assertEqual(me.request("PUT", "/api/v1/commitments/mine?year=2025", body).status, 409)
        self.assertEqual(me.request("PUT", "/api/v1/commitments/mine?year=2025", dict(body, pledge="")).field_errors(),
                         {"pledge": "required"})
        self.assertEqual(me.request("PUT", "/api/v1/commitments/mine?year=1990", body).field_errors(), {"year": "range"})
        self.assertEqual(me.request("PUT", "/api/v1/commitments/mine", body).status, 422)
        self.assertEqual(self.admin.request("PUT", "/api/v1/commitments/mine?year=2025", body).status, 403)
        f = self.admin.get("/api/v1/commitments/figures?year=2025").json()
        self.assertGreaterEqual(f["fulfilled"], 1)
        self.assertGreater(f["members"], f["committed"])

    def test_the_export_opens_in_words(self):
        r = self.admin.get("/api/v1/matters/export.xlsx?org_id=%d&planned_by=org" % self.org01["id"])
        self.assertEqual(r.status, 200, r)
        probe = subprocess.run(["/usr/bin/python3", "-c",
                                "import io, sys, openpyxl\n"
                                "ws = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read())).active\n"
                                "rows = list(ws.iter_rows(values_only=True))\n"
                                "print(len(rows) - 1, '|'.join(rows[0]), rows[1][2], rows[1][5], rows[1][8])"],
                               input=r.body_bytes, capture_output=True)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        out = probe.stdout.decode().split()
        listed = self.admin.get("/api/v1/matters?org_id=%d&planned_by=org&page_size=1" % self.org01["id"]).json()
        self.assertEqual(int(out[0]), listed["total"])
        self.assertTrue(out[1].startswith("计划日期|实事名称|计划主体"))
        self.assertEqual(out[2], "党组织")
        self.assertNotRegex(out[3] + out[4], r"[a-z_]")  # category and status in words
        self.assertEqual(self.admin.get("/api/v1/matters/export.xlsx?status=x").field_errors(), {"status": "unknown_code"})
        trail = self.admin.get("/api/v1/audit?action=matter.export").json()["items"]
        self.assertTrue(trail)

    def all_matters(self, org_id, planned_by):
        page = self.admin.get("/api/v1/matters?org_id=%d&planned_by=%s&from=2021-04-01&to=2021-06-30&page_size=500"
                              % (org_id, planned_by)).json()
        return page["items"]

    def test_the_seeds_figures_from_records_entered_through_the_api(self):
        """713 matters planned by organizations (376 done) and 7,110 by members
        (3,774 done), entered one by one, give exactly the seed's figures."""
        year = "2017"
        people = self.admin.get("/api/v1/members?political_status=full&page_size=200").json()["items"]
        orgs = [self.org01, self.org02, self.branch01, self.branch02]
        categories = ("livelihood", "employment", "elderly_care", "vaccination")
        def body(i, done):
            b = {"title": "为群众办实事", "category": categories[i % 4],
                 "planned_on": "%s-%02d-%02d" % (year, 1 + i % 12, 1 + i % 28)}
            if done:
                b.update(status="done", done_on="%s-12-31" % year, evidence="已办结")
            return b
        for i in range(713):
            r = self.admin.post("/api/v1/matters", dict(body(i, i < 376), org_id=orgs[i % 4]["id"]))
            self.assertEqual(r.status, 201, r)
        for i in range(7110):
            r = self.admin.post("/api/v1/matters", dict(body(i, i < 3774), member_id=people[i % len(people)]["id"]))
            self.assertEqual(r.status, 201, r)
        f = self.admin.get("/api/v1/matters/figures?from=%s-01-01&to=%s-12-31" % (year, year)).json()
        self.assertEqual((f["orgs"]["planned"], f["orgs"]["done"]), (713, 376))
        self.assertEqual((f["members"]["planned"], f["members"]["done"]), (7110, 3774))
        vaccination = sum(1 for n in (713, 7110) for i in range(n) if categories[i % 4] == "vaccination")
        self.assertEqual(f["by_category"]["vaccination"]["planned"], vaccination)

    def test_the_demo_year_holds_the_seeds_figures(self):
        # The demo's year: the 365 days before today (tests plan theirs in 2021).
        f = self.admin.get("/api/v1/matters/figures?from=%s&to=%s"
                           % (_shanghai(days=-366)[:10], _shanghai()[:10])).json()
        self.assertEqual((f["orgs"]["planned"], f["orgs"]["done"]), (713, 376))
        self.assertEqual((f["members"]["planned"], f["members"]["done"]), (7110, 3774))
        self.assertEqual(sum(c["planned"] for c in f["by_category"].values()), 713 + 7110)

    def test_bad_input_names_the_field_and_changes_nothing(self):
        before = self.count("/api/v1/matters?page_size=1")
        url = "/api/v1/matters"
        good = {"org_id": self.branch01["id"], "title": "x", "category": "other", "planned_on": "2021-05-01"}
        self.assertEqual(self.admin.post(url, dict(good, category="nonsense")).field_errors(), {"category": "unknown_code"})
        self.assertEqual(self.admin.post(url, dict(good, planned_on="2021-02-30")).field_errors(), {"planned_on": "date"})
        self.assertEqual(self.admin.post(url, dict(good, status="finished")).field_errors(), {"status": "unknown_code"})
        self.assertEqual(self.admin.post(url, dict(good, status="done")).field_errors(), {"evidence": "required"})
        self.assertEqual(self.admin.post(url, dict(good, org_id="x")).field_errors(), {"org_id": "type"})
        self.assertEqual(self.admin.post(url, dict(good, org_id=99999999)).field_errors(), {"org_id": "unknown"})
        self.assertEqual(self.admin.post(url, dict(good, title="长" * 201)).field_errors(), {"title": "too_long"})
        self.assertEqual(self.admin.post(url, raw="{").status, 400)
        self.assertEqual(login(SERVER, "org02").post(url, good).field_errors(), {"org_id": "unknown"})
        self.assertEqual(self.admin.get("/api/v1/matters/999999").status, 404)
        self.assertEqual(self.admin.get(url + "?planned_by=someone").field_errors(), {"planned_by": "unknown_code"})
        self.assertEqual(set(self.admin.get(url + "/figures?from=2021-04-01").field_errors()), {"to"})
        self.assertEqual(self.admin.get(url + "/figures?from=2021-06-01&to=2021-04-01").field_errors(), {"to": "before_start"})
        cats = "/api/v1/matter-categories"
        self.assertEqual(self.admin.post(cats, {"code": "Bad!", "label_zh": "坏", "label_en": "Bad"}).field_errors(),
                         {"code": "format"})
        self.assertEqual(login(SERVER, "org01").post(cats, {"code": "x", "label_zh": "x", "label_en": "x"}).status, 403)
        self.assertEqual(self.count("/api/v1/matters?page_size=1"), before)


class Lifecycle(unittest.TestCase):
    """Separate servers: tampering, backups and shutdown."""

    def test_public_url_is_the_qr_link_and_is_checked(self):
        bad = subprocess.run([ARGS.server, "serve", "--public-url", "https://dj.example.gov.cn/x"],
                             capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("without a path", bad.stderr + bad.stdout)
        s = Server(ARGS.server, ARGS.backend, ["--public-url", "https://dj.example.gov.cn"]).start()
        try:
            admin = login(s, "admin")
            today = _shanghai()[:10]
            t = admin.post("/api/v1/trainings", {
                "org_id": 1, "title": "公网地址班", "level": "demonstration", "target_groups": ["all_members"],
                "starts_on": today, "ends_on": _shanghai(days=1)[:10], "capacity": 3, "venue": "党校"}).json()
            sess = admin.post("/api/v1/trainings/%d/sessions" % t["id"], {
                "title": "讲座", "started_at": _shanghai(0), "ended_at": _shanghai(60), "method": "lecture"}).json()
            qr = admin.get("/api/v1/trainings/%d/sessions/%d/qr" % (t["id"], sess["id"]),
                           headers={"Host": "evil.example"}).json()
            self.assertTrue(qr["url"].startswith("https://dj.example.gov.cn/checkin?session="), qr["url"])
        finally:
            s.cleanup()

    def test_audit_verify_catches_tampering(self):
        s = Server(ARGS.server, ARGS.backend).start()
        try:
            admin = login(s, "admin")
            for i in range(3):
                admin.patch("/api/v1/orgs/1", {"leader": "书记%d" % i})
            s.stop()
            ok = s.cli("audit", "verify")
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            self.assertIn("intact", ok.stdout)
            sql = "UPDATE audit_log SET after_json = '{\"leader\":\"forged\"}' WHERE id = 3"
            if ARGS.backend == "sqlite":
                con = sqlite3.connect(s.db_url[len("sqlite://"):])
                con.execute(sql)
                con.commit()
                con.close()
            else:
                s.psql(sql)
            bad = s.cli("audit", "verify")
            self.assertEqual(bad.returncode, 2, bad.stdout + bad.stderr)
            self.assertIn("row 3", bad.stdout)
        finally:
            s.cleanup()

    def _sql(self, s, *statements):
        if ARGS.backend == "sqlite":
            con = sqlite3.connect(s.db_url[len("sqlite://"):])
            rows = None
            for st in statements:
                rows = con.execute(st).fetchall()
            con.commit()
            con.close()
            return rows
        for st in statements:
            s.psql(st)
        return None

    def _query(self, s, sql):
        if ARGS.backend == "sqlite":
            con = sqlite3.connect(s.db_url[len("sqlite://"):])
            rows = con.execute(sql).fetchall()
            con.close()
            return [tuple(str(v) for v in r) for r in rows]
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
        out = subprocess.run(["psql", "-qAt", "-F", "|", s.db_url, "-c", sql], check=True,
                             capture_output=True, text=True, env=env).stdout
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def test_a_changed_migration_stops_the_server_naming_it(self):
        s = Server(ARGS.server, ARGS.backend)
        try:
            self.assertEqual(s.cli("migrate").returncode, 0)
            self._sql(s, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 4")
            r = subprocess.run([s.binary, "serve", "--db", s.db_url, "--key-file", s.key_file,
                                "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                               cwd=s.dir, timeout=60)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("migration 4 (training) was changed after it was applied", r.stderr)
            self.assertNotIn("listening", r.stdout)
        finally:
            s.cleanup()

    def test_a_database_from_early_texts_of_v2_and_v4_is_brought_to_shape(self):
        """Versions 2 and 4 were edited in place before checksums were kept; a
        database made by their first texts gets what they added (versions 6, 7)."""
        s = Server(ARGS.server, ARGS.backend)
        try:
            self.assertEqual(s.cli("migrate").returncode, 0)
            self.assertEqual(s.cli("demo").returncode, 0)
            totals = "SELECT member_id, year, hours_tenths FROM hour_totals ORDER BY 1, 2"
            before = self._query(s, totals)
            held = ("SELECT COUNT(*) FROM attendance t JOIN activities a ON a.id = t.activity_id "
                    "WHERE t.held_on = a.held_on")
            self.assertGreater(int(self._query(s, held)[0][0]), 1000)
            # The shape the first texts made, as a database from then has it.
            self._sql(s, "DROP INDEX attendance_member",
                      "CREATE INDEX attendance_member ON attendance(member_id)",
                      "ALTER TABLE attendance DROP COLUMN held_on",
                      "ALTER TABLE attendance DROP COLUMN org_life",
                      "ALTER TABLE attendance DROP COLUMN branch_level",
                      "DROP TABLE hour_totals",
                      "ALTER TABLE training_sessions DROP COLUMN latitude",
                      "ALTER TABLE training_sessions DROP COLUMN longitude",
                      "ALTER TABLE training_sessions DROP COLUMN radius_m",
                      "ALTER TABLE checkins DROP COLUMN reason",
                      "DROP TABLE home_deliveries",
                      # What versions after 8 made did not exist then either (newest first).
                      "ALTER TABLE works DROP COLUMN media_id",
                      "DROP TABLE course_assignments",
                      "DROP TABLE course_completions", "DROP TABLE lesson_progress",
                      "DROP TABLE lessons", "DROP TABLE courses", "DROP TABLE uploads",
                      "DROP TABLE media_files",
                      "DROP TABLE entry_scores", "DROP TABLE contest_entries", "DROP TABLE contest_judges",
                      "DROP TABLE contests", "DROP TABLE works",
                      "DROP TABLE survey_lectures", "DROP TABLE survey_responses", "DROP TABLE needs_surveys",
                      "DROP TABLE collections", "DROP TABLE fund_entries", "DROP TABLE budget_lines",
                      "DROP TABLE lecturer_ratings", "DROP INDEX training_sessions_lecturer",
                      "ALTER TABLE training_sessions DROP COLUMN lecturer_id", "DROP TABLE lecturers",
                      "DROP TABLE venue_bookings", "DROP TABLE venues", "DROP TABLE teaching_points",
                      "DROP TABLE model_items", "DROP TABLE model_plans", "DROP TABLE dual_reports",
                      "DROP TABLE community_services", "DROP TABLE community_posts",
                      "DELETE FROM users WHERE role = 'community'",
                      "ALTER TABLE users DROP COLUMN community_id",
                      "DROP TABLE community_registrations", "DROP TABLE communities",
                      "DROP TABLE matter_files", "DROP TABLE matters", "DROP TABLE matter_categories",
                      "DROP TABLE commitments",
                      "DELETE FROM schema_migrations WHERE version > 5",
                      "UPDATE schema_migrations SET checksum = NULL")
            r = s.cli("migrate")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(self._query(s, totals), before)
            total = int(self._query(s, "SELECT COUNT(*) FROM attendance")[0][0])
            self.assertEqual(int(self._query(s, held)[0][0]), total)
            life = ("SELECT COUNT(*) FROM attendance t JOIN activities a ON a.id = t.activity_id "
                    "JOIN activity_types y ON y.code = a.type WHERE t.org_life <> y.org_life")
            self.assertEqual(self._query(s, life)[0][0], "0")
            self.assertEqual(self._query(s, "SELECT COUNT(*) FROM home_deliveries")[0][0], "0")
            self._query(s, "SELECT latitude, longitude, radius_m FROM training_sessions")
            self._query(s, "SELECT reason FROM checkins")
            checked = self._query(s, "SELECT checksum FROM schema_migrations WHERE checksum IS NOT NULL")
            latest = self._query(s, "SELECT MAX(version) FROM schema_migrations")[0][0]
            self.assertEqual(len(checked), int(latest))  # every version, with its checksum
            # And the server runs on it: the member's hours read the totals.
            s.start()
            admin = login(s, "admin")
            self.assertEqual(admin.get("/api/v1/compliance?period=2026Q1").status, 200)
        finally:
            s.cleanup()

    def test_audit_verify_catches_a_change_to_any_stored_column(self):
        s = Server(ARGS.server, ARGS.backend).start()
        try:
            admin = login(s, "admin")
            for i in range(3):
                admin.patch("/api/v1/orgs/1", {"leader": "书记%d" % i})
            s.stop()
            row = self._query(s, "SELECT MAX(id) FROM audit_log WHERE action = 'org.update'")[0][0]
            forged = {"at": "at + 1", "user_id": "999", "username": "'forged'",
                      "client_ip": "'10.0.0.9'", "route": "'GET /forged'", "action": "'org.delete'",
                      "entity": "'member'", "entity_id": "'999'", "org_path": "'/9/'",
                      "before_json": "'{\"leader\":\"forged\"}'",
                      "after_json": "'{\"leader\":\"forged\"}'"}
            for column, value in forged.items():
                original = self._query(s, "SELECT %s FROM audit_log WHERE id = %s" % (column, row))[0][0]
                self._sql(s, "UPDATE audit_log SET %s = %s WHERE id = %s" % (column, value, row))
                bad = s.cli("audit", "verify")
                self.assertEqual(bad.returncode, 2, (column, bad.stdout + bad.stderr))
                self.assertIn("row %s" % row, bad.stdout, column)
                restore = "NULL" if original in ("None", "") and column == "user_id" else \
                    ("'%s'" % original.replace("'", "''") if column not in ("at", "user_id") else original)
                self._sql(s, "UPDATE audit_log SET %s = %s WHERE id = %s" % (column, restore, row))
                ok = s.cli("audit", "verify")
                self.assertEqual(ok.returncode, 0, (column, ok.stdout + ok.stderr))
        finally:
            s.cleanup()

    def test_cli_user_add_migrate_and_backup(self):
        s = Server(ARGS.server, ARGS.backend).start()
        try:
            self.assertEqual(s.cli("migrate").returncode, 0)
            weak = s.cli("user", "add", "--username", "cliuser", "--password", "weak", "--role", "auditor", "--org", "1")
            self.assertNotEqual(weak.returncode, 0)
            self.assertIn("password", weak.stderr)
            ok = s.cli("user", "add", "--username", "cliuser", "--password", "Cli-Pass-2026", "--role", "auditor", "--org", "1")
            self.assertEqual(ok.returncode, 0, ok.stderr)
            c = Client(s)
            r = c.post("/api/v1/auth/login", {"username": "cliuser", "password": "Cli-Pass-2026"})
            self.assertTrue(r.json()["must_change_password"])
            self.assertEqual(s.cli("user", "reset-password", "--username", "cliuser", "--password", "Cli-Pass-2027").returncode, 0)
            if ARGS.backend == "sqlite":
                target = os.path.join(s.dir, "backup.db")
                b = s.cli("backup", "--to", target)
                self.assertEqual(b.returncode, 0, b.stderr)
                con = sqlite3.connect(target)
                self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
                self.assertEqual(con.execute("SELECT COUNT(*) FROM members").fetchone()[0], 5500)
                con.close()
            else:
                self.assertNotEqual(s.cli("backup", "--to", "/tmp/x.db").returncode, 0)
        finally:
            s.cleanup()

    def test_sigterm_lets_in_flight_requests_finish(self):
        s = Server(ARGS.server, ARGS.backend).start()
        try:
            admin = login(s, "admin")
            results = []

            def hammer():
                c = Client(s, admin.token)
                for _ in range(200):
                    try:
                        results.append(c.get("/api/v1/members?page_size=200").status)
                    except OSError:
                        break

            t = threading.Thread(target=hammer)
            t.start()
            while len(results) < 5:
                pass
            s.proc.send_signal(signal.SIGTERM)
            t.join()
            self.assertEqual(s.proc.wait(timeout=30), 0)
            self.assertTrue(all(code == 200 for code in results), results)
        finally:
            s.cleanup()


class CommunityBase(Base):
    """Two communities of the class's own (east, west), each with an account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tag = cls.__name__.upper()[:10]
        cls.k1 = cls.admin.post("/api/v1/communities", {"code": tag + "-EAST", "name": "测试东社区" + tag,
                                                        "street": "东风街道", "district": "盘龙区", "contact": "王主任"}).json()
        cls.k2 = cls.admin.post("/api/v1/communities", {"code": tag + "-WEST", "name": "测试西社区" + tag,
                                                        "street": "西山街道", "district": "西山区"}).json()
        cls.accounts = {}
        for k in (cls.k1, cls.k2):
            name = "acct-" + k["code"].lower()
            r = cls.admin.post("/api/v1/users", {"username": name, "password": "Comm-Pass-2026",
                                                 "role": "community", "community_id": k["id"]})
            assert r.status == 201, r
            c = login(SERVER, name, "Comm-Pass-2026")
            assert c.post("/api/v1/auth/password", {"old_password": "Comm-Pass-2026",
                                                    "new_password": "Comm-Pass-2027"}).status == 204
            cls.accounts[k["id"]] = c

    def new_member(self, **over):
        r = self.admin.post("/api/v1/members", self.member_body(**over))
        self.assertEqual(r.status, 201, r)
        return r.json()

    def register(self, k, **body):
        return self.admin.post("/api/v1/community-registrations", dict(body, community_id=k["id"],
                                                                       registered_on="2021-03-01"))


class Communities(CommunityBase):
    """双报到 over HTTP: the registry, registrations confirmed by their own
    community only, a member's scan, coverage and who has not reported."""

    def test_a_community_sees_and_confirms_only_its_own(self):
        m = self.new_member()
        r = self.register(self.k1, member_id=m["id"])
        self.assertEqual(r.status, 201, r)
        reg = r.json()
        self.assertEqual((reg["status"], reg["channel"], reg["kind"]), ("pending", "admin", "member"))
        east, west = self.accounts[self.k1["id"]], self.accounts[self.k2["id"]]
        # Another community: not there for it, and its answer changes nothing.
        self.assertEqual(west.get("/api/v1/community-registrations/%d" % reg["id"]).status, 404)
        self.assertEqual(west.post("/api/v1/community-registrations/decide",
                                   {"ids": [reg["id"]], "result": "confirmed"}).field_errors(), {"ids[0]": "unknown"})
        self.assertEqual(self.admin.get("/api/v1/community-registrations/%d" % reg["id"]).json()["status"], "pending")
        own = east.get("/api/v1/community-registrations?page_size=100").json()
        self.assertEqual({x["community_id"] for x in own["items"]}, {self.k1["id"]})
        shown = [x for x in own["items"] if x["id"] == reg["id"]][0]
        self.assertRegex(shown["member_phone"], r"^139\*{4}4321$")
        self.assertNotIn("citizen_id", json.dumps(own))
        # Nothing of the tree beyond its registrations.
        for path in ("/api/v1/members?page_size=1", "/api/v1/orgs", "/api/v1/matters",
                     "/api/v1/community-registrations/coverage"):
            self.assertEqual(east.get(path).status, 403, path)
        self.assertEqual(east.get("/api/v1/members/%d" % m["id"]).status, 404)  # never "exists"
        self.assertEqual(east.get("/api/v1/communities").json()["total"], 1)
        d = east.post("/api/v1/community-registrations/decide", {"ids": [reg["id"]], "result": "confirmed",
                                                                 "reply": "欢迎报到"})
        self.assertEqual(d.status, 200, d)
        self.assertEqual(d.json()["items"][0]["status"], "confirmed")
        self.assertEqual(east.post("/api/v1/community-registrations/decide",
                                   {"ids": [reg["id"]], "result": "rejected"}).status, 409)
        trail = self.admin.get("/api/v1/audit?action=community_registration.confirm").json()["items"]
        self.assertTrue(trail)
        # Moving home: the registration ends, and a new one is made with the other community.
        self.assertEqual(self.register(self.k2, member_id=m["id"]).field_errors(), {"member_id": "registered"})
        end = self.admin.post("/api/v1/community-registrations/%d/end" % reg["id"], {"on": "2021-08-01", "reason": "moved"})
        self.assertEqual(end.json()["ended_on"], "2021-08-01", end)
        again = self.admin.post("/api/v1/community-registrations", {"community_id": self.k2["id"], "member_id": m["id"],
                                                                    "registered_on": "2021-08-01"})
        self.assertEqual(again.status, 201, again)
        history = self.admin.get("/api/v1/community-registrations?member_id=%d" % m["id"]).json()
        self.assertEqual([x["community_id"] for x in history["items"]], [self.k2["id"], self.k1["id"]])
        self.assertEqual(self.admin.get("/api/v1/community-registrations?member_id=%d&on=2021-05-01"
                                        % m["id"]).json()["items"][0]["community_id"], self.k1["id"])

    def test_a_member_reports_by_scanning_the_code(self):
        code = self.admin.get("/api/v1/communities/%d/code" % self.k2["id"]).json()["url"]
        self.assertIn("/m/report?code=", code)
        token = code.split("code=")[1]
        svg = self.accounts[self.k2["id"]].get("/api/v1/communities/%d/code?format=svg" % self.k2["id"])
        self.assertTrue(svg.body.startswith("<?xml") or "<svg" in svg.body, svg)
        self.assertEqual(self.accounts[self.k1["id"]].get("/api/v1/communities/%d/code" % self.k2["id"]).status, 404)
        me = login(SERVER, "member01")
        self.assertEqual(me.get("/api/v1/communities/scan?code=" + token).json()["name"], self.k2["name"])
        self.assertEqual(me.get("/api/v1/communities/scan?code=nope").status, 404)
        r = me.post("/api/v1/community-registrations/mine", {"code": token})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json()["channel"], r.json()["status"]), ("qr", "pending"))
        self.assertEqual(me.post("/api/v1/community-registrations/mine", {"code": token}).field_errors(),
                         {"member_id": "registered"})
        mine = me.get("/api/v1/community-registrations").json()
        self.assertEqual([x["id"] for x in mine["items"]], [r.json()["id"]])
        self.assertEqual(self.admin.post("/api/v1/community-registrations/mine", {"code": token}).status, 403)

    def test_the_demo_city_has_reported(self):
        f = self.admin.get("/api/v1/community-registrations/coverage").json()
        self.assertEqual((f["orgs"]["required"], f["orgs"]["registered"]), (47, 47))
        self.assertGreater(f["members"]["registered"], 4000)
        missing = self.admin.get("/api/v1/community-registrations/unregistered?kind=member&page_size=1").json()
        self.assertEqual(missing["total"], f["members"]["required"] - f["members"]["registered"])
        self.assertEqual(self.admin.get("/api/v1/community-registrations/unregistered?kind=org").json()["total"], 0)
        scoped = login(SERVER, "org01").get("/api/v1/community-registrations/coverage").json()
        self.assertEqual(scoped["orgs"]["required"], 1)
        self.assertLess(scoped["members"]["required"], f["members"]["required"])

    def test_bad_input_names_the_field_and_changes_nothing(self):
        before = self.count("/api/v1/community-registrations?page_size=1")
        m = self.new_member()
        url = "/api/v1/community-registrations"
        k = self.k1["id"]
        self.assertEqual(self.admin.post(url, {"community_id": k, "member_id": m["id"], "org_id": self.org01["id"]})
                         .field_errors(), {"org_id": "not_allowed"})
        self.assertEqual(self.admin.post(url, {"community_id": 999999, "member_id": m["id"]}).field_errors(),
                         {"community_id": "unknown"})
        self.assertEqual(self.admin.post(url, {"community_id": k, "member_id": 999999}).field_errors(),
                         {"member_id": "unknown"})
        self.assertEqual(self.admin.post(url, {"community_id": k, "member_id": m["id"], "registered_on": "2021-02-30"})
                         .field_errors(), {"registered_on": "date"})
        self.assertEqual(self.admin.post(url, {"community_id": "one", "member_id": m["id"]}).status, 400)
        retired = self.new_member(retired=True)
        self.assertEqual(self.admin.post(url, {"community_id": k, "member_id": retired["id"]}).field_errors(),
                         {"member_id": "not_required"})
        other = self.admin.get("/api/v1/members?org_id=%d&page_size=1" % self.org02["id"]).json()["items"][0]
        self.assertEqual(login(SERVER, "org01").post(url, {"community_id": k, "member_id": other["id"]}).field_errors(),
                         {"member_id": "unknown"})
        self.assertEqual(self.count("/api/v1/community-registrations?page_size=1"), before)
        east = self.accounts[k]
        self.assertEqual(east.post(url + "/decide", {"ids": [], "result": "confirmed"}).field_errors(), {"ids": "size"})
        self.assertEqual(east.post(url + "/decide", {"ids": ["x"], "result": "confirmed"}).status, 400)
        self.assertEqual(east.post(url + "/decide", {"ids": [5, 5], "result": "confirmed"}).field_errors(),
                         {"ids[1]": "duplicate"})
        self.assertEqual(east.post(url + "/decide", {"ids": [1], "result": "maybe"}).status, 422)
        self.assertEqual(east.post(url, {"community_id": k, "member_id": m["id"]}).status, 403)
        self.assertEqual(self.admin.post(url + "/1/end", {"on": "2021-01-01", "reason": "bored"}).status, 422)
        self.assertEqual(self.admin.get(url + "/unregistered?kind=people").field_errors(), {"kind": "unknown_code"})
        self.assertEqual(self.admin.get(url + "/coverage?on=yesterday").status, 400)
        # The registry and its accounts: the committee's.
        self.assertEqual(self.admin.post("/api/v1/communities", {"code": self.k1["code"], "name": "x", "street": "x",
                                                                 "district": "x"}).status, 409)
        self.assertEqual(self.admin.post("/api/v1/communities", {"code": "bad code", "name": "", "street": "x",
                                                                 "district": "x"}).field_errors(),
                         {"code": "format", "name": "required"})
        self.assertEqual(login(SERVER, "org01").post("/api/v1/communities", {"code": "X"}).status, 403)
        self.assertEqual(self.admin.post("/api/v1/users", {"username": "comm-x", "password": "Comm-Pass-2026",
                                                           "role": "community"}).field_errors(), {"community_id": "required"})
        self.assertEqual(self.admin.post("/api/v1/users", {"username": "comm-x", "password": "Comm-Pass-2026",
                                                           "role": "member", "org_id": self.branch01["id"],
                                                           "community_id": k}).field_errors(), {"community_id": "not_allowed"})
        self.assertEqual(login(SERVER, "org01").post("/api/v1/users", {"username": "comm-y", "password": "Comm-Pass-2026",
                                                                      "role": "community", "community_id": k}).status, 403)


class CommunityServices(CommunityBase):
    """Services to communities over HTTP: a post, sign-up, on-site check-in by
    the community's rotating code, confirmation with hours, rating, figures."""

    def member_account(self, name):
        m = self.new_member(phone="13700001111")
        r = self.admin.post("/api/v1/users", {"username": name, "password": "Serve-Pass-2026", "role": "member",
                                              "org_id": m["org_id"], "member_id": m["id"]})
        self.assertEqual(r.status, 201, r)
        c = login(SERVER, name, "Serve-Pass-2026")
        self.assertEqual(c.post("/api/v1/auth/password", {"old_password": "Serve-Pass-2026",
                                                          "new_password": "Serve-Pass-2027"}).status, 204)
        return c, m

    def post(self, **over):
        body = {"kind": "volunteer", "title": "协助社区疫苗接种", "category": "vaccination", "place": "社区卫生服务站",
                "starts_at": _shanghai(-10), "ends_at": _shanghai(60), "slots": 3, "hours": 2}
        body.update(over)
        return self.accounts[self.k1["id"]].post("/api/v1/community-posts", body)

    def test_a_post_is_served_checked_in_confirmed_and_rated(self):
        east, west = self.accounts[self.k1["id"]], self.accounts[self.k2["id"]]
        r = self.post()
        self.assertEqual(r.status, 201, r)
        x = r.json()
        self.assertEqual(x["community_id"], self.k1["id"])
        one, m1 = self.member_account("serve-one")
        two, m2 = self.member_account("serve-two")
        three, _ = self.member_account("serve-three")
        self.assertEqual(one.post("/api/v1/community-posts/%d/signup" % x["id"]).status, 201)
        self.assertEqual(one.post("/api/v1/community-posts/%d/signup" % x["id"]).field_errors(), {"post_id": "signed_up"})
        self.assertEqual(two.post("/api/v1/community-posts/%d/signup" % x["id"]).status, 201)
        listed = one.get("/api/v1/community-posts?open=true&community_id=%d" % self.k1["id"]).json()
        self.assertEqual([p["signed_up"] for p in listed["items"] if p["id"] == x["id"]], [2])
        code = east.get("/api/v1/community-posts/%d/code" % x["id"]).json()
        self.assertEqual(west.get("/api/v1/community-posts/%d/code" % x["id"]).status, 404)
        self.assertIn("/checkin?service=%d" % x["id"], code["url"])
        checkin = "/api/v1/community-posts/checkin"
        wrong = "000000" if code["code"] != "000000" else "000001"
        self.assertEqual(one.post(checkin, {"post_id": x["id"], "code": wrong}).field_errors(), {"code": "wrong"})
        self.assertEqual(three.post(checkin, {"post_id": x["id"], "code": code["code"]}).status, 403)
        r = one.post(checkin, {"post_id": x["id"], "code": code["code"]})
        self.assertEqual((r.status, r.json()["status"]), (200, "present"), r)
        # The QR: its token traded for a pass without a session, then the pass checks in.
        token = code["url"].split("token=")[1]
        scanned = Client(SERVER).post("/api/v1/community-posts/scan", {"post_id": x["id"], "slot": code["slot"], "token": token})
        self.assertEqual(scanned.status, 200, scanned)
        r = two.post(checkin, {"post_id": x["id"], "pass": scanned.json()["pass"]})
        self.assertEqual((r.status, r.json()["checkin_method"]), (200, "qr"), r)
        self.assertEqual(Client(SERVER).post("/api/v1/community-posts/scan", {"post_id": x["id"], "slot": 1, "token": token})
                         .field_errors(), {"token": "expired_or_forged"})
        mine = one.get("/api/v1/community-services").json()["items"]
        self.assertEqual([s["status"] for s in mine], ["present"])
        # Confirmed by east only, with the hours it gives; then rated by east only.
        sid = mine[0]["id"]
        self.assertEqual(west.post("/api/v1/community-services/decide", {"ids": [sid], "result": "confirmed"}).field_errors(),
                         {"ids[0]": "unknown"})
        done = east.post("/api/v1/community-services/decide", {"ids": [sid], "result": "confirmed", "hours": 1.5})
        self.assertEqual((done.status, done.json()["items"][0]["hours"]), (200, 1.5), done)
        rate = "/api/v1/community-services/%d/rating" % sid
        self.assertEqual(west.post(rate, {"rating": 5}).status, 404)
        self.assertEqual(one.post(rate, {"rating": 5}).status, 403)
        self.assertEqual(east.post(rate, {"rating": 9}).field_errors(), {"rating": "range"})
        self.assertEqual(east.post(rate, {"rating": 5, "comment": "认真负责"}).json()["rating"], 5)
        seen = self.admin.get("/api/v1/community-services?member_id=%d" % m1["id"]).json()["items"]
        self.assertEqual((seen[0]["rating"], seen[0]["rating_comment"]), (5, "认真负责"))  # it reaches his organization
        self.assertEqual(west.get("/api/v1/community-services?page_size=100").json()["total"],
                         west.get("/api/v1/community-services?community_id=%d&page_size=1" % self.k1["id"]).json()["total"])
        self.assertNotIn(sid, [s["id"] for s in west.get("/api/v1/community-services?page_size=100").json()["items"]])
        # Cancelled: who signed up and did not come hears so; no more sign-ups.
        self.assertEqual(east.post("/api/v1/community-posts/%d/cancel" % x["id"]).json()["cancelled"], True)
        self.assertEqual(three.post("/api/v1/community-posts/%d/signup" % x["id"]).field_errors(), {"post_id": "closed"})

    def test_organizations_services_counted_by_category_from_records(self):
        """The seed's 129 services by organizations, 64 of them vaccination support,
        entered through the API and confirmed by the community."""
        year = "2019"
        before = self.admin.get("/api/v1/community-services/figures?from=%s-01-01&to=%s-12-31" % (year, year)).json()
        ids = []
        for i in range(129):
            r = self.admin.post("/api/v1/community-services", {
                "community_id": self.k1["id"], "org_id": self.org01["id"] if i % 2 else self.org02["id"],
                "title": "组织党员进社区服务", "category": "vaccination" if i < 64 else "environment",
                "served_on": "%s-%02d-%02d" % (year, 1 + i % 12, 1 + i % 28), "hours": 3})
            self.assertEqual(r.status, 201, r)
            ids.append(r.json()["id"])
        east = self.accounts[self.k1["id"]]
        self.assertEqual(east.post("/api/v1/community-services/decide", {"ids": ids, "result": "confirmed"}).status, 200)
        f = self.admin.get("/api/v1/community-services/figures?from=%s-01-01&to=%s-12-31" % (year, year)).json()
        self.assertEqual(f["orgs"]["services"] - before["orgs"]["services"], 129)
        self.assertEqual(f["orgs"]["by_category"]["vaccination"] - before["orgs"]["by_category"].get("vaccination", 0), 64)
        self.assertEqual(f["members"], before["members"])
        scoped = login(SERVER, "org01").get("/api/v1/community-services/figures?from=%s-01-01&to=%s-12-31" % (year, year)).json()
        self.assertEqual(scoped["orgs"]["services"] - 0, len([i for i in range(129) if i % 2]))

    def test_members_services_and_full_coverage_from_records(self):
        """The seed's 4,472 services by members, 1,334 of them vaccination support,
        entered through the API one by one and confirmed by the communities; and
        every in-service member who has not reported registered and confirmed, so
        that coverage reads N of N."""
        year = "2018"
        people = self.admin.get("/api/v1/members?political_status=full&page_size=200").json()["items"]
        before = self.admin.get("/api/v1/community-services/figures?from=%s-01-01&to=%s-12-31" % (year, year)).json()
        ids = {self.k1["id"]: [], self.k2["id"]: []}
        for i in range(4472):
            k = self.k1["id"] if i % 3 else self.k2["id"]
            r = self.admin.post("/api/v1/community-services", {
                "community_id": k, "member_id": people[i % len(people)]["id"], "title": "到社区服务",
                "category": "vaccination" if i < 1334 else ("education", "health", "environment")[i % 3],
                "served_on": "%s-%02d-%02d" % (year, 1 + i % 12, 1 + i % 28), "hours": 1})
            self.assertEqual(r.status, 201, r)
            ids[k].append(r.json()["id"])
        for k, mine in ids.items():
            for start in range(0, len(mine), 500):
                r = self.accounts[k].post("/api/v1/community-services/decide",
                                          {"ids": mine[start:start + 500], "result": "confirmed"})
                self.assertEqual(r.status, 200, r)
        f = self.admin.get("/api/v1/community-services/figures?from=%s-01-01&to=%s-12-31" % (year, year)).json()
        self.assertEqual(f["members"]["services"] - before["members"]["services"], 4472)
        self.assertEqual(f["members"]["by_category"]["vaccination"]
                         - before["members"]["by_category"].get("vaccination", 0), 1334)
        self.assertEqual(f["orgs"], before["orgs"])
        # Everyone who must report, reported: N of N.
        missing = self.admin.get("/api/v1/community-registrations/unregistered?kind=member&page_size=500").json()["items"]
        pending = self.admin.get("/api/v1/community-registrations?kind=member&status=pending&page_size=500").json()["items"]
        made = [x["id"] for x in pending]
        for u in missing:
            if u["pending"]:
                continue
            r = self.admin.post("/api/v1/community-registrations", {"community_id": self.k1["id"], "member_id": u["member_id"]})
            self.assertEqual(r.status, 201, r)
            made.append(r.json()["id"])
        self.assertEqual(self.admin.post("/api/v1/community-registrations/decide", {"ids": made, "result": "confirmed"}).status, 200)
        c = self.admin.get("/api/v1/community-registrations/coverage").json()
        self.assertEqual(c["members"]["registered"], c["members"]["required"])
        self.assertEqual((c["orgs"]["registered"], c["orgs"]["required"]), (47, 47))

    def test_the_demo_year_holds_the_seeds_service_figures(self):
        # The demo's year ends yesterday; the other tests serve today.
        f = self.admin.get("/api/v1/community-services/figures?from=%s&to=%s"
                           % (_shanghai(days=-366)[:10], _shanghai(days=-1)[:10])).json()
        self.assertEqual((f["orgs"]["services"], f["orgs"]["by_category"]["vaccination"]), (129, 64))
        self.assertEqual((f["members"]["services"], f["members"]["by_category"]["vaccination"]), (4472, 1334))

    def test_dual_reports_are_drafted_edited_and_sent(self):
        year = _shanghai()[:4]
        me, m = self.member_account("report-one")
        url = "/api/v1/dual-reports/draft?year=" + year
        d = me.get(url).json()
        self.assertIsNone(d["id"])
        self.assertIn("尚未到社区报到", d["body"])
        reg = self.admin.post("/api/v1/community-registrations", {"community_id": self.k1["id"], "member_id": m["id"]}).json()
        self.accounts[self.k1["id"]].post("/api/v1/community-registrations/decide", {"ids": [reg["id"]], "result": "confirmed"})
        d = me.get(url).json()
        self.assertIn(self.k1["name"], d["draft"])
        saved = me.request("PUT", url, {"body": d["draft"] + "今后继续发挥作用。"})
        self.assertEqual(saved.status, 200, saved)
        rid = saved.json()["id"]
        self.assertEqual(me.post("/api/v1/dual-reports/%d/send" % rid).status, 200)
        self.assertEqual(me.request("PUT", url, {"body": "改"}).field_errors(), {"body": "sent"})
        listed = self.admin.get("/api/v1/dual-reports?year=%s&org_id=%d" % (year, m["org_id"])).json()["items"]
        self.assertIn(rid, [x["id"] for x in listed])
        self.assertEqual(login(SERVER, "org02").post("/api/v1/dual-reports/%d/send" % rid).status, 404)
        # An organization's: not without a community to send it to; bad input named.
        org = "/api/v1/dual-reports/draft?year=%s&org_id=%d" % (year, self.branch01["id"])
        o = self.admin.request("PUT", org, {"body": "本支部报告"}).json()
        self.assertEqual(self.admin.post("/api/v1/dual-reports/%d/send" % o["id"]).field_errors(), {"community_id": "required"})
        self.assertEqual(self.admin.request("PUT", org, {"body": ""}).field_errors(), {"body": "required"})
        self.assertEqual(self.admin.get("/api/v1/dual-reports/draft?year=1990").field_errors(), {"year": "range"})
        self.assertEqual(login(SERVER, "org02").get(org).field_errors(), {"org_id": "unknown"})
        self.assertEqual(self.accounts[self.k2["id"]].get("/api/v1/dual-reports?year=" + year).json()["total"], 0)

    def test_the_exports_open_in_words(self):
        for path, first, total in (
                ("/api/v1/community-registrations/export.xlsx?kind=org", "报到日期|报到主体|党组织",
                 "/api/v1/community-registrations?kind=org&page_size=1"),
                ("/api/v1/community-services/export.xlsx?kind=org&status=confirmed", "服务日期|服务内容|服务主体",
                 "/api/v1/community-services?kind=org&status=confirmed&page_size=1")):
            r = self.admin.get(path)
            self.assertEqual(r.status, 200, r)
            probe = subprocess.run(["/usr/bin/python3", "-c",
                                    "import io, sys, openpyxl\n"
                                    "ws = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read())).active\n"
                                    "rows = list(ws.iter_rows(values_only=True))\n"
                                    "print(len(rows) - 1, '|'.join(rows[0]), '|'.join(str(c) for c in rows[1]))"],
                                   input=r.body_bytes, capture_output=True)
            self.assertEqual(probe.returncode, 0, probe.stderr)
            out = probe.stdout.decode().split(" ", 2)
            self.assertEqual(int(out[0]), self.admin.get(total).json()["total"])
            self.assertTrue(out[1].startswith(first), out[1])
            self.assertNotRegex(out[2], r"\b(confirmed|pending|admin|qr|vaccination)\b")  # in words
        self.assertEqual(self.admin.get("/api/v1/community-services/export.xlsx?status=x").field_errors(),
                         {"status": "unknown_code"})
        self.assertTrue(self.admin.get("/api/v1/audit?action=community_service.export").json()["items"])

    def test_bad_service_input_names_the_field_and_changes_nothing(self):
        east = self.accounts[self.k1["id"]]
        before = self.count("/api/v1/community-services?page_size=1")
        self.assertEqual(self.post(kind="party").status, 422)
        self.assertEqual(self.post(ends_at=_shanghai(-20)).field_errors(), {"ends_at": "end_before_start"})
        self.assertEqual(self.post(slots=0).field_errors(), {"slots": "range"})
        self.assertEqual(self.post(category="nope").field_errors(), {"category": "unknown_code"})
        self.assertEqual(self.post(starts_at="tomorrow").field_errors(), {"starts_at": "datetime"})
        self.assertEqual(self.post(community_id=self.k2["id"]).field_errors(), {"community_id": "unknown"})
        self.assertEqual(login(SERVER, "org01").post("/api/v1/community-posts", {}).status, 403)
        url = "/api/v1/community-services"
        good = {"community_id": self.k1["id"], "org_id": self.org01["id"], "title": "x", "category": "other",
                "served_on": "2021-05-01"}
        self.assertEqual(self.admin.post(url, dict(good, served_on="2999-01-01")).field_errors(), {"served_on": "in_future"})
        self.assertEqual(self.admin.post(url, dict(good, member_id=1)).field_errors(), {"org_id": "not_allowed"})
        self.assertEqual(self.admin.post(url, dict(good, community_id=999999)).field_errors(), {"community_id": "unknown"})
        self.assertEqual(self.admin.post(url, dict(good, hours=25)).field_errors(), {"hours": "range"})
        self.assertEqual(self.admin.post(url, dict(good, hours="two")).status, 400)
        self.assertEqual(login(SERVER, "org01").post(url, dict(good, org_id=self.org02["id"])).field_errors(),
                         {"org_id": "unknown"})
        self.assertEqual(self.count("/api/v1/community-services?page_size=1"), before)
        self.assertEqual(east.post(url + "/decide", {"ids": [], "result": "confirmed"}).field_errors(), {"ids": "size"})
        self.assertEqual(east.post(url + "/decide", {"ids": [999999], "result": "confirmed"}).field_errors(),
                         {"ids[0]": "unknown"})
        self.assertEqual(east.post(url + "/decide", {"ids": [7, 8, 7], "result": "confirmed"}).field_errors(),
                         {"ids[2]": "duplicate"})
        self.assertEqual(east.post(url + "/999999/rating", {"rating": 3}).status, 404)
        self.assertEqual(east.post("/api/v1/community-posts/checkin", {"post_id": 1, "code": "123456"}).status, 403)
        self.assertEqual(self.admin.get(url + "/figures?from=2021-01-01").status, 422)


class ModelOrgans(Base):
    """模范机关创建 over HTTP: a plan with benchmark items, the self-assessment,
    the committee's acceptance, the figures; bad input named."""

    def plan_body(self, **over):
        body = {"org_id": self.org01["id"], "year": 2021, "title": "创建模范机关实施方案",
                "items": [{"standard": "“三会一课”制度落实", "present_state": "执行不够严格",
                           "measures": "每季度检查一次", "due_on": "2021-11-30"},
                          {"standard": "党员教育培训全覆盖", "present_state": "覆盖率92%",
                           "measures": "补训", "due_on": "2021-12-15"}]}
        body.update(over)
        return body

    def test_a_plan_is_assessed_submitted_and_accepted(self):
        org01 = login(SERVER, "org01")
        r = org01.post("/api/v1/model-plans", self.plan_body())
        self.assertEqual(r.status, 201, r)
        plan = r.json()
        self.assertEqual(org01.post("/api/v1/model-plans", self.plan_body()).field_errors(), {"year": "taken"})
        items = plan["items"]
        keep = [{k: i[k] for k in ("standard", "present_state", "measures", "due_on")} for i in items]
        changed = org01.patch("/api/v1/model-plans/%d" % plan["id"], {"items": keep + [
            {"standard": "阵地建设", "present_state": "无", "measures": "建设党员活动室", "due_on": "2021-10-01"}]})
        self.assertEqual((changed.status, len(changed.json()["items"])), (200, 3), changed)
        items = changed.json()["items"]
        submit = "/api/v1/model-plans/%d/submit" % plan["id"]
        self.assertEqual(org01.post(submit, {"self_assessment": "自评", "results": [{"item_id": items[0]["id"], "result": "met"}]})
                         .field_errors(), {"results": "incomplete"})
        self.assertEqual(org01.post(submit, {"self_assessment": "自评", "results": [{"item_id": i["id"], "result": "great"}
                                                                                 for i in items]}).status, 422)
        self.assertEqual(org01.post(submit, {"results": []}).field_errors(), {"self_assessment": "required"})
        done = org01.post(submit, {"self_assessment": "基本达标", "results": [
            {"item_id": items[0]["id"], "result": "met"}, {"item_id": items[1]["id"], "result": "partly", "note": "尚有3人未训"},
            {"item_id": items[2]["id"], "result": "met"}]})
        self.assertEqual((done.status, done.json()["status"], done.json()["items_met"]), (200, "submitted", 2), done)
        self.assertEqual(org01.patch("/api/v1/model-plans/%d" % plan["id"], {"title": "x"}).status, 409)
        review = "/api/v1/model-plans/%d/review" % plan["id"]
        self.assertEqual(org01.post(review, {"result": "accepted"}).status, 403)
        self.assertEqual(self.admin.post(review, {"result": "accepted", "note": "同意验收"}).json()["status"], "accepted")
        self.assertEqual(self.admin.post(review, {"result": "returned"}).field_errors(), {"result": "not_submitted"})
        f = self.admin.get("/api/v1/model-plans/figures?year=2021").json()
        self.assertEqual((f["orgs"], f["accepted"], f["items_met"]), (47, 1, 2))
        self.assertEqual(login(SERVER, "org02").get("/api/v1/model-plans/%d" % plan["id"]).status, 404)
        listed = self.admin.get("/api/v1/model-plans?year=2021").json()["items"]
        self.assertEqual([(x["id"], x["items_total"]) for x in listed], [(plan["id"], 3)])

    def test_bad_input_names_the_field_and_changes_nothing(self):
        before = self.admin.get("/api/v1/model-plans?year=2020").json()["total"]
        url = "/api/v1/model-plans"
        self.assertEqual(self.admin.post(url, self.plan_body(year=2020, items=[])).field_errors(), {"items": "size"})
        bad = self.plan_body(year=2020)
        bad["items"][1]["due_on"] = "2020-13-01"
        self.assertEqual(self.admin.post(url, bad).field_errors(), {"items[1].due_on": "date"})
        self.assertEqual(self.admin.post(url, self.plan_body(year=1990)).field_errors(), {"year": "range"})
        self.assertEqual(login(SERVER, "org01").post(url, self.plan_body(year=2020, org_id=self.org02["id"])).field_errors(),
                         {"org_id": "unknown"})
        self.assertEqual(self.admin.post(url, self.plan_body(year="2020")).status, 400)
        self.assertEqual(self.admin.get("/api/v1/model-plans?year=2020").json()["total"], before)


def _ahead(days, hhmm):
    """An ISO time `days` after today at HH:MM (+08:00)."""
    import datetime
    tz = datetime.timezone(datetime.timedelta(hours=8))
    d = datetime.datetime.now(tz).date() + datetime.timedelta(days=days)
    return "%sT%s:00+08:00" % (d.isoformat(), hhmm)


class Resources(Base):
    """Teaching points, venues and bookings over HTTP: 200 concurrent requests
    for one slot let exactly one through; hours, capacity, approval never by
    the booker; bad input named and nothing changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.point = cls.admin.post("/api/v1/teaching-points", {
            "code": "T-FWZX", "name": "测试服务中心", "kind": "service_centre", "address": "北京路1号"}).json()
        cls.venue = cls.admin.post("/api/v1/venues", {
            "point_id": cls.point["id"], "name": "报告厅", "capacity": 200, "equipment": "投影、音响",
            "opens": "08:30", "closes": "21:00", "needs_approval": True}).json()
        cls.org01_client = login(SERVER, "org01")

    def book(self, client, day, start, end, **over):
        body = {"venue_id": self.venue["id"], "org_id": self.org01["id"], "title": "专题党课",
                "attendees": 80, "starts_at": _ahead(day, start), "ends_at": _ahead(day, end)}
        body.update(over)
        return client.post("/api/v1/venue-bookings", body)

    def test_200_concurrent_bookings_of_one_slot_let_exactly_one_through(self):
        barrier = threading.Barrier(200)
        codes = []

        def one():
            c = Client(SERVER, self.org01_client.token)
            barrier.wait()
            codes.append(self.book(c, 5, "14:00", "16:00").status)

        threads = [threading.Thread(target=one) for _ in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual((codes.count(201), codes.count(409), len(codes)), (1, 199, 200), sorted(set(codes)))
        day = _ahead(5, "00:00")[:10]
        listed = self.admin.get("/api/v1/venue-bookings?from=%s&to=%s&venue_id=%d" % (day, day, self.venue["id"])).json()
        self.assertEqual(listed["total"], 1)

    def test_a_booking_is_approved_by_the_keeper_used_and_counted(self):
        r = self.book(self.org01_client, 6, "09:00", "11:00", contact="张三")
        self.assertEqual((r.status, r.json()["status"]), (201, "pending"), r)
        b = r.json()
        clash = self.book(self.org01_client, 6, "10:00", "12:00")
        self.assertEqual((clash.status, clash.field_errors()), (409, {"starts_at": "overlap"}), clash)
        self.assertEqual(self.book(self.org01_client, 6, "11:00", "12:00").status, 201)
        decide = "/api/v1/venue-bookings/%d/decision" % b["id"]
        self.assertEqual(self.org01_client.post(decide, {"approve": True}).status, 403)
        self.assertEqual(self.admin.post(decide, {"approve": False}).field_errors(), {"reply": "required"})
        ok = self.admin.post(decide, {"approve": True, "reply": "同意"})
        self.assertEqual((ok.status, ok.json()["status"]), (200, "approved"), ok)
        own = self.book(self.admin, 7, "09:00", "10:00").json()
        refused = self.admin.post("/api/v1/venue-bookings/%d/decision" % own["id"], {"approve": True})
        self.assertEqual((refused.status, refused.field_errors()), (403, {"booked_by": "own_booking"}))
        use = self.admin.post("/api/v1/venue-bookings/%d/use" % b["id"], {"used": True})
        self.assertEqual((use.status, use.field_errors()), (409, {"ends_at": "not_ended"}))
        cancel = "/api/v1/venue-bookings/%d/cancel" % b["id"]
        self.assertEqual(login(SERVER, "org02").post(cancel, {"reason": "x"}).status, 404)
        self.assertEqual(self.org01_client.post(cancel, {}).field_errors(), {"reason": "required"})
        done = self.org01_client.post(cancel, {"reason": "改期"})
        self.assertEqual((done.status, done.json()["status"]), (200, "cancelled"))
        day = _ahead(6, "00:00")[:10]
        u = self.admin.get("/api/v1/venue-bookings/usage?from=%s&to=%s&point_id=%d" % (day, day, self.point["id"])).json()
        self.assertEqual((u["total"]["bookings"], u["total"]["approved"]), (2, 0))
        audit = self.admin.get("/api/v1/audit?entity=venue_booking&entity_id=%d" % b["id"]).json()["items"]
        self.assertEqual(sorted(e["action"] for e in audit),
                         ["venue_booking.approve", "venue_booking.cancel", "venue_booking.create"])

    def test_bad_input_names_the_field_and_changes_nothing(self):
        day = _ahead(8, "00:00")[:10]
        url = "/api/v1/venue-bookings?from=%s&to=%s" % (day, day)
        before = self.admin.get(url).json()["total"]
        c = self.org01_client
        self.assertEqual(self.book(c, 8, "07:00", "09:00").field_errors(), {"starts_at": "closed"})
        self.assertEqual(self.book(c, 8, "09:00", "10:00", attendees=201).field_errors(), {"attendees": "capacity"})
        self.assertEqual(self.book(c, -2, "09:00", "10:00").field_errors(), {"starts_at": "past"})
        self.assertEqual(self.book(c, 8, "09:00", "10:00", org_id=self.org02["id"]).field_errors(), {"org_id": "unknown"})
        self.assertEqual(self.book(c, 8, "09:00", "10:00", venue_id=999999).field_errors(), {"venue_id": "unknown"})
        self.assertEqual(self.book(c, 8, "09:00", "10:00", attendees="80").status, 400)
        self.assertEqual(self.book(c, 8, "09:00", "10:00", starts_at="明天上午").field_errors(), {"starts_at": "datetime"})
        self.assertEqual(c.post("/api/v1/venue-bookings", raw="{not json").status, 400)
        self.assertEqual(login(SERVER, "member01").post("/api/v1/venue-bookings", {}).status, 403)
        self.assertEqual(self.admin.get(url).json()["total"], before)
        self.assertEqual(self.admin.get("/api/v1/venue-bookings?from=2021-01-01&to=2021-12-31").field_errors(), {"to": "range"})
        self.assertEqual(self.admin.get("/api/v1/venue-bookings?from=2021-01-01").field_errors(), {"to": "required"})
        v = "/api/v1/venues"
        self.assertEqual(self.admin.post(v, {"point_id": self.point["id"], "name": "x", "capacity": 0}).field_errors(),
                         {"capacity": "range"})
        self.assertEqual(self.admin.post(v, {"point_id": self.point["id"], "name": "x", "capacity": 10, "opens": "9点"})
                         .field_errors(), {"opens": "time"})
        self.assertEqual(self.admin.post(v, {"point_id": 999999, "name": "x", "capacity": 10}).field_errors(),
                         {"point_id": "unknown"})
        self.assertEqual(c.post(v, {"point_id": self.point["id"], "name": "x", "capacity": 10}).status, 403)
        self.assertEqual(self.admin.post("/api/v1/teaching-points", {"code": "T-FWZX", "name": "x", "address": "y"})
                         .field_errors(), {"code": "taken"})
        self.assertEqual(self.admin.post("/api/v1/teaching-points", {"code": "T-X", "name": "x", "address": "y",
                                                                     "kind": "castle"}).status, 422)
        self.assertEqual(self.admin.delete("/api/v1/teaching-points/%d" % self.point["id"]).status, 409)
        self.assertEqual(len(self.admin.get("/api/v1/venues?point_id=%d" % self.point["id"]).json()["items"]), 1)

    def test_an_attendee_rates_the_pool_lecturer_once(self):
        import datetime
        tz = datetime.timezone(datetime.timedelta(hours=8))
        now = datetime.datetime.now(tz).replace(microsecond=0)
        lecturer = self.admin.post("/api/v1/lecturers", {"kind": "external", "name": "赵教授", "title": "教授",
                                                         "employer": "省委党校", "fields": "党史"})
        self.assertEqual(lecturer.status, 201, lecturer)
        lid = lecturer.json()["id"]
        t = self.admin.post("/api/v1/trainings", {
            "org_id": self.org01["id"], "title": "师资评价测试班", "level": "unit", "target_groups": ["all_members"],
            "starts_on": (now - datetime.timedelta(days=1)).date().isoformat(),
            "ends_on": (now + datetime.timedelta(days=1)).date().isoformat(), "capacity": 10}).json()
        s = self.admin.post("/api/v1/trainings/%d/sessions" % t["id"], {
            "title": "党史专题", "lecturer_id": lid, "started_at": (now - datetime.timedelta(hours=3)).isoformat(),
            "ended_at": (now - datetime.timedelta(hours=1)).isoformat()})
        self.assertEqual((s.status, s.json()["lecturer_name"], s.json()["lecturer_id"]), (201, "赵教授", lid), s)
        sid = s.json()["id"]
        member = login(SERVER, "member01")
        mid = member.get("/api/v1/auth/me").json()["member_id"]
        self.assertEqual(self.admin.post("/api/v1/trainings/%d/enrolments" % t["id"], {"member_id": mid}).status, 201)
        roster = self.admin.post("/api/v1/trainings/%d/sessions/%d/roster" % (t["id"], sid),
                                 {"checkins": [{"member_id": mid, "status": "present"}]})
        self.assertEqual(roster.status, 200, roster)
        pending = member.get("/api/v1/lecturer-ratings/pending").json()["items"]
        self.assertIn((sid, "赵教授"), [(x["session_id"], x["lecturer_name"]) for x in pending])
        url = "/api/v1/lecturer-ratings"
        self.assertEqual(member.post(url, {"session_id": sid, "score": "5"}).status, 400)
        self.assertEqual(member.post(url, {"session_id": sid, "score": 0}).field_errors(), {"score": "range"})
        self.assertEqual(member.post(url, {"session_id": 999999, "score": 5}).field_errors(), {"session_id": "unknown"})
        self.assertEqual(member.post(url, {"score": 5}).field_errors(), {"session_id": "required"})
        stranger = self.member_account()
        r = stranger.post(url, {"session_id": sid, "score": 1})
        self.assertEqual((r.status, r.field_errors()), (403, {"session_id": "not_attended"}))
        self.assertEqual(member.post(url, {"session_id": sid, "score": 5, "comment": "讲得透彻"}).status, 204)
        again = member.post(url, {"session_id": sid, "score": 4})
        self.assertEqual((again.status, again.field_errors()), (409, {"session_id": "rated"}))
        d = self.admin.get("/api/v1/lecturers/%d" % lid).json()
        self.assertEqual((d["sessions"], d["ratings"], d["rating"], d["scores"], d["comments"]),
                         (1, 1, 5.0, [0, 0, 0, 0, 1], [{"score": 5, "comment": "讲得透彻"}]))
        self.assertNotIn("member", json.dumps(d["comments"]))
        self.assertEqual(member.get("/api/v1/lecturers/%d" % lid).status, 404)
        self.assertEqual(member.get("/api/v1/lecturers").status, 403)

    def test_funds_never_go_below_zero_unexplained(self):
        c = self.org01_client
        r = c.post("/api/v1/budget-lines", {"org_id": self.org01["id"], "year": 2026, "title": "党员教育培训经费", "amount": 5000})
        self.assertEqual(r.status, 201, r)
        line = r.json()
        entries = "/api/v1/budget-lines/%d/entries" % line["id"]
        order = c.post(entries, {"kind": "commitment", "amount": 3000, "spent_on": "2026-04-01", "description": "培训场地租赁合同"}).json()
        paid = c.post(entries, {"amount": 2800.5, "spent_on": "2026-04-20", "description": "场地费", "commitment_id": order["id"]})
        self.assertEqual((paid.status, paid.json()["amount"]), (201, 2800.5), paid)
        over = c.post(entries, {"amount": 2500, "spent_on": "2026-05-01", "description": "教材"})
        self.assertEqual((over.status, over.field_errors()), (422, {"amount": "overdraw"}), over)
        got = self.admin.get("/api/v1/budget-lines/%d" % line["id"]).json()
        self.assertEqual((got["spent"], got["committed"], got["balance"], len(got["entries"])), (2800.5, 0, 2199.5, 2))
        forced = c.post(entries, {"amount": 2500, "spent_on": "2026-05-01", "description": "教材", "override_reason": "追加预算已报批"})
        self.assertEqual((forced.status, forced.json()["override_reason"]), (201, "追加预算已报批"), forced)
        self.assertEqual(self.admin.get("/api/v1/budget-lines/%d" % line["id"]).json()["balance"], -300.5)
        audit = self.admin.get("/api/v1/audit?entity=budget_line&entity_id=%d" % line["id"]).json()["items"]
        self.assertIn("fund_entry.overdraw", [e["action"] for e in audit])
        pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
        url = "/api/v1/fund-entries/%d/receipt?filename=%s" % (forced.json()["id"], urllib.parse.quote("发票.pdf"))
        up = c.request("POST", url, raw=pdf, headers={"Content-Type": "application/pdf"})
        self.assertEqual((up.status, up.json()["receipt"]["filename"]), (201, "发票.pdf"), up)
        fake = c.request("POST", url, raw=b"not a pdf", headers={"Content-Type": "application/pdf"})
        self.assertEqual(fake.field_errors(), {"file": "type_mismatch"})
        down = self.admin.get("/api/v1/fund-entries/%d/receipt" % forced.json()["id"])
        self.assertEqual((down.status, down.headers["content-type"]), (200, "application/pdf"))
        self.assertEqual(login(SERVER, "org02").get("/api/v1/budget-lines/%d" % line["id"]).status, 404)
        listed = self.admin.get("/api/v1/budget-lines?year=2026&org_id=%d" % self.org01["id"]).json()["items"]
        self.assertIn(line["id"], [x["id"] for x in listed])
        self.assertEqual(c.delete("/api/v1/budget-lines/%d" % line["id"]).status, 409)

    def test_bad_fund_input_names_the_field_and_changes_nothing(self):
        c = self.org01_client
        url = "/api/v1/budget-lines"
        before = self.admin.get(url + "?year=2025").json()["total"]
        body = {"org_id": self.org01["id"], "year": 2025, "title": "经费", "amount": 100}
        self.assertEqual(c.post(url, dict(body, amount="100")).status, 400)
        self.assertEqual(c.post(url, dict(body, amount=1.005)).field_errors(), {"amount": "format"})
        self.assertEqual(c.post(url, dict(body, year=1900)).field_errors(), {"year": "range"})
        self.assertEqual(c.post(url, dict(body, org_id=self.org02["id"])).field_errors(), {"org_id": "unknown"})
        self.assertEqual(c.post(url, dict(body, training_id=999999)).field_errors(), {"training_id": "unknown"})
        self.assertEqual(login(SERVER, "member01").post(url, body).status, 403)
        self.assertEqual(self.admin.get(url + "?year=2025").json()["total"], before)
        line = c.post(url, body).json()
        e = "/api/v1/budget-lines/%d/entries" % line["id"]
        self.assertEqual(c.post(e, {"kind": "gift", "amount": 1, "spent_on": "2025-01-01", "description": "x"}).status, 422)
        self.assertEqual(c.post(e, {"amount": 1, "spent_on": "2025-02-30", "description": "x"}).field_errors(), {"spent_on": "date"})
        self.assertEqual(c.post(e, {"amount": 0, "spent_on": "2025-01-01", "description": "x"}).field_errors(), {"amount": "range"})
        self.assertEqual(c.post(e, {"amount": 1, "spent_on": "2025-01-01", "description": "x", "commitment_id": 999999})
                         .field_errors(), {"commitment_id": "unknown"})
        self.assertEqual(len(self.admin.get("/api/v1/budget-lines/%d" % line["id"]).json()["entries"]), 0)

    def test_collections_are_counted_for_the_report(self):
        c = self.org01_client
        url = "/api/v1/collections"
        fig = "/api/v1/collections/figures?year=2024&org_id=%d" % self.org01["id"]
        before = self.admin.get(fig).json()
        made = [c.post(url, b) for b in (
            {"kind": "journal", "year": 2024, "title": "求是", "quantity": 120},
            {"kind": "journal", "year": 2024, "title": "云南支部生活", "quantity": 300},
            {"kind": "book_set", "year": 2024, "title": "党员教育读本", "quantity": 5},
            {"kind": "reading_room", "title": "机关职工书屋", "quantity": 1, "place": "办公楼三楼"},
            {"kind": "bookshelf", "title": "党建书架", "quantity": 12, "place": "各支部活动室"})]
        self.assertEqual([r.status for r in made], [201] * 5, made)
        self.assertIsNone(made[3].json()["year"])
        after = self.admin.get(fig).json()
        self.assertEqual([after[k] - before[k] for k in ("journal_copies", "journal_titles", "book_sets", "reading_rooms", "bookshelves")],
                         [420, 2, 5, 1, 12])
        fixed = c.patch("%s/%d" % (url, made[0].json()["id"]), {"quantity": 150})
        self.assertEqual(fixed.json()["quantity"], 150)
        self.assertEqual(login(SERVER, "org02").patch("%s/%d" % (url, made[0].json()["id"]), {"quantity": 1}).status, 404)
        self.assertEqual(c.delete("%s/%d" % (url, made[4].json()["id"])).status, 204)
        self.assertEqual(self.admin.get(fig).json()["bookshelves"], before["bookshelves"])
        listed = self.admin.get(url + "?kind=journal&year=2024&org_id=%d" % self.org01["id"]).json()["items"]
        self.assertEqual(sorted(x["title"] for x in listed if x["id"] in (made[0].json()["id"], made[1].json()["id"])), ["云南支部生活", "求是"])

    def test_bad_collection_input_names_the_field(self):
        c = self.org01_client
        url = "/api/v1/collections"
        before = self.admin.get(url + "?org_id=%d" % self.org01["id"]).json()["total"]
        self.assertEqual(c.post(url, {"kind": "journal", "title": "求是", "quantity": 10}).field_errors(), {"year": "range"})
        self.assertEqual(c.post(url, {"kind": "bookshelf", "title": "书架", "quantity": 3}).field_errors(), {"place": "required"})
        self.assertEqual(c.post(url, {"kind": "journal", "year": 2024, "title": "求是", "quantity": 0}).field_errors(), {"quantity": "range"})
        self.assertEqual(c.post(url, {"kind": "journal", "year": 2024, "title": "求是", "quantity": "10"}).status, 400)
        self.assertEqual(c.post(url, {"kind": "poster", "title": "x", "quantity": 1}).status, 422)
        self.assertEqual(c.post(url, {"kind": "journal", "year": 2024, "title": "求是", "quantity": 1,
                                      "org_id": self.org02["id"]}).field_errors(), {"org_id": "unknown"})
        self.assertEqual(self.admin.get("/api/v1/collections/figures?year=1990").field_errors(), {"year": "range"})
        self.assertEqual(self.admin.get(url + "?org_id=%d" % self.org01["id"]).json()["total"], before)

    def test_a_needs_survey_is_answered_once_anonymously_and_counted(self):
        import datetime
        day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        body = {"title": "机关大课堂需求调查", "year": day.year, "quarter": 4, "max_choices": 2, "anonymous": True,
                "topics": ["党的创新理论", "党史学习", "数字政府", "公文写作"],
                "opens_on": (day - datetime.timedelta(days=1)).isoformat(), "closes_on": (day + datetime.timedelta(days=7)).isoformat()}
        r = self.admin.post("/api/v1/needs-surveys", body)
        self.assertEqual(r.status, 201, r)
        sid = r.json()["id"]
        member = login(SERVER, "member01")
        listed = member.get("/api/v1/needs-surveys")
        self.assertEqual(listed.status, 200, listed)
        mine = [x for x in listed.json()["items"] if x["id"] == sid]
        self.assertEqual((len(mine), mine[0]["answered"]), (1, False))
        url = "/api/v1/needs-surveys/%d/answer" % sid
        self.assertEqual(member.post(url, {"choices": [0, 0]}).field_errors(), {"choices": "duplicate"})
        self.assertEqual(member.post(url, {"choices": [0, 1, 2]}).field_errors(), {"choices": "size"})
        self.assertEqual(member.post(url, {"choices": [9]}).field_errors(), {"choices[0]": "unknown"})
        self.assertEqual(member.post(url, {"choices": "0"}).status, 400)
        self.assertEqual(member.post(url, {"choices": [0, 2], "suggestion": "希望多讲案例"}).status, 204)
        again = member.post(url, {"choices": [1]})
        self.assertEqual((again.status, again.field_errors()), (409, {"survey": "answered"}))
        self.assertTrue([x for x in member.get("/api/v1/needs-surveys").json()["items"] if x["id"] == sid][0]["answered"])
        res = self.admin.get("/api/v1/needs-surveys/%d/results" % sid).json()
        self.assertEqual([t["votes"] for t in res["topics"]], [1, 0, 1, 0])
        self.assertEqual(res["suggestions"], ["希望多讲案例"])
        self.assertEqual(sum(b["responses"] for b in res["by_org"]), 1)
        self.assertEqual(member.get("/api/v1/needs-surveys/%d/results" % sid).status, 403)
        audit = self.admin.get("/api/v1/audit?entity=needs_survey&entity_id=%d" % sid).json()["items"]
        answered = [e for e in audit if e["action"] == "needs_survey.answer"]
        self.assertEqual([e["username"] for e in answered], ["anonymous"])
        self.assertEqual(self.admin.patch("/api/v1/needs-surveys/%d" % sid, {"title": "x"}).field_errors(), {"topics": "answered"})
        # The quarter's grand lecture, marked as held for the first topic.
        lectures = self.admin.get("/api/v1/activities?type=grand_lecture&page_size=1").json()["items"]
        other = self.admin.get("/api/v1/activities?type=theme_day&page_size=1").json()["items"]
        link = "/api/v1/needs-surveys/%d/lectures" % sid
        self.assertEqual(self.admin.post(link, {"topic": 0, "activity_id": other[0]["id"]}).field_errors(),
                         {"activity_id": "not_grand_lecture"})
        self.assertEqual(self.admin.post(link, {"topic": 7, "activity_id": other[0]["id"]}).field_errors(), {"topic": "unknown"})
        if lectures:
            held = self.admin.post(link, {"topic": 0, "activity_id": lectures[0]["id"]}).json()
            self.assertEqual(held["topics"][0]["lectures"][0]["activity_id"], lectures[0]["id"])

    def test_bad_survey_input_names_the_field(self):
        url = "/api/v1/needs-surveys"
        before = self.admin.get(url).json()["total"]
        body = {"title": "调查", "year": 2026, "quarter": 1, "topics": ["甲", "乙"], "opens_on": "2026-01-01", "closes_on": "2026-01-10"}
        self.assertEqual(self.admin.post(url, dict(body, topics=["甲"])).field_errors(), {"topics": "size"})
        self.assertEqual(self.admin.post(url, dict(body, topics=["甲", "甲"])).field_errors(), {"topics[1]": "duplicate"})
        self.assertEqual(self.admin.post(url, dict(body, quarter=5)).field_errors(), {"quarter": "range"})
        self.assertEqual(self.admin.post(url, dict(body, closes_on="2025-12-01")).field_errors(), {"closes_on": "before_start"})
        self.assertEqual(self.admin.post(url, dict(body, max_choices=3)).field_errors(), {"max_choices": "range"})
        self.assertEqual(self.admin.post(url, dict(body, topics="甲,乙")).status, 400)
        self.assertEqual(self.org01_client.post(url, body).status, 403)
        self.assertEqual(self.admin.get(url).json()["total"], before)
        closed = self.admin.post(url, body).json()
        r = login(SERVER, "member01").post("%s/%d/answer" % (url, closed["id"]), {"choices": [0]})
        self.assertEqual((r.status, r.field_errors()), (409, {"survey": "closed"}))

    def judge(self, name, org):
        r = self.admin.post("/api/v1/users", {"username": name, "password": "Temp-Pass-2026", "role": "org_admin", "org_id": org["id"]})
        self.assertEqual(r.status, 201, r)
        c = login(SERVER, name, "Temp-Pass-2026")
        c.post("/api/v1/auth/password", {"old_password": "Temp-Pass-2026", "new_password": "Judge-Pass-2027"})
        return c, r.json()["id"]

    def test_quality_works_are_judged_never_by_their_own_organization(self):
        w = self.org01_client.post("/api/v1/works", {"org_id": self.org01["id"], "year": 2026, "title": "初心如磐",
                                                     "kind": "micro_lecture", "authors": "张三、李四", "link": "https://example.org/v/1"})
        self.assertEqual(w.status, 201, w)
        own, own_id = self.judge("judge-own", self.org01)
        other, other_id = self.judge("judge-other", self.org02)
        k = self.admin.post("/api/v1/contests", {"name": "市直机关微党课评选", "level": "city", "year": 2026,
                                                 "categories": ["微党课", "党课视频"],
                                                 "criteria": [{"name": "思想性", "max": 40}, {"name": "艺术性", "max": 60}],
                                                 "judges": [own_id, other_id]})
        self.assertEqual(k.status, 201, k)
        kid = k.json()["id"]
        e = self.org01_client.post("/api/v1/contests/%d/entries" % kid, {"work_id": w.json()["id"], "category": "微党课"})
        self.assertEqual(e.status, 201, e)
        eid = e.json()["id"]
        self.assertEqual(self.org01_client.post("/api/v1/contests/%d/entries" % kid, {"work_id": w.json()["id"], "category": "微党课"})
                         .field_errors(), {"work_id": "taken"})
        score = "/api/v1/contest-entries/%d/score" % eid
        r = own.put(score, {"scores": [30, 50]})
        self.assertEqual((r.status, r.field_errors()), (403, {"entry": "own_organization"}))
        r = self.org01_client.put(score, {"scores": [30, 50]})
        self.assertEqual((r.status, r.field_errors()), (403, {"entry": "not_judge"}))
        self.assertEqual(other.put(score, {"scores": [50, 10]}).field_errors(), {"scores[0]": "range"})
        self.assertEqual(other.put(score, {"scores": [30]}).field_errors(), {"scores": "size"})
        self.assertEqual(other.put(score, {"scores": [30, "50"]}).status, 400)
        self.assertEqual(other.put(score, {"scores": [30, 50], "comment": "立意深刻"}).status, 204)
        self.assertEqual(other.put(score, {"scores": [32, 50]}).status, 204)  # revised
        seen = other.get("/api/v1/contests/%d" % kid).json()["entries"]
        self.assertEqual([(x["id"], x["my_scores"]) for x in seen], [(eid, [32, 50])])
        got = self.admin.get("/api/v1/contests/%d" % kid).json()["entries"][0]
        self.assertEqual((got["judged"], got["score"]), (1, 82.0))
        self.assertEqual(self.org01_client.put("/api/v1/contest-entries/%d/award" % eid, {"award": "first"}).status, 403)
        self.assertEqual(self.admin.put("/api/v1/contest-entries/%d/award" % eid, {"award": "gold"}).status, 422)
        self.assertEqual(self.admin.put("/api/v1/contest-entries/%d/award" % eid, {"award": "first"}).json()["award"], "first")
        r = other.put(score, {"scores": [40, 60]})
        self.assertEqual((r.status, r.field_errors()), (409, {"entry": "awarded"}))
        f = self.admin.get("/api/v1/works/figures?year=2026").json()
        city = [l for l in f["levels"] if l["level"] == "city"][0]
        self.assertGreaterEqual(city["awards"]["first"], 1)
        self.assertEqual(login(SERVER, "org02").get("/api/v1/contests/%d" % kid).json()["entries"], [])

    def test_bad_contest_input_names_the_field(self):
        url = "/api/v1/contests"
        before = self.admin.get(url).json()["total"]
        body = {"name": "评选", "level": "city", "year": 2026, "categories": ["微党课"], "criteria": [{"name": "思想性", "max": 40}]}
        self.assertEqual(self.admin.post(url, dict(body, level="galaxy")).status, 422)
        self.assertEqual(self.admin.post(url, dict(body, categories=[])).field_errors(), {"categories": "size"})
        self.assertEqual(self.admin.post(url, dict(body, criteria=[{"name": "x", "max": 0}])).field_errors(), {"criteria[0].max": "range"})
        self.assertEqual(self.admin.post(url, dict(body, judges=[99999999])).field_errors(), {"judges[0]": "unknown"})
        self.assertEqual(self.org01_client.post(url, body).status, 403)
        self.assertEqual(self.admin.get(url).json()["total"], before)
        self.assertEqual(self.org01_client.post("/api/v1/works", {"year": 2026, "title": "x", "kind": "opera", "authors": "y"}).status, 422)
        self.assertEqual(self.org01_client.post("/api/v1/works", {"year": 2026, "title": "x", "kind": "documentary", "authors": "y",
                                                                  "link": "javascript:alert(1)"}).field_errors(), {"link": "format"})
        k = self.admin.post(url, body).json()
        other = self.admin.post("/api/v1/works", {"org_id": self.org02["id"], "year": 2026, "title": "别人的作品", "kind": "documentary", "authors": "王五"}).json()
        self.assertEqual(self.org01_client.post("%s/%d/entries" % (url, k["id"]), {"work_id": other["id"], "category": "微党课"})
                         .field_errors(), {"work_id": "unknown"})
        self.assertEqual(self.admin.post("%s/%d/entries" % (url, k["id"]), {"work_id": other["id"], "category": "歌舞"})
                         .field_errors(), {"category": "unknown_code"})

    def test_a_session_books_its_venue_from_its_own_record(self):
        import datetime
        day = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        t = self.admin.post("/api/v1/trainings", {
            "org_id": self.org01["id"], "title": "场地测试班", "level": "unit", "target_groups": ["all_members"],
            "starts_on": (day + datetime.timedelta(days=9)).isoformat(), "ends_on": (day + datetime.timedelta(days=10)).isoformat(),
            "capacity": 30}).json()
        s = self.admin.post("/api/v1/trainings/%d/sessions" % t["id"], {
            "title": "开班式", "started_at": _ahead(9, "19:00"), "ended_at": _ahead(9, "20:30")}).json()
        r = self.org01_client.post("/api/v1/venue-bookings", {"venue_id": self.venue["id"], "session_id": s["id"]})
        self.assertEqual((r.status, r.json()["title"], r.json()["session_id"]), (201, "场地测试班·开班式", s["id"]), r)
        detail = self.admin.get("/api/v1/trainings/%d" % t["id"]).json()
        self.assertEqual(detail["sessions"][0]["venue"], "测试服务中心 报告厅")
        # An activity's record gives its times too: a past one cannot be booked; another subtree's is unknown.
        past = self.admin.get("/api/v1/activities?org_id=%d&page_size=1" % self.org01["id"]).json()["items"][0]
        self.assertEqual(self.org01_client.post("/api/v1/venue-bookings", {"venue_id": self.venue["id"], "activity_id": past["id"]})
                         .field_errors(), {"starts_at": "past"})
        self.assertEqual(login(SERVER, "org02").post("/api/v1/venue-bookings", {"venue_id": self.venue["id"], "activity_id": past["id"]})
                         .field_errors(), {"activity_id": "unknown"})
        held = self.admin.get("/api/v1/teaching-points/%d" % self.point["id"]).json()
        self.assertIn(("场地测试班", 1), [(c["title"], c["sessions"]) for c in held["classes"]])
        self.assertEqual(self.org01_client.post("/api/v1/venue-bookings", {"venue_id": self.venue["id"], "session_id": 999999})
                         .field_errors(), {"session_id": "unknown"})
        self.assertEqual(login(SERVER, "org02").post("/api/v1/venue-bookings", {"venue_id": self.venue["id"], "session_id": s["id"]})
                         .field_errors(), {"session_id": "unknown"})

    def test_bad_lecturer_input_names_the_field(self):
        url = "/api/v1/lecturers"
        before = len(self.admin.get(url).json()["items"])
        self.assertEqual(self.admin.post(url, {"kind": "castle", "name": "x"}).status, 422)
        self.assertEqual(self.admin.post(url, {"kind": "internal"}).field_errors(), {"member_id": "required"})
        self.assertEqual(self.admin.post(url, {"kind": "external"}).field_errors(), {"name": "required"})
        self.assertEqual(self.admin.post(url, {"kind": "internal", "member_id": 99999999}).field_errors(), {"member_id": "unknown"})
        self.assertEqual(self.admin.post(url, {"kind": "external", "name": "x", "user_id": 1}).field_errors(), {"user_id": "unknown"})
        self.assertEqual(self.admin.post(url, {"kind": "external", "name": "x", "point_id": 999999}).field_errors(), {"point_id": "unknown"})
        self.assertEqual(self.org01_client.post(url, {"kind": "external", "name": "x"}).status, 403)
        self.assertEqual(len(self.admin.get(url).json()["items"]), before)

    def member_account(self):
        """A member of org02 with an account of his own, who attended nothing."""
        m = self.admin.post("/api/v1/members", self.member_body(org_id=self.branch02["id"])).json()
        name = "rater%d" % m["id"]
        self.assertEqual(self.admin.post("/api/v1/users", {"username": name, "password": "Temp-Pass-2026", "role": "member",
                                                           "org_id": self.branch02["id"], "member_id": m["id"]}).status, 201)
        c = login(SERVER, name, "Temp-Pass-2026")
        c.post("/api/v1/auth/password", {"old_password": "Temp-Pass-2026", "new_password": "Rater-Pass-2027"})
        return c


def _sample_mp4(seconds=4):
    """A real H.264/AAC MP4 made by ffmpeg (the bytes)."""
    import tempfile
    path = os.path.join(tempfile.mkdtemp(prefix="dj-mp4-"), "sample.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=%d:size=320x240:rate=25" % seconds, "-f", "lavfi", "-i",
                    "sine=duration=%d" % seconds, "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", path], check=True)
    with open(path, "rb") as f:
        return f.read()


class Learning(Base):
    """Courseware over HTTP: uploads in pieces (out of order and overlapping
    refused), content and streams checked, ranges answered byte for byte
    (206, 416, If-Range, ETag, HEAD) through signed addresses, also behind
    nginx; forged progress refused; bad input named and nothing changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.video = _sample_mp4()
        cls.member = login(SERVER, "member01")
        cls.root_id = SERVER_root()
        media = cls.upload(cls.admin, cls.video, "video/mp4")
        assert media["status"] == "done", media
        cls.media = media["media"]
        course = cls.admin.post("/api/v1/courses", {
            "org_id": cls.root_id, "title": "HTTP 测试课程", "hours_tenths": 10,
            "tags": ["party_history"]}).json()
        cls.course = course
        cls.lesson = cls.admin.post("/api/v1/courses/%d/lessons" % course["id"], {
            "title": "第一讲", "kind": "video", "media_id": cls.media["id"]}).json()
        r = cls.admin.patch("/api/v1/courses/%d" % course["id"], {"status": "published"})
        assert r.status == 200, r

    @staticmethod
    def upload(client, data, media_type, piece=200000, filename="lesson.mp4"):
        u = client.post("/api/v1/uploads", {"org_id": client_org(client), "filename": filename,
                                            "media_type": media_type, "size": len(data)})
        assert u.status == 201, u
        u = u.json()
        for at in range(0, len(data), piece):
            r = client.put("/api/v1/uploads/%d?offset=%d" % (u["id"], at), raw=data[at:at + piece],
                           headers={"Content-Type": "application/octet-stream"})
            if r.status != 200:
                return r
            u = r.json()
        return u

    def play(self):
        r = self.member.post("/api/v1/my/lessons/%d/play" % self.lesson["id"])
        self.assertEqual(r.status, 200, r)
        return r.json()

    def fetch(self, url, headers=None, method="GET"):
        return Client(SERVER).request(method, url, headers=headers or {})

    def test_ranges_byte_for_byte(self):
        url = self.play()["url"]
        size = len(self.video)
        whole = self.fetch(url)
        self.assertEqual(whole.status, 200)
        self.assertEqual(whole.body_bytes, self.video)
        self.assertEqual(whole.header("accept-ranges"), "bytes")
        self.assertEqual(whole.header("content-type"), "video/mp4")
        etag = whole.header("etag")
        two = self.fetch(url, {"Range": "bytes=0-1"})
        self.assertEqual(two.status, 206)
        self.assertEqual(two.body_bytes, self.video[:2])
        self.assertEqual(two.header("content-range"), "bytes 0-1/%d" % size)
        mid = self.fetch(url, {"Range": "bytes=1000-200999"})
        self.assertEqual(mid.body_bytes, self.video[1000:201000])
        tail = self.fetch(url, {"Range": "bytes=-10"})
        self.assertEqual(tail.body_bytes, self.video[-10:])
        self.assertEqual(tail.header("content-range"), "bytes %d-%d/%d" % (size - 10, size - 1, size))
        many = "bytes=" + ",".join("%d-%d" % (i, i) for i in range(1000))
        for bad in ("bytes=%d-" % size, "bytes=9-3", "bytes=x-1", many):
            r = self.fetch(url, {"Range": bad})
            self.assertEqual(r.status, 416, bad[:40])
            self.assertEqual(r.header("content-range"), "bytes */%d" % size)
            self.assertEqual(r.field_errors(), {"Range": "unsatisfiable"})
        # If-Range: the same version gets the part, another the whole.
        self.assertEqual(self.fetch(url, {"Range": "bytes=0-1", "If-Range": etag}).status, 206)
        other = self.fetch(url, {"Range": "bytes=0-1", "If-Range": '"other"'})
        self.assertEqual(other.status, 200)
        self.assertEqual(len(other.body_bytes), size)
        self.assertEqual(self.fetch(url, {"If-None-Match": etag}).status, 304)
        head = self.fetch(url, method="HEAD")
        self.assertEqual(head.status, 200)
        self.assertEqual(int(head.header("content-length")), size)
        self.assertEqual(head.body_bytes, b"")
        # The poster frame is a JPEG of its own address.
        poster = self.fetch(self.play()["poster_url"])
        self.assertEqual(poster.status, 200)
        self.assertEqual(poster.body_bytes[:3], b"\xff\xd8\xff")

    def test_forged_or_expired_addresses_are_refused(self):
        url = self.play()["url"]
        forged = re.sub(r"sig=[0-9a-f]+", "sig=" + "0" * 32, url)
        self.assertEqual(self.fetch(forged).status, 403)
        later = re.sub(r"exp=(\d+)", lambda m: "exp=%d" % (int(m.group(1)) + 1000), url)
        self.assertEqual(self.fetch(later).status, 403)
        past = re.sub(r"exp=(\d+)", "exp=1000", url)
        self.assertEqual(self.fetch(past).status, 403)
        other = re.sub(r"/media/\d+", "/media/%d" % (self.media["id"] + 100000), url)
        self.assertEqual(self.fetch(other).status, 403)

    def test_behind_nginx(self):
        import shutil
        import tempfile
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        work = tempfile.mkdtemp(prefix="dj-nginx-")
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write("""worker_processes 1; daemon off; pid %(w)s/nginx.pid; error_log %(w)s/error.log;
events {}
http { access_log off; client_body_temp_path %(w)s; proxy_temp_path %(w)s;
  fastcgi_temp_path %(w)s; uwsgi_temp_path %(w)s; scgi_temp_path %(w)s;
  server { listen 127.0.0.1:%(p)d;
    location / { proxy_pass http://127.0.0.1:%(s)d; proxy_http_version 1.1;
      proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } } }
""" % {"w": work, "p": port, "s": SERVER.port})
        proc = subprocess.Popen([nginx, "-c", os.path.join(work, "nginx.conf"), "-p", work],
                                stderr=subprocess.DEVNULL)
        try:
            import http.client
            import time
            url = self.play()["url"]
            for _ in range(50):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    conn.request("GET", url, headers={"Range": "bytes=100-199"})
                    r = conn.getresponse()
                    break
                except OSError:
                    time.sleep(0.1)
            self.assertEqual(r.status, 206)
            self.assertEqual(r.read(), self.video[100:200])
            self.assertEqual(r.getheader("content-range"), "bytes 100-199/%d" % len(self.video))
        finally:
            proc.terminate()
            proc.wait()

    def test_uploads_bad_input(self):
        start = {"org_id": self.root_id, "filename": "a.mp4", "media_type": "video/mp4",
                 "size": len(self.video)}
        n = self.count_media()
        u = self.admin.post("/api/v1/uploads", start).json()
        put = lambda at, data: self.admin.put(  # noqa: E731
            "/api/v1/uploads/%d?offset=%s" % (u["id"], at), raw=data,
            headers={"Content-Type": "application/octet-stream"})
        r = put(1000, self.video[1000:2000])
        self.assertEqual(r.status, 409)
        self.assertEqual(r.field_errors(), {"offset": "mismatch"})
        self.assertEqual(put(0, self.video[:5000]).status, 200)
        self.assertEqual(put(4000, self.video[4000:6000]).status, 409)  # overlapping
        self.assertEqual(put("x", self.video[5000:6000]).status, 400)
        self.assertEqual(put(5000, self.video[5000:] + b"extra").status, 422)
        self.assertEqual(self.admin.get("/api/v1/uploads/%d" % u["id"]).json()["received"], 5000)
        # Another account does not see the upload.
        self.assertEqual(login(SERVER, "org01").get("/api/v1/uploads/%d" % u["id"]).status, 404)
        # Oversize, wrong types, a file that is not what it claims, a cut-off MP4.
        big = self.admin.post("/api/v1/uploads", dict(start, size=3 << 30))
        self.assertEqual(big.status, 413)
        self.assertEqual(big.field_errors(), {"size": "too_large"})
        self.assertEqual(self.admin.post("/api/v1/uploads", dict(start, media_type="text/html")).status, 422)
        self.assertEqual(self.admin.post("/api/v1/uploads", dict(start, size="big")).status, 400)
        self.assertEqual(self.admin.post("/api/v1/uploads", dict(start, filename="../x.mp4")).status, 422)
        fake = self.upload(self.admin, b"%PDF-1.4\n" + b"x" * 3000, "video/mp4")
        self.assertEqual(fake.status, 422)
        self.assertEqual(fake.field_errors(), {"file": "type_mismatch"})
        cut = self.upload(self.admin, self.video[:len(self.video) // 2], "video/mp4")
        self.assertEqual(cut.status, 422)
        self.assertEqual(cut.field_errors(), {"file": "unreadable"})
        self.assertEqual(self.count_media(), n)
        # A member uploads nothing.
        self.assertEqual(self.member.post("/api/v1/uploads", start).status, 403)

    def test_a_quality_work_keeps_its_video(self):
        """Issue 17's 精品 video: uploaded here and played by whoever sees the work or judges it."""
        org01 = login(SERVER, "org01")
        media = self.upload(org01, self.video, "video/mp4")
        self.assertEqual(media["status"], "done", media)
        import datetime
        year = datetime.date.today().year
        work = org01.post("/api/v1/works", {"org_id": self.org01["id"], "year": year, "title": "上传的微党课",
                                            "kind": "micro_lecture", "authors": "宣传组", "media_id": media["media"]["id"]})
        self.assertEqual(work.status, 201, work)
        work = work.json()
        self.assertEqual(work["media_id"], media["media"]["id"])
        video = org01.get("/api/v1/works/%d/video" % work["id"])
        self.assertEqual(video.status, 200, video)
        part = self.fetch(video.json()["url"], {"Range": "bytes=0-99"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body_bytes, self.video[:100])
        # A judge of a contest it entered sees it; another organization does not.
        judge = login(SERVER, "judge01")
        self.assertEqual(judge.get("/api/v1/works/%d/video" % work["id"]).status, 404)
        city = [k for k in self.admin.get("/api/v1/contests?year=%d" % year).json()["items"] if k["level"] == "city"][0]
        r = org01.post("/api/v1/contests/%d/entries" % city["id"], {"work_id": work["id"], "category": city["categories"][0]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["work_media_id"], media["media"]["id"])
        self.assertEqual(judge.get("/api/v1/works/%d/video" % work["id"]).status, 200)
        self.assertEqual(login(SERVER, "org02").get("/api/v1/works/%d/video" % work["id"]).status, 404)
        # Only a video of one's own organizations.
        pdf = self.upload(org01, b"%PDF-1.4\n" + b"x" * 2000, "application/pdf", filename="a.pdf")
        r = org01.patch("/api/v1/works/%d" % work["id"], {"media_id": pdf["media"]["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"media_id": "kind"})
        r = login(SERVER, "org02").post("/api/v1/works", {"year": year, "title": "x", "kind": "micro_lecture",
                                                           "authors": "x", "media_id": media["media"]["id"]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"media_id": "not_found"})

    def test_a_course_cover_shows_to_its_learners(self):
        cover = self.upload(self.admin, PNG, "image/png", filename="cover.png")
        self.assertEqual(cover["media"]["kind"], "image")
        r = self.admin.patch("/api/v1/courses/%d" % self.course["id"], {"cover_media_id": cover["media"]["id"]})
        self.assertEqual(r.status, 200, r)
        mine = {x["course"]["id"]: x for x in self.member.get("/api/v1/my/courses").json()["items"]}
        img = self.fetch(mine[self.course["id"]]["course"]["cover_url"])
        self.assertEqual((img.status, img.header("content-type"), img.body_bytes), (200, "image/png", PNG))
        self.assertIsNotNone(self.admin.get("/api/v1/courses/%d" % self.course["id"]).json()["course"]["cover_url"])

    def test_assignments_and_their_bad_input(self):
        import datetime
        base = "/api/v1/courses/%d/assignments" % self.course["id"]
        due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        a = self.admin.post(base, {"org_id": self.org01["id"], "target_groups": ["all_members"], "due_on": due})
        self.assertEqual(a.status, 201, a)
        a = a.json()
        self.assertGreater(a["assigned"], 0)
        progress = self.admin.get("/api/v1/course-assignments/%d" % a["id"]).json()
        self.assertEqual(sum(o["assigned"] for o in progress["orgs"]), a["assigned"])
        self.assertEqual(len(progress["missing"]), min(500, a["assigned"] - a["completed"]))
        n = len(self.admin.get(base).json()["items"])
        for body, field in (({"org_id": self.org01["id"], "due_on": "2001-01-01"}, "due_on"),
                            ({"org_id": self.org01["id"]}, "due_on"),
                            ({"org_id": self.org01["id"], "due_on": "soon"}, "due_on")):
            r = self.admin.post(base, body)
            self.assertEqual(r.status, 422, body)
            self.assertIn(field, r.field_errors())
        r = self.admin.post(base, {"due_on": due, "target_groups": ["everyone"]})
        self.assertEqual((r.status, list(r.field_errors())), (422, ["target_groups"]))
        self.assertEqual(self.admin.post(base, {"due_on": due, "target_groups": "all"}).status, 400)
        draft = self.admin.post("/api/v1/courses", {"org_id": self.root_id, "title": "草稿课程"}).json()
        r = self.admin.post("/api/v1/courses/%d/assignments" % draft["id"], {"org_id": self.org01["id"], "due_on": due})
        self.assertEqual(r.field_errors(), {"course_id": "not_published"})
        org01 = login(SERVER, "org01")
        unit = org01.post("/api/v1/courses", {"title": "单位课程"}).json()
        org01.post("/api/v1/courses/%d/lessons" % unit["id"], {"title": "x", "kind": "link", "url": "https://www.xuexi.cn/"})
        org01.patch("/api/v1/courses/%d" % unit["id"], {"status": "published"})
        r = self.admin.post("/api/v1/courses/%d/assignments" % unit["id"], {"org_id": self.org02["id"], "due_on": due})
        self.assertEqual(r.field_errors(), {"org_id": "outside_course"})
        org02 = login(SERVER, "org02")
        self.assertEqual(org02.get("/api/v1/course-assignments/%d" % a["id"]).status, 404)
        self.assertEqual(org02.delete("/api/v1/course-assignments/%d" % a["id"]).status, 404)
        self.assertEqual(self.member.post(base, {"due_on": due}).status, 403)
        self.assertEqual(len(self.admin.get(base).json()["items"]), n)
        # member01 (in org01's subtree) sees the date on his course.
        mine = {x["course"]["id"]: x for x in self.member.get("/api/v1/my/courses").json()["items"]}
        self.assertEqual(mine[self.course["id"]]["due_on"], due)
        self.assertEqual(self.admin.delete("/api/v1/course-assignments/%d" % a["id"]).status, 204)

    def count_media(self):
        return int(SERVER_query("SELECT COUNT(*) FROM media_files"))

    def test_progress_forged_and_real(self):
        url = "/api/v1/my/lessons/%d/progress" % self.lesson["id"]
        self.play()
        r = self.member.post(url, {"intervals": [{"start_ms": 0, "end_ms": 60000}]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"intervals": "beyond_duration"})
        r = self.member.post(url, {"intervals": [{"start_ms": 0, "end_ms": 4000}]})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"intervals": "faster_than_playback"})
        self.assertEqual(self.member.post(url, {"intervals": [{"start_ms": "0"}]}).status, 400)
        self.assertEqual(self.member.post(url, {"intervals": "all"}).status, 400)
        r = self.member.post(url, {"intervals": [{"start_ms": 0, "end_ms": 1500}], "position_ms": 1500})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["progress"]["watched_ms"], 1500)
        # The course shows it; an administrator is not a learner; another unit's lesson is not open.
        study = self.member.get("/api/v1/my/courses/%d" % self.course["id"]).json()
        self.assertEqual(study["lessons"][0]["progress"]["position_ms"], 1500)
        self.assertEqual(self.admin.post(url, {"intervals": []}).status, 403)
        self.assertEqual(self.member.post("/api/v1/my/lessons/999999/progress", {}).status, 404)
        learners = self.admin.get("/api/v1/courses/%d/learners" % self.course["id"]).json()
        self.assertGreaterEqual(learners["total"], 1)

    def test_courses_bad_input_and_scope(self):
        base = "/api/v1/courses"
        for body, field in (({"org_id": self.root_id}, "title"),
                            ({"org_id": self.root_id, "title": "x", "status": "published"}, "status"),
                            ({"org_id": self.root_id, "title": "x", "hours_tenths": -1}, "hours_tenths"),
                            ({"org_id": self.root_id, "title": "x", "cover_media_id": self.media["id"]},
                             "cover_media_id")):
            r = self.admin.post(base, body)
            self.assertEqual(r.status, 422, body)
            self.assertIn(field, r.field_errors())
        self.assertEqual(self.admin.post(base, {"title": 5}).status, 400)
        lessons = base + "/%d/lessons" % self.course["id"]
        for body, field in (({"title": "x", "kind": "video"}, "media_id"),
                            ({"title": "x", "kind": "link", "url": "ftp://x"}, "url"),
                            ({"title": "x", "kind": "audio", "media_id": self.media["id"]}, "media_id")):
            r = self.admin.post(lessons, body)
            self.assertEqual(r.status, 422, body)
            self.assertIn(field, r.field_errors())
        org02 = login(SERVER, "org02")
        self.assertEqual(org02.get(base + "/%d" % self.course["id"]).status, 404)
        self.assertEqual(org02.patch(base + "/%d" % self.course["id"], {"title": "x"}).status, 404)
        self.assertEqual(self.member.get(base).status, 403)
        # The course is open to member01 (it belongs to the committee).
        mine = self.member.get("/api/v1/my/courses").json()["items"]
        self.assertIn(self.course["id"], [x["course"]["id"] for x in mine])


def client_org(client):
    me = client.get("/api/v1/auth/me").json()
    return me.get("org_id") or SERVER_root()


def SERVER_root():
    return int(SERVER_query("SELECT id FROM orgs WHERE parent_id IS NULL"))


def SERVER_query(sql):
    if SERVER.backend == "sqlite":
        con = sqlite3.connect(SERVER.db_url[len("sqlite://"):])
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    out = subprocess.run(["psql", "-At", SERVER.db_url, "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


class Roster(Base):
    """Roster import and export, with real clients: LibreOffice, iconv, openpyxl."""

    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="dj-roster-")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text, encoding="utf-8"):
        with open(self.path(name), "wb") as f:
            f.write(text.encode(encoding) if isinstance(text, str) else text)
        return self.path(name)

    def soffice(self, *args):
        out = subprocess.run(["soffice", "-env:UserInstallation=file://" + self.path("lo-profile"),
                              "--headless", *args, "--outdir", self.dir],
                             capture_output=True, text=True, timeout=180)
        self.assertEqual(out.returncode, 0, out.stderr)

    def openpyxl(self, script, *args):
        out = subprocess.run(["/usr/bin/python3", "-c", "import json, sys, openpyxl\n" + script, *args],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def upload(self, client, data, query="", content_type="application/octet-stream"):
        if isinstance(data, str) and len(data) < 4096 and os.path.isfile(data):
            with open(data, "rb") as f:
                data = f.read()
        elif isinstance(data, str):
            data = data.encode()
        return client.post("/api/v1/members/import" + query, raw=data,
                           headers={"Content-Type": content_type})

    def rows(self, n, org_code, start):
        lines = []
        for i in range(n):
            cid = citizen_id("5301021985%02d%02d%03d" % (1 + i % 12, 1 + i % 28, start + i))
            lines.append("导入%03d,%s,正式党员,2008-07-01,%s" % (start + i, cid, org_code))
        return lines

    def count(self, client, org_id):
        return client.get("/api/v1/members?org_id=%d&page_size=1" % org_id).json()["total"]

    def test_template_opens_with_drop_downs(self):
        r = self.admin.get("/api/v1/members/import-template.xlsx")
        self.assertEqual(r.status, 200)
        book = self.openpyxl(
            "wb = openpyxl.load_workbook(sys.argv[1]); ws = wb.worksheets[0]\n"
            "print(json.dumps({'sheets': wb.sheetnames, 'header': [c.value for c in ws[1]],"
            " 'lists': sorted(dv.formula1 for dv in ws.data_validations.dataValidation)}))",
            self.write("t.xlsx", r.body_bytes))
        self.assertEqual(book["sheets"], ["党员名册", "填写说明"])
        self.assertEqual(book["header"][:6], ["姓名", "性别", "民族", "出生日期", "学历", "身份证号"])
        self.assertIn('"男,女"', book["lists"])
        # The template's own example row imports cleanly (as a dry run).
        r = self.upload(self.admin, r.body_bytes)
        self.assertEqual((r.status, r.json()["valid"], r.json()["problems"]), (200, 1, []), r)

    def test_libreoffice_xlsx_gbk_csv_and_the_same_file_twice(self):
        branch = self.branch01
        header = "姓名,身份证号,人员类别,入党日期,所在党组织"
        lines = self.rows(5, branch["code"], 100)
        self.write("lo.csv", "\n".join([header] + lines) + "\n")
        # LibreOffice Calc turns the CSV into .xlsx (citizen IDs as text, dates as real dates).
        self.soffice("--infilter=CSV:44,34,76,1,2/2", "--convert-to", "xlsx", self.path("lo.csv"))
        before = self.count(self.admin, branch["id"])
        dry = self.upload(self.admin, self.path("lo.xlsx"))
        self.assertEqual((dry.status, dry.json()["valid"], dry.json()["created"]), (200, 5, 5), dry)
        self.assertEqual(self.count(self.admin, branch["id"]), before)  # a dry run writes nothing
        done = self.upload(self.admin, self.path("lo.xlsx"), "?commit=true&filename=lo.xlsx")
        self.assertEqual((done.status, done.json()["committed"], done.json()["created"]), (200, True, 5), done)
        self.assertEqual(self.count(self.admin, branch["id"]), before + 5)
        again = self.upload(self.admin, self.path("lo.xlsx"), "?commit=true").json()
        self.assertEqual((again["created"], again["updated"], again["unchanged"]), (0, 0, 5))
        # The same people as GBK CSV (what Chinese Excel saves), made by iconv, one phone changed.
        self.write("u.csv", "\n".join([header + ",手机号"] + [lines[0] + ",13912345678"] + lines[1:]) + "\n")
        gbk = subprocess.run(["iconv", "-f", "UTF-8", "-t", "GBK", self.path("u.csv")], capture_output=True)
        self.assertEqual(gbk.returncode, 0)
        r = self.upload(self.admin, gbk.stdout, "?commit=true", "text/csv")
        self.assertEqual((r.status, r.json()["updated"], r.json()["unchanged"]), (200, 1, 4), r)
        audit = self.admin.get("/api/v1/audit?action=member.import&page_size=10").json()["items"]
        self.assertTrue(any(a["after"]["created"] == 5 for a in audit))

    def test_exports_carry_an_etag_and_revalidate_with_304(self):
        path = "/api/v1/members/export.csv?org_id=%d" % self.org01["id"]
        first = self.admin.get(path)
        tag = first.header("etag")
        self.assertTrue(tag.startswith('W/"'), first.headers)
        again = self.admin.get(path, headers={"If-None-Match": tag})
        self.assertEqual((again.status, again.body), (304, ""))
        self.assertEqual(again.header("etag"), tag)
        # A change to the records is a new file: the old tag no longer matches.
        m = self.admin.post("/api/v1/members", self.member_body(org_id=self.branch01["id"], name="标签测试"))
        self.assertEqual(m.status, 201, m)
        changed = self.admin.get(path, headers={"If-None-Match": tag})
        self.assertEqual(changed.status, 200)
        self.assertNotEqual(changed.header("etag"), tag)
        self.assertIn("标签测试", changed.body)

    def test_export_read_back_by_libreoffice_equals_the_database(self):
        branch = self.branch02
        r = self.admin.get("/api/v1/members/export.xlsx?pii=full&org_id=%d" % branch["id"])
        self.assertEqual(r.status, 200)
        self.write("export.xlsx", r.body_bytes)
        self.soffice("--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", self.path("export.xlsx"))
        import csv
        with open(self.path("export.csv"), encoding="utf-8") as f:
            table = list(csv.reader(f))
        header, rows = table[0], table[1:]
        self.assertEqual(header[:6], ["姓名", "性别", "民族", "出生日期", "学历", "身份证号"])
        members = self.admin.get("/api/v1/members?org_id=%d&page_size=500" % branch["id"]).json()["items"]
        self.assertEqual(len(rows), len(members))
        # The list shows masked values; the full export holds the full ones.
        by_id = {(m["name"], m["citizen_id"]): m for m in members}
        for row in rows:
            m = by_id[(row[0], row[5][:4] + "*" * 10 + row[5][-4:])]  # the full ID, kept as text
            self.assertEqual(len(row[5]), 18)
            self.assertEqual(row[3], m["birth_date"])  # a real date cell, shown as ISO
            self.assertEqual(row[7], m["joined_on"] or "")
            self.assertEqual(row[6][:3] + "****" + row[6][-4:] if row[6] else None, m["phone"])
            self.assertTrue(row[11].endswith(m["org_name"]))
        pii = self.admin.post("/api/v1/members/%d/pii" % members[0]["id"]).json()
        self.assertIn([pii["citizen_id"], pii["phone"] or ""], [[row[5], row[6]] for row in rows])
        audit = self.admin.get("/api/v1/audit?action=member.export").json()["items"][0]
        self.assertEqual(audit["after"]["pii"], "full")
        # Masked by default, even for the committee; in full only with member:pii.
        default = self.admin.get("/api/v1/members/export.csv?org_id=%d" % branch["id"]).body
        self.assertIn(members[0]["citizen_id"], default)
        self.assertNotIn(pii["citizen_id"], default)
        # Without member:pii the export is masked; CSV has a BOM, or is GB18030 on request.
        org01 = login(SERVER, "org%02d" % int(self.org01["code"].split("-")[1]))
        refused = org01.get("/api/v1/members/export.csv?pii=full&org_id=%d" % self.org01["id"])
        self.assertEqual(refused.status, 403)
        self.assertIn("member:pii", refused.json()["detail"])
        masked = org01.get("/api/v1/members/export.csv?org_id=%d" % self.org01["id"])
        self.assertTrue(masked.body_bytes.startswith(b"\xef\xbb\xbf"))
        self.assertIn("**********", masked.body)
        gb = self.admin.get("/api/v1/members/export.csv?org_id=%d&encoding=gb18030" % branch["id"])
        # A name a spreadsheet would run as a formula is exported inert: CSV with a leading
        # quote, .xlsx as a text cell; the app shows it unchanged.
        evil = '=HYPERLINK("http://evil.example/","x")'
        m = self.admin.post("/api/v1/members", self.member_body(name=evil))
        self.assertEqual(m.status, 201, m)
        self.assertEqual(self.admin.get("/api/v1/members/%d" % m.json()["id"]).json()["name"], evil)
        csv_text = self.admin.get("/api/v1/members/export.csv?q=HYPERLINK").body
        self.assertIn("'" + evil.replace('"', '""'), csv_text)
        self.assertNotIn("," + evil.replace('"', '""'), csv_text)
        book = self.admin.get("/api/v1/members/export.xlsx?q=HYPERLINK")
        probe = subprocess.run(["/usr/bin/python3", "-c",
                                "import io, sys, openpyxl\n"
                                "ws = openpyxl.load_workbook(io.BytesIO(sys.stdin.buffer.read())).active\n"
                                "print([(c.data_type, c.value) for c in ws[2] if c.value == sys.argv[1]])",
                                evil], input=book.body_bytes, capture_output=True)
        self.assertEqual(probe.returncode, 0, probe.stderr)
        self.assertEqual(probe.stdout.decode().strip(), repr([("s", evil)]))
        self.assertIn("姓名".encode("gb18030"), gb.body_bytes)
        national = self.admin.get("/api/v1/members/export.xlsx?layout=national&org_id=%d" % branch["id"])
        book = self.openpyxl("ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n"
                             "print(json.dumps([c.value for c in ws[1]]))", self.write("n.xlsx", national.body_bytes))
        self.assertEqual(book[:4], ["序号", "姓名", "性别", "公民身份号码"])
        self.assertEqual(self.admin.get("/api/v1/members/export.csv?encoding=big5").status, 400)
        self.assertEqual(self.admin.get("/api/v1/members/export.xlsx?layout=x").status, 400)
        self.assertEqual(self.admin.get("/api/v1/members/export.xlsx?pii=all").field_errors(), {"pii": "unknown_code"})

    def test_bad_files_change_nothing(self):
        import io, zipfile
        branch = self.branch01
        before = self.count(self.admin, branch["id"])
        r = self.upload(self.admin, b"PK\x03\x04 not really a zip")
        self.assertEqual((r.status, r.field_errors()), (422, {"file": "not_xlsx"}))
        # A zip bomb: 300 MB of zeros packed into a few hundred KB.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", "<workbook/>")
            z.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 << 20))
        r = self.upload(self.admin, buf.getvalue())
        self.assertEqual((r.status, r.field_errors()), (413, {"file": "too_large"}))
        r = self.upload(self.admin, "姓名,身份证号\n" + "x,1\n" * 200001, content_type="text/csv")
        self.assertEqual((r.status, r.field_errors()), (422, {"file": "too_many_rows"}))
        r = self.upload(self.admin, "姓名,人员类别\n张三,正式党员\n")
        self.assertEqual(r.status, 422)
        self.assertEqual(r.field_errors(), {"file": "missing_headers"})
        self.assertIn("身份证号", r.json()["detail"])
        r = self.upload(self.admin, "姓名,身份证号,人员类别,所在党组织,籍贯\n")
        self.assertEqual(r.field_errors(), {"file": "unknown_header"})
        self.assertEqual(self.upload(self.admin, b"\xff\xfe\x00x").field_errors(), {"file": "encoding"})
        # Formulas, merged cells and dates written as text, in a workbook openpyxl makes.
        lines = self.rows(6, branch["code"], 300)
        cells = [line.split(",") for line in lines]
        self.openpyxl(
            "wb = openpyxl.Workbook(); ws = wb.active\n"
            "ws.append(['党员名册']); ws.merge_cells('A1:E1')\n"
            "ws.append(['姓名', '身份证号', '人员类别', '入党日期', '所在党组织'])\n"
            "rows = json.loads(sys.argv[2])\n"
            "for r in rows: ws.append(r)\n"
            "ws['A3'] = '=\"张\"&\"三\"'\n"          # a formula
            "ws['D4'] = '1990/1/2'; ws['D5'] = '1990年1月2日'; ws['D6'] = '19900102'\n"
            "ws['D7'] = '2/1/1990'\n"                  # not a date anyone can read
            "ws.merge_cells('A8:B8')\n"
            "wb.save(sys.argv[1])", self.path("bad.xlsx"), json.dumps(cells))
        r = self.upload(self.admin, self.path("bad.xlsx"), "?commit=true")
        self.assertEqual(r.status, 422, r)
        report = r.json()["report"]
        codes = {(p["row"], p["code"]) for p in report["problems"]}
        self.assertIn((3, "formula"), codes)
        self.assertIn((7, "date"), codes)
        self.assertIn((8, "merged_cells"), codes)
        self.assertEqual(report["valid"], 3)  # the three readable text dates
        self.assertEqual(self.count(self.admin, branch["id"]), before)  # all or nothing
        # The same sheet back with the problems marked.
        marked = self.upload(self.admin, self.path("bad.xlsx"), "?format=xlsx")
        book = self.openpyxl(
            "ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n"
            "print(json.dumps({'header': [c.value for c in ws[1]], 'note': ws.cell(2, 6).value,"
            " 'fill': ws.cell(2, 1).fill.fgColor.rgb}))", self.write("marked.xlsx", marked.body_bytes))
        self.assertEqual(book["header"][-1], "错误说明")
        self.assertIn("公式", book["note"])
        self.assertTrue(book["fill"].endswith("FFC7CE"))
        # Duplicates inside the file; an organization outside the caller's subtree.
        dup = "\n".join(["姓名,身份证号,人员类别,入党日期,所在党组织", lines[0], lines[0]])
        r = self.upload(self.admin, dup)
        self.assertEqual([p["code"] for p in r.json()["problems"]], ["duplicate"])
        self.assertEqual(r.json()["problems"][0]["message"], "第3行「身份证号」与第2行重复")
        org01 = login(SERVER, "org%02d" % int(self.org01["code"].split("-")[1]))
        other = "\n".join(["姓名,身份证号,人员类别,入党日期,所在党组织"] + self.rows(1, self.branch02["code"], 400))
        r = self.upload(org01, other, "?commit=true")
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["report"]["problems"][0]["code"], "outside_scope")
        # valid-rows writes what is valid and says what was not.
        r = self.upload(self.admin, self.path("bad.xlsx"), "?commit=true&mode=valid-rows")
        self.assertEqual((r.status, r.json()["created"]), (200, 3), r)
        self.assertEqual(self.count(self.admin, branch["id"]), before + 3)
        self.assertEqual(self.upload(self.admin, "x", "?mode=some").status, 400)
        self.assertEqual(org01.get("/api/v1/members/import-template.xlsx").status, 200)
        self.assertEqual(login(SERVER, "member01").post(
            "/api/v1/members/import?commit=true", raw=b"x").status, 403)

    def test_large_files_run_as_a_job_with_progress(self):
        import time
        lines = self.rows(300, self.branch02["code"], 500)
        body = "\n".join(["姓名,身份证号,人员类别,入党日期,所在党组织"] + lines)
        boundary = "djboundary7"
        multipart = ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
                     "Content-Type: text/csv\r\n\r\n%s\r\n--%s--\r\n" % (boundary, body, boundary))
        r = self.admin.post("/api/v1/members/import?commit=true&async=true", raw=multipart.encode(),
                            headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
        self.assertEqual(r.status, 202, r)
        url = r.json()["status_url"]
        self.assertEqual(r.header("location"), url)
        for _ in range(200):
            job = self.admin.get(url).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.05)
        self.assertEqual(job["status"], "done", job)
        self.assertEqual((job["result"]["created"], job["total"], job["done"]), (300, 600, 600))
        self.assertEqual(login(SERVER, "auditor").get(url).status, 404)  # only its owner sees it
        self.assertEqual(self.admin.get("/api/v1/jobs/nope").status, 404)

    def test_cli_imports_with_a_progress_bar(self):
        if SERVER.backend != "sqlite":
            self.skipTest("the CLI shares the SQLite file here; PostgreSQL is covered by the API")
        lines = self.rows(3, self.branch02["code"], 900)
        f = self.write("cli.csv", "\n".join(["姓名,身份证号,人员类别,入党日期,所在党组织"] + lines) + "\n")
        dry = SERVER.cli("import", "members", f)
        self.assertEqual(dry.returncode, 0, dry.stderr)
        self.assertIn("dry run", dry.stdout)
        done = SERVER.cli("import", "members", f, "--commit")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("3 new", done.stdout)
        self.assertIn("100%", done.stderr)
        bad = self.write("bad.csv", "姓名,身份证号,人员类别,入党日期\n张三,123,正式党员,2008-07-01\n")
        out = SERVER.cli("import", "members", bad, "--commit", "--org", self.branch02["code"])
        self.assertEqual(out.returncode, 2)
        self.assertIn("第2行「身份证号」", out.stdout)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ARGS, rest = p.parse_known_args()
    if ARGS.backend == "postgres" and not os.environ.get("DANGJIAO_TEST_PG"):
        print("DANGJIAO_TEST_PG is not set (make test sets it)")
        sys.exit(1)
    prog = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print("%d passed, %d failed" % (max(0, r.testsRun - failed), failed))
    sys.exit(0 if r.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
