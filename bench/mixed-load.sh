#!/usr/bin/env bash
# Not a row of the targets: how the SQLite group commit's wait (HOOKLINE_COMMIT_WAIT_US)
# treats senders that wait for each answer before sending the next event (a payment service
# with a few connections), alone and beside other senders that send now and then (a landing
# page's visitors). bench/RESULTS.md, findings 30 and 31.
#
# For each round, each paced load and each wait in turn, on a freshly started hookline with a
# fresh data folder: CLOSED closed-loop connections (default 8; 0 = none) with the yardstick's
# unique-payment.lua for DUR seconds (8), and beside them PACED connections (16) each pausing
# an exponential think time of DELAY_MS on average (bench/paced-payment.lua). Prints both loads'
# req/s, p50 and p99 and the store's transactions and waits.
#   WAITS="2000 0" DELAYS="32 8" ROUNDS=1: the waits (µs) and mean pauses (ms) to try;
#   a pause of 0 runs the closed loop alone. IDLES="0.25": the HOOKLINE_COMMIT_WAIT_IDLE
#   values to try with each wait (1: wait whatever the machine's load, as before session 13).
. "$(dirname "$0")/lib.sh"
CLOSED=${CLOSED:-8}; PACED=${PACED:-16}; DUR=${DUR:-8}
WAITS=${WAITS:-2000 0}; DELAYS=${DELAYS:-32 8}; ROUNDS=${ROUNDS:-1}; IDLES=${IDLES:-0.25}
export YARDSTICK
URL=$OURS_URL_BASE/api/webhook/payment
LUA=$YARDSTICK/wrk/unique-payment.lua

# summary NAME FILE: one wrk --latency report as "NAME r req/s p50 x p99 y".
summary() { awk -v n="$1" '/^Requests\/sec/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
  END { printf "%s %.0f req/s p50 %s p99 %s", n, r, p50, p99 }' "$2"; }

store_waits() {
  ours_metrics | awk '{ v[$1] = $2 } END {
    t = v["hookline_store_transactions_total"]
    printf "%d transactions of %.1f jobs, %d waits (%d ended by the quiet time, now %.0f us)", t,
      t ? v["hookline_store_jobs_total"] / t : 0, v["hookline_store_commit_waits_total"],
      v["hookline_store_commit_waits_quiet_total"], v["hookline_store_commit_wait_quiet_seconds"] * 1e6 }'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores; closed loop: $CLOSED connections; paced: $PACED connections"
for ((round = 1; round <= ROUNDS; round++)); do
  for delay in $DELAYS; do
    for wait_us in $WAITS; do for idle in $IDLES; do
      stop_ours; rm -rf "$BENCH_TMP/data"
      start_ours HOOKLINE_COMMIT_WAIT_US="$wait_us" HOOKLINE_COMMIT_WAIT_IDLE="$idle"
      paced_pid=""
      if [ "$CLOSED" -gt 0 ]; then wrk -t1 -c"$CLOSED" -d2s -s "$LUA" "$URL" >/dev/null; fi
      if [ "$delay" != 0 ] && [ "$PACED" -gt 0 ]; then
        DELAY_MS=$delay wrk -t1 -c"$PACED" -d"$((DUR + 2))s" --latency -s "$ROOT/bench/paced-payment.lua" \
          "$URL" >"$BENCH_TMP/paced.txt" &
        paced_pid=$!
        sleep 1
      fi
      line="round $round, wait $wait_us us (idle at most $idle), pause ${delay} ms:"
      if [ "$CLOSED" -gt 0 ]; then
        wrk -t1 -c"$CLOSED" -d"${DUR}s" --latency -s "$LUA" "$URL" >"$BENCH_TMP/closed.txt"
        line="$line $(summary closed-loop "$BENCH_TMP/closed.txt")"
      fi
      if [ -n "$paced_pid" ]; then
        wait "$paced_pid" || true
        line="$line | $(summary paced "$BENCH_TMP/paced.txt")"
      fi
      echo "$line | $(store_waits)"
    done; done
  done
done
