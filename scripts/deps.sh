#!/usr/bin/env bash
# Installs the Debian 12 packages hookline needs, only those missing. Idempotent, quiet, works
# without a terminal. Usage: scripts/deps.sh [build|test]   (test = build + what tests need)
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libpq-dev libjemalloc-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core
  sqlite3 curl ca-certificates
)
TEST_PKGS=(
  python3 python3-pytest python3-pytest-xdist python3-requests python3-psycopg2
  postgresql poppler-utils docker-compose chromium
)

pkgs=("${BUILD_PKGS[@]}")
if [[ "${1:-build}" == "test" ]]; then pkgs+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from elsewhere than Debian (with npm bundled, which conflicts with Debian's
# npm package): ask for the packages only when the commands are missing.
if [[ "${1:-build}" == "test" ]]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo -n"; else
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are missing or a day old.
if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]]; then
  $SUDO apt-get update -qq
fi
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/hookline-apt.log 2>&1; then
  # A stale list can name files the mirror no longer has: refresh once and retry.
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/hookline-apt.log 2>&1 || {
    tail -20 /tmp/hookline-apt.log >&2; exit 1; }
fi
