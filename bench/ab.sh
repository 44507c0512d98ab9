#!/usr/bin/env bash
# Not a row of the targets: variants of hookline side by side, in turn, on the yardstick's P1 or
# P2 load, with what each run cost per request on each thread. The method of bench/RESULTS.md,
# findings 30-34: the yardstick's run-to-run noise (±15%) hides a change worth a few percent,
# so variants are compared in alternation, several rounds, each on a fresh data folder.
#
#   bench/ab.sh NAME=SPEC ...
#
# SPEC is an optional binary path followed by environment assignments, for example
#   bench/ab.sh base= lane='HOOKLINE_EXPERIMENT=1' old='/tmp/hookline-old HOOKLINE_THREADS=1'
# (an empty SPEC is build/hookline, or HOOKLINE_BIN, with no extra environment).
#
# Environment: MODE=unique (P1's new ids) or dup (P2's 90% retries); DUR=8 seconds measured
# after WARM=2 seconds of the same load; ROUNDS=3; DATABASE=sqlite, or pg for the yardstick's
# PostgreSQL (started if it is not running, its schema dropped before each run, as P3 does).
#
# Each run prints req/s and wrk's p99; the CPU per request of each hookline thread (the
# process's first thread is the network thread; threads without a name of their own, such as
# the access log's, go under the binary's name), of wrk and, with pg, of PostgreSQL's
# processes; and the store's counters from /metrics over the measured seconds: transactions a
# second and jobs per transaction, WAL flushes a second and their mean, and the share of the
# time the writer spent in transactions and the sync thread in fdatasync. The last lines give
# each variant's median rate.
. "$(dirname "$0")/lib.sh"
MODE=${MODE:-unique}; DUR=${DUR:-8}; WARM=${WARM:-2}; ROUNDS=${ROUNDS:-3}; DATABASE=${DATABASE:-sqlite}
case "$MODE" in
  unique) LUA=$YARDSTICK/wrk/unique-payment.lua ;;
  dup) LUA=$YARDSTICK/wrk/dup-payment.lua ;;
  *) echo "bench/ab.sh: MODE is unique or dup, not \"$MODE\"" >&2; exit 2 ;;
esac
[ $# -gt 0 ] || { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
URL=$OURS_URL_BASE/api/webhook/payment
TICK=$(getconf CLK_TCK)

NAMES=(); BINS=(); ENVS=()
for arg in "$@"; do
  name=${arg%%=*}; spec=${arg#*=}
  [ "$name" != "$arg" ] && [ -n "$name" ] || { echo "bench/ab.sh: \"$arg\" is not NAME=SPEC" >&2; exit 2; }
  read -r -a words <<<"$spec"
  bin=""
  if [ ${#words[@]} -gt 0 ] && [[ "${words[0]}" != *=* ]]; then bin=${words[0]}; words=("${words[@]:1}"); fi
  if [ -z "$bin" ]; then build_ours; bin=$HOOKLINE_BIN; fi
  [ -x "$bin" ] || { echo "bench/ab.sh: $bin is not an executable" >&2; exit 2; }
  NAMES+=("$name"); BINS+=("$bin"); ENVS+=("${words[*]}")
done

PG_STARTED=0
if [ "$DATABASE" = pg ]; then
  "$YARDSTICK/pg.sh" status >/dev/null 2>&1 || { "$YARDSTICK/pg.sh" start >/dev/null; PG_STARTED=1; }
  export DATABASE_URL=postgres://postgres@127.0.0.1:${PGPORT:-55432}/bench
  trap 'cleanup_ours; [ "$PG_STARTED" = 1 ] && "$YARDSTICK/pg.sh" stop >/dev/null' EXIT
elif [ "$DATABASE" != sqlite ]; then
  echo "bench/ab.sh: DATABASE is sqlite or pg, not \"$DATABASE\"" >&2; exit 2
fi

# thread_ticks PID: "name ticks" per thread name, the process's first thread named "network".
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    if [ "${t##*/}" = "$1" ]; then printf 'network '; else printf '%s ' "$(tr ' ' _ <"$t/comm")"; fi
    awk '{ print $14 + $15 }' "$t/stat"
  done 2>/dev/null | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' | sort
}
# postgres_ticks: CPU ticks of every process of the postgres user (0 without PostgreSQL).
postgres_ticks() {
  local p
  for p in $(pgrep -u postgres 2>/dev/null); do cat "/proc/$p/stat" 2>/dev/null; done |
    awk '{ s += $14 + $15 } END { print s + 0 }'
}

declare -A RATES
echo "# $(date -u +%FT%TZ) $(nproc) cores; MODE=$MODE DATABASE=$DATABASE, wrk -t1 -c64, ${WARM} s warm-up, ${DUR} s measured"
for ((round = 1; round <= ROUNDS; round++)); do
  for i in "${!NAMES[@]}"; do
    stop_ours; rm -rf "$BENCH_TMP/data"
    if [ "$DATABASE" = pg ]; then
      "$YARDSTICK/pg.sh" psql -c 'SET client_min_messages = warning' -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public' >/dev/null
    fi
    BIN=${BINS[$i]}; HOOKLINE_BIN=$BIN
    read -r -a extra <<<"${ENVS[$i]}"
    start_ours "${extra[@]}"
    wrk -t1 -c64 -d"${WARM}s" -s "$LUA" "$URL" >/dev/null
    thread_ticks "$OURS_PID" >"$BENCH_TMP/t0"; pg0=$(postgres_ticks); ours_metrics >"$BENCH_TMP/m0"
    wrk -t1 -c64 -d"${DUR}s" -s "$LUA" "$URL" >"$BENCH_TMP/wrk" &
    wrk_pid=$!
    sleep "$DUR"
    # wrk's own CPU: read from /proc until it has exited (a zombie's times are its final ones).
    wrk_ticks=0
    while read -r -a stat 2>/dev/null <"/proc/$wrk_pid/stat"; do
      wrk_ticks=$((stat[13] + stat[14]))
      [ "${stat[2]}" = Z ] && break
      sleep 0.02
    done
    wait "$wrk_pid" || true
    thread_ticks "$OURS_PID" >"$BENCH_TMP/t1"; pg1=$(postgres_ticks); ours_metrics >"$BENCH_TMP/m1"
    requests=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$BENCH_TMP/wrk")
    rate=$(sed -n 's/.*req\/s=\([0-9]*\).*/\1/p' "$BENCH_TMP/wrk")
    p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' "$BENCH_TMP/wrk")
    [ -n "$requests" ] && [ "$requests" -gt 0 ] || { echo "bench/ab.sh: wrk reported no requests:" >&2; cat "$BENCH_TMP/wrk" >&2; exit 1; }
    RATES[${NAMES[$i]}]+="$rate "
    cpu=$(join "$BENCH_TMP/t0" "$BENCH_TMP/t1" | awk -v n="$requests" -v hz="$TICK" \
      '$3 > $2 { printf "%s %.1f, ", $1, ($3 - $2) * 1e6 / hz / n }')
    cpu+=$(awk -v n="$requests" -v hz="$TICK" -v t="$wrk_ticks" 'BEGIN { printf "wrk %.1f", t * 1e6 / hz / n }')
    if [ "$DATABASE" = pg ]; then
      cpu+=$(awk -v n="$requests" -v hz="$TICK" -v d=$((pg1 - pg0)) 'BEGIN { printf ", postgres %.1f", d * 1e6 / hz / n }')
    fi
    store=$(store_rates "$BENCH_TMP/m0" "$BENCH_TMP/m1" "$DUR")
    echo "round $round ${NAMES[$i]}: $rate req/s, p99 $p99 ms | CPU us per request: $cpu | $store"
  done
done
stop_ours
for name in "${NAMES[@]}"; do
  # shellcheck disable=SC2086
  printf '%s\n' ${RATES[$name]} | sort -n | awk -v n="$name" '{ r[NR] = $1 }
    END { printf "%s: median %s req/s over %d runs (", n, NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2, NR
          for (i = 1; i <= NR; i++) printf "%s%s", r[i], i < NR ? ", " : ")\n" }'
done
