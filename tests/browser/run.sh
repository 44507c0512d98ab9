#!/usr/bin/env bash
# Browser tests: the real hookline binary on a free port with a temporary data folder, driven
# by playwright-core through Debian's chromium (headless). Run by ctest as `browser`
# (HOOKLINE_BIN, HOOKLINE_SOURCE_DIR, HOOKLINE_BUILD_DIR set); screenshots go to
# $HOOKLINE_BUILD_DIR/screenshots/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE_DIR="${HOOKLINE_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}"
BUILD_DIR="${HOOKLINE_BUILD_DIR:-$SOURCE_DIR/build}"
BIN="${HOOKLINE_BIN:-$BUILD_DIR/hookline}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

for tool in node npm sqlite3 "$CHROMIUM_PATH" "$BIN"; do
  command -v "$tool" >/dev/null || { echo "browser tests: $tool is missing (make test-deps)" >&2; exit 1; }
done

cd "$HERE"
if [[ ! -d node_modules/playwright-core ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

WORK="$(mktemp -d -t hookline-browser-XXXXXX)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A free port in 10000-14999, below the kernel's ephemeral range, so no outgoing connection can
# take it between this check and the server's bind (tests/integration/ports.py has the spans).
PORT="$(node -e '
const net = require("net");
const first = 10000 + Math.floor(Math.random() * 5000);
const tryPort = (i) => {
  if (i === 5000) { console.error("no free port in 10000-14999"); process.exit(1); }
  const port = 10000 + ((first - 10000 + i) % 5000);
  const s = net.createServer();
  s.once("error", () => tryPort(i + 1));
  s.listen({ port, host: "127.0.0.1", exclusive: true }, () => { console.log(port); s.close(); });
};
tryPort(0);')"
export HOOKLINE_URL="http://127.0.0.1:$PORT"
export HOOKLINE_DB="$WORK/data/hookline.db"
export ADMIN_TOKEN="browser-admin-$RANDOM$RANDOM"
export WEBHOOK_SECRET="browser-webhook-$RANDOM$RANDOM"
export SCREENSHOT_DIR="$BUILD_DIR/screenshots"
mkdir -p "$SCREENSHOT_DIR"

PORT="$PORT" HOST=127.0.0.1 HOOKLINE_DATA_DIR="$WORK/data" DATABASE_URL="sqlite:$HOOKLINE_DB" \
  ADMIN_TOKEN="$ADMIN_TOKEN" WEBHOOK_SECRET="$WEBHOOK_SECRET" HOOKLINE_RATE_LIMIT_PER_MINUTE=0 \
  HOOKLINE_ALLOW_PRIVATE_ENDPOINTS=1 \
  "$BIN" serve >"$WORK/hookline.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 150); do
  if curl -fsS "$HOOKLINE_URL/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/hookline.log" >&2; exit 1; }
  sleep 0.1
done

status=0
node --test --test-concurrency=1 "$HERE"/*.test.mjs || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- hookline log (last 40 lines) ---" >&2
  tail -40 "$WORK/hookline.log" >&2
fi
exit $status
