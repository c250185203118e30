#!/usr/bin/env bash
# make bench: the foundation's figures on this machine (docs/benchmarks.md).
#  1. demo city generation time
#  2. server start time on an existing city database, and idle RSS
#  3. GET /api/v1/members/{id} (Bearer, keep-alive) with wrk -t2 -c64, against
#     nginx serving a static file of the same size in the same run
#  4. Google Benchmark: member listing and the router's server time
#  5. the check-in burst, the activities and resources benchmarks, streaming and progress
#     reports, the roster import and export
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --bench
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
bin=$PWD/build/src/app/dangjiao
work=$(mktemp -d /tmp/dj-bench.XXXXXX)
chmod 755 "$work"
server_pid="" nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
db="sqlite://$work/city.db"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== machine"
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "== demo city generation"
"$bin" demo --scale city --db "$db" --key-file "$work/key" 2>/dev/null

echo "== server start on the existing city database"
port=$(free_port)
start=$(date +%s%N)
"$bin" serve --db "$db" --key-file "$work/key" --listen "127.0.0.1:$port" --no-access-log \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.005; done
end=$(date +%s%N)
grep -o 'ready in [0-9.]* ms' "$work/serve.out"
echo "first /healthz answered after $(( (end - start) / 1000000 )) ms (process start to HTTP answer)"

token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Dangjiao#2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
url="http://127.0.0.1:$port/api/v1/members/2345"
curl -sf -H "Authorization: Bearer $token" "$url" >"$work/member.json"
size=$(stat -c %s "$work/member.json")
sleep 1
echo "idle RSS after start and login: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$server_pid/status)"

echo "== nginx with a static file of the same size ($size bytes)"
mkdir -p "$work/www" "$work/nginx"
cp "$work/member.json" "$work/www/member.json"
chmod -R a+rX "$work/www"
nport=$(free_port)
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
error_log stderr warn;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nport; root $work/www; default_type application/json; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' &
nginx_pid=$!
until curl -sf "http://127.0.0.1:$nport/member.json" >/dev/null; do sleep 0.05; done

# Alternate the two, twice, so both see the same machine conditions.
for round in 1 2; do
  echo "== round $round: wrk -t2 -c64 -d10s, nginx static"
  wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$nport/member.json" | tee "$work/nginx$round.txt"
  echo "== round $round: wrk -t2 -c64 -d10s, dangjiao GET /api/v1/members/{id}"
  wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" "$url" | tee "$work/dj$round.txt"
done
python3 - "$work" <<'PY'
import re, sys
def read(p):
    t = open(p).read()
    return float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)), re.search(r"99%\s+(\S+)", t).group(1)
for r in (1, 2):
    (n, np99), (d, dp99) = read("%s/nginx%d.txt" % (sys.argv[1], r)), read("%s/dj%d.txt" % (sys.argv[1], r))
    print("round %d: dangjiao %.0f req/s (p99 %s), nginx %.0f req/s (p99 %s), ratio %.2f" % (r, d, dp99, n, np99, d / n))
PY
echo "RSS after load: $(awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' /proc/$server_pid/status)"

echo "== Google Benchmark (server time, no socket)"
./build/bench/bench_members --benchmark_min_time=0.5

echo "== training: a burst of 5,000 check-ins, 500 connections (SQLite), five rounds"
# Each round on a fresh copy of the city with its own 5,000 members' sessions,
# signed in ten minutes before; the plain-SQLite baseline runs right after.
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=""
city=${db#sqlite://}
for round in 1 2 3 4 5; do
  bdir="$work/burst$round"
  mkdir -p "$bdir"
  for ext in "" -wal -shm; do
    if [ -f "$city$ext" ]; then cp "$city$ext" "$bdir/city.db$ext"; fi
  done
  bdb="sqlite://$bdir/city.db"
  ./build/bench/checkin_burst setup --db "$bdb" --members 5000 --out "$bdir" >/dev/null
  sync; sleep 2  # the copy's writeback would otherwise run during the burst
  port=$(free_port)
  "$bin" serve --db "$bdb" --key-file "$work/key" --listen "127.0.0.1:$port" --no-access-log \
    --qr-slot-seconds 600 >"$bdir/serve.out" 2>"$bdir/serve.err" &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
  ./build/bench/checkin_burst run --port "$port" --dir "$bdir" --key-file "$work/key" \
    --slot-seconds 600 --connections 500 | tee "$bdir/run.txt"
  ./build/bench/checkin_burst baseline --db "$bdir/baseline.db" --rows 5000 | tee "$bdir/baseline.txt"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
  python3 - "$bdir/city.db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
n, d = con.execute("SELECT COUNT(*), COUNT(DISTINCT member_id) FROM checkins").fetchone()
a = con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'training.check_in'").fetchone()[0]
print("stored check-ins: %d, distinct members: %d, audit rows: %d, integrity: %s" % (n, d, a, con.execute("PRAGMA integrity_check").fetchone()[0]))
PY
  "$bin" audit verify --db "$bdb"
done
python3 - "$work" <<'PY'
import re, statistics, sys
rows = []
for r in range(1, 6):
    run = open("%s/burst%d/run.txt" % (sys.argv[1], r)).read()
    base = open("%s/burst%d/baseline.txt" % (sys.argv[1], r)).read()
    rate = float(re.search(r"= (\d+)/s;", run).group(1))
    p99 = float(re.search(r"p99 ([\d.]+) ms", run).group(1))
    plain = float(re.search(r"= (\d+)/s", base).group(1))
    rows.append((rate, p99, plain))
print("burst: p99 median %.1f ms (rounds: %s); throughput median %.0f/s; ratio to plain SQLite median %.2f" % (
    statistics.median(r[1] for r in rows), ", ".join("%.1f" % r[1] for r in rows),
    statistics.median(r[0] for r in rows), statistics.median(r[0] / r[2] for r in rows)))
PY

echo "== community service: 500 signed-up members check in to one post, 500 connections (SQLite), five rounds"
for round in 1 2 3 4 5; do
  sdir="$work/service$round"
  mkdir -p "$sdir"
  cp "$city" "$sdir/city.db"
  sdb="sqlite://$sdir/city.db"
  ./build/bench/checkin_burst setup --service --db "$sdb" --members 500 --out "$sdir" >/dev/null
  sync; sleep 1
  port=$(free_port)
  "$bin" serve --db "$sdb" --key-file "$work/key" --listen "127.0.0.1:$port" --no-access-log \
    >"$sdir/serve.out" 2>"$sdir/serve.err" &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
  ./build/bench/checkin_burst run --port "$port" --dir "$sdir" --key-file "$work/key" \
    --slot-seconds 10 --connections 500 | tee "$sdir/run.txt"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
  sqlite3 "$sdir/city.db" "SELECT 'present: ' || COUNT(*) FROM community_services WHERE status = 'present'"
done

echo "== 双报到 and services: the city's figures for a year, best of 7 (SQLite)"
port=$(free_port)
"$bin" serve --db "$db" --key-file "$work/key" --listen "127.0.0.1:$port" --no-access-log --web-dir "" \
  >"$work/serve4.out" 2>"$work/serve4.err" &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Dangjiao#2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
from=$(date -d '-366 days' +%F); to=$(date +%F)
for u in "matters/figures?from=$from&to=$to" "commitments/figures?year=${to%%-*}" \
         "community-registrations/coverage" "community-services/figures?from=$from&to=$to"; do
  best=$(for i in 1 2 3 4 5 6 7; do
    curl -s -o /dev/null -w "%{time_total}\n" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/$u"
  done | sort -n | head -1)
  echo "$u: ${best} s"
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=""

echo "== activities: rules, statistics, recording (SQLite)"
./build/bench/bench_activities
echo "== activities: rules, statistics, recording (PostgreSQL, throwaway cluster)"
pgdir="$work/pg"
pgport=$(free_port)
pgurl=$(scripts/pg.sh start "$pgdir" "$pgport")
DANGJIAO_BENCH_PG="$pgurl" ./build/bench/bench_activities || true
echo "== resources: the service centre's month calendar, every slot booked (SQLite, then PostgreSQL)"
./build/bench/bench_resources
psql "$pgurl" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null
DANGJIAO_BENCH_PG="$pgurl" ./build/bench/bench_resources || true
scripts/pg.sh stop "$pgdir"

echo "== online learning: a 1 GiB file against nginx, memory under 50 streams, 2,000 viewers' reports"
python3 bench/stream_bench.py --server "$bin" --burst ./build/bench/checkin_burst --work "$work/stream"

echo "== roster: 100,000-row .xlsx, dry run then commit through the CLI (SQLite), peak RSS"
rdb="sqlite://$work/roster.db"
"$bin" demo --scale city --db "$rdb" --key-file "$work/key" >/dev/null 2>&1
./build/bench/roster_file --db "$rdb" --rows 100000 --out "$work/roster.xlsx"
echo "file: $(stat -c %s "$work/roster.xlsx") bytes"
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("%.2f s, peak RSS %.0f MiB, exit %d: %s" % (dt, rss, p.returncode, (p.stdout.strip().splitlines() or [""])[-1]))
PY
}
measure "$bin" import members "$work/roster.xlsx" --db "$rdb" --key-file "$work/key"
measure "$bin" import members "$work/roster.xlsx" --db "$rdb" --key-file "$work/key" --commit
echo "== roster: export of every member (105,500) through HTTP"
port=$(free_port)
"$bin" serve --db "$rdb" --key-file "$work/key" --listen "127.0.0.1:$port" --no-access-log --web-dir "" \
  >"$work/serve3.out" 2>"$work/serve3.err" &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Dangjiao#2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
for ext in xlsx csv; do
  curl -sf -o "$work/export.$ext" -w "export.$ext: %{time_total} s, %{size_download} bytes\n" \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/members/export.$ext?pii=full"
done
