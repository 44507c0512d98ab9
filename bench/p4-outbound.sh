#!/usr/bin/env bash
# P4: signed deliveries/s to the yardstick's sink with N (10,000) queued, next to the sink's own
# ceiling (its check.sh loads it with wrk and signed bodies) measured in the same run.
# Target: >= 0.5x the sink's ceiling, 0 duplicates.
. "$(dirname "$0")/lib.sh"
N=${N:-10000}
build_ours
echo "== sink ceiling (sink/check.sh):"
(cd "$YARDSTICK/sink" && ./check.sh) | grep -E 'Requests/sec|Latency' || true
echo "== hookline delivering $N queued render.completed webhooks:"
(cd "$YARDSTICK/sink" && PORT=18090 SINK_SECRET=bench-secret exec node sink.js) >"$BENCH_TMP/sink.log" 2>&1 &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null; cleanup_ours' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/stats >/dev/null && break; sleep 0.1; done
HOOKLINE_BIN=$BIN /usr/bin/python3 "$ROOT/tests/integration/bench_delivery.py" "$N"
