#!/usr/bin/env bash
# make test: installs what is missing, builds, starts a throwaway PostgreSQL
# on loopback and runs every test (C++ and HTTP level) on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
make --no-print-directory web/dist/index.html
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2
pgdir=$(mktemp -d /tmp/dj-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'scripts/pg.sh stop "$pgdir"' EXIT
DANGJIAO_TEST_PG=$(scripts/pg.sh start "$pgdir" "$port")
export DANGJIAO_TEST_PG
echo "PostgreSQL for tests: $DANGJIAO_TEST_PG"
ctest --test-dir build --output-on-failure -j2 --timeout 600
