#!/usr/bin/env bash
# P4: signed deliveries/s to the yardstick's sink with N (10,000) queued, next to the sink's own
# ceiling (its check.sh loads it with wrk and signed bodies) measured in the same run.
# Target: >= 0.5x the sink's ceiling, 0 duplicates.
#
# Against one sink process: first a run on the freshly started sink, then, after warming it for
# WARM (3s) with the same wrk load check.sh measures the ceiling with, RUNS (3) more. The
# ceiling is a warm Node process (its JIT has compiled the handler); a freshly started one costs
# 50-70 us of CPU per request for its first ~10,000 instead of ~35, on the same two cores
# hookline needs, and it still gets cheaper over the first warm run. The median of the warm runs
# is the figure comparable with the ceiling; every run is printed.
. "$(dirname "$0")/lib.sh"
N=${N:-10000}
build_ours
# The driver (tests/integration/bench_delivery.py) shares the integration tests' helpers, which
# need the test packages (pytest, requests): installed like `make test` does when missing.
/usr/bin/python3 -c 'import pytest, requests' 2>/dev/null || "$ROOT/scripts/deps.sh" test
echo "== sink ceiling (sink/check.sh):"
(cd "$YARDSTICK/sink" && ./check.sh) | grep -E 'Requests/sec|Latency' || true
(cd "$YARDSTICK/sink" && PORT=18090 SINK_SECRET=bench-secret exec node sink.js) >"$BENCH_TMP/sink.log" 2>&1 &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null; cleanup_ours' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/stats >/dev/null && break; sleep 0.1; done
echo "== hookline delivering $N queued render.completed webhooks, sink just started:"
HOOKLINE_BIN=$BIN /usr/bin/python3 "$ROOT/tests/integration/bench_delivery.py" "$N"
BODY='{"event":"render.completed","assessment_id":"FR-20260109-000001","status":"completed","timestamp":"2026-01-09T05:38:01.449Z"}'
SIG=$(printf %s "$BODY" | openssl dgst -sha256 -hmac bench-secret -hex | awk '{print $NF}')
echo "== warming the sink (wrk -t1 -c64 -d${WARM:-3s}, check.sh's load):"
(cd "$YARDSTICK/sink" && BODY=$BODY SIG=$SIG wrk -t1 -c64 -d"${WARM:-3s}" -s signed-post.lua \
  http://127.0.0.1:18090/hook | grep -E 'Requests/sec')
rates=()
for i in $(seq "${RUNS:-3}"); do
  echo "== hookline delivering $N queued render.completed webhooks, sink warm, run $i:"
  out=$(HOOKLINE_BIN=$BIN /usr/bin/python3 "$ROOT/tests/integration/bench_delivery.py" "$N")
  echo "$out"
  rates+=("$(echo "$out" | sed -n 's/.* deliveries_per_s=\([0-9]*\) .*/\1/p')")
done
echo "== median of the warm runs: $(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') deliveries/s (compare with the ceiling above)"
