"""Streaming a 1 GiB courseware file over loopback (docs/benchmarks.md).

    python3 bench/stream_bench.py --server build/src/app/dangjiao --work DIR

Starts the server on a demo city (SQLite) in DIR, uploads a 1 GiB document
in 16 MiB pieces, publishes it as a lesson that member01 opens, and measures
against nginx serving the same file in the same run:
  1. one client downloading the whole file, alternating dangjiao and nginx
     three times (curl, throughput in MiB/s, and the ratio);
  2. the server's resident memory before and while 50 clients stream it at
     once (curl --limit-rate, so the 50 overlap for about 10 s);
  3. 2,000 members (sessions made by checkin_burst setup) watching a real
     video made by ffmpeg, each reporting 15 s of playback every 15 s for a
     minute: the server's CPU time over that minute, as a share of one core.
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import time

PIECE = 16 << 20
SIZE = 1 << 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Api:
    def __init__(self, port, username):
        self.port = port
        r = self.call("POST", "/api/v1/auth/login", {"username": username, "password": "Dangjiao#2026"})
        self.token = r["token"]

    def call(self, method, path, body=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {}
        if getattr(self, "token", None):
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if raw is not None:
            data = raw
            headers["Content-Type"] = "application/octet-stream"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read()
        conn.close()
        if r.status >= 300:
            raise RuntimeError("%s %s: %d %s" % (method, path, r.status, text[:300]))
        return json.loads(text) if text else None


def curl_speed(url):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}", url],
                         check=True, capture_output=True, text=True).stdout.split()
    assert int(out[1]) == SIZE, "a download came out %s bytes" % out[1]
    return float(out[0]) / (1 << 20)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def viewers(a, work, port, admin, root, pid, n=2000, every=15.0, minutes=1):
    import threading
    video = os.path.join(work, "viewers.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=300:size=64x48:rate=1",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", video], check=True)
    data = open(video, "rb").read()
    u = admin.call("POST", "/api/v1/uploads", {"org_id": root, "filename": "v.mp4", "media_type": "video/mp4",
                                               "size": len(data)})
    u = admin.call("PUT", "/api/v1/uploads/%d?offset=0" % u["id"], raw=data)
    course = admin.call("POST", "/api/v1/courses", {"org_id": root, "title": "viewers", "hours_tenths": 1})
    lesson = admin.call("POST", "/api/v1/courses/%d/lessons" % course["id"],
                        {"title": "v", "kind": "video", "media_id": u["media"]["id"]})["id"]
    admin.call("PATCH", "/api/v1/courses/%d" % course["id"], {"status": "published"})
    burst = os.path.join(work, "burst")
    os.makedirs(burst, exist_ok=True)
    subprocess.run([os.path.abspath(a.burst), "setup", "--db", "sqlite://%s/stream.db" % work,
                    "--members", str(n), "--out", burst], check=True, stdout=subprocess.DEVNULL)
    tokens = [line.split()[1] for line in open(os.path.join(burst, "tokens.txt"))]
    errors = []

    def post(conn, token, path, body):
        conn.request("POST", path, body=json.dumps(body), headers={
            "Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            errors.append(r.status)

    # Every member opens the lesson (the clock starts), spread over the first period.
    def open_all(part):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for t in part:
            post(conn, t, "/api/v1/my/lessons/%d/play" % lesson, {})
    parts = [tokens[i::8] for i in range(8)]
    threads = [threading.Thread(target=open_all, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors.clear()
    time.sleep(every)
    start_cpu, start = cpu_seconds(pid), time.monotonic()
    rounds = int(minutes * 60 / every)

    def report(part, offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for r in range(rounds):
            for i, t in enumerate(part):
                due = start + r * every + (offset + i * len(parts)) * every / len(tokens)
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                post(conn, t, "/api/v1/my/lessons/%d/progress" % lesson,
                     {"intervals": [{"start_ms": r * 15000, "end_ms": (r + 1) * 15000}],
                      "position_ms": (r + 1) * 15000})
    threads = [threading.Thread(target=report, args=(p, k)) for k, p in enumerate(parts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - start
    used = cpu_seconds(pid) - start_cpu
    print("%d viewers reporting every %.0f s for %.0f s: %d reports (%.0f/s), %d refused; server CPU %.1f s "
          "= %.1f%% of one core" % (n, every, secs, n * rounds, n * rounds / secs, len(errors), used,
                                    100 * used / secs))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--burst", required=True, help="build/bench/checkin_burst (makes the sessions)")
    a = p.parse_args()
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    big = os.path.join(work, "www", "big.pdf")
    os.makedirs(os.path.dirname(big), exist_ok=True)
    with open(big, "wb") as f:  # a PDF by its first bytes, so no ffprobe pass
        f.write(b"%PDF-1.7\n")
        block = os.urandom(1 << 20)
        written = 9
        while written < SIZE:
            n = min(len(block), SIZE - written)
            f.write(block[:n])
            written += n
    port = free_port()
    server = subprocess.Popen([os.path.abspath(a.server), "serve", "--db", "sqlite://%s/stream.db" % work,
                               "--key-file", os.path.join(work, "key"), "--listen", "127.0.0.1:%d" % port,
                               "--demo", "--no-access-log", "--web-dir", "", "--blob-dir", os.path.join(work, "blobs")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=work)
    nginx = None
    try:
        while "listening on" not in server.stdout.readline():
            pass
        admin = Api(port, "admin")
        root = admin.call("GET", "/api/v1/auth/me")["org_id"]
        t0 = time.monotonic()
        u = admin.call("POST", "/api/v1/uploads", {"org_id": root, "filename": "big.pdf",
                                                   "media_type": "application/pdf", "size": SIZE})
        with open(big, "rb") as f:
            at = 0
            while at < SIZE:
                piece = f.read(PIECE)
                u = admin.call("PUT", "/api/v1/uploads/%d?offset=%d" % (u["id"], at), raw=piece)
                at += len(piece)
        print("upload of 1 GiB in 16 MiB pieces: %.1f s" % (time.monotonic() - t0))
        course = admin.call("POST", "/api/v1/courses", {"org_id": root, "title": "bench", "hours_tenths": 0})
        lesson = admin.call("POST", "/api/v1/courses/%d/lessons" % course["id"],
                            {"title": "big", "kind": "document", "media_id": u["media"]["id"]})
        admin.call("PATCH", "/api/v1/courses/%d" % course["id"], {"status": "published"})
        member = Api(port, "member01")
        url = "http://127.0.0.1:%d%s" % (port, member.call("POST", "/api/v1/my/lessons/%d/play" % lesson["id"])["url"])

        nport = free_port()
        os.makedirs(os.path.join(work, "nginx"), exist_ok=True)
        os.chmod(work, 0o755)
        os.chmod(os.path.dirname(big), 0o755)
        os.chmod(big, 0o644)
        with open(os.path.join(work, "nginx", "nginx.conf"), "w") as f:
            f.write("worker_processes 2; error_log stderr warn; pid %s/nginx/nginx.pid;\n"
                    "events { worker_connections 1024; }\n"
                    "http { access_log off; sendfile on; server { listen 127.0.0.1:%d; root %s/www; } }\n"
                    % (work, nport, work))
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(work, "nginx", "nginx.conf"), "-p",
                                  os.path.join(work, "nginx"), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        nurl = "http://127.0.0.1:%d/big.pdf" % nport
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", nport)).close()
                break
            except OSError:
                time.sleep(0.05)

        ratios = []
        for r in range(1, 4):
            n = curl_speed(nurl)
            d = curl_speed(url)
            ratios.append(d / n)
            print("round %d: dangjiao %.0f MiB/s, nginx %.0f MiB/s, ratio %.2f" % (r, d, n, d / n))
        print("throughput ratio to nginx, median of 3: %.2f" % sorted(ratios)[1])

        before = rss_mib(server.pid)
        clients = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--limit-rate", "10M", "-r", "0-104857599", url])
                   for _ in range(50)]
        peak = before
        while any(c.poll() is None for c in clients):
            peak = max(peak, rss_mib(server.pid))
            time.sleep(0.1)
        print("server RSS: %.1f MiB before, %.1f MiB at most while 50 clients streamed 100 MiB each "
              "(+%.1f MiB)" % (before, peak, peak - before))
        viewers(a, work, port, admin, root, server.pid)
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
