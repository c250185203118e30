#!/usr/bin/env bash
# Installs the Debian packages dangjiao needs to build, run and test, when missing.
set -euo pipefail
pkgs=(build-essential cmake ninja-build ccache pkg-config git
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libsodium-dev libsqlite3-dev sqlite3 libpq-dev libspdlog-dev libfmt-dev libcli11-dev
      libgtest-dev libbenchmark-dev libxlsxwriter-dev libqrencode-dev zlib1g-dev libzip-dev libexpat1-dev
      python3 curl ffmpeg)
# The web app builds with Node.js and npm (>= 20.19 for Vite; this kind of
# machine ships Node 20, Debian 12's own package is 18).
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
if [ "${1:-}" = "--test" ]; then
  # chromium for the browser tests, a CJK font so its screenshots are legible,
  # LibreOffice as a real spreadsheet client, clang's libFuzzer for the .xlsx reader,
  # jsonschema (in Debian's python3) to check every answer against the OpenAPI document
  pkgs+=(postgresql-15 postgresql-client-15 python3-openpyxl python3-jsonschema chromium
        fonts-wqy-microhei libreoffice-calc-nogui clang-14 libclang-rt-14-dev nginx-light)
fi
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(wrk nginx-light postgresql-15)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
