# Shared by the bench scripts (source it). Starts hookline the way a user would (the built
# binary, `serve`, configuration from the environment) and stops it on exit.
#
# YARDSTICK: the team's comparison harness (nginx ceiling, Node peer, pgbench, raw SQLite);
# default ../shared/bench next to this repository.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
YARDSTICK=${YARDSTICK:-$(cd "$ROOT/../shared/bench" 2>/dev/null && pwd || true)}
[ -x "$YARDSTICK/compare-ingest.sh" ] || { echo "bench: set YARDSTICK to the comparison harness folder" >&2; exit 2; }
BIN=${HOOKLINE_BIN:-$ROOT/build/hookline}
OURS_PORT=${OURS_PORT:-18300}
OURS_URL_BASE=http://127.0.0.1:$OURS_PORT
export WEBHOOK_SECRET=${WEBHOOK_SECRET:-bench-secret}
OURS_PID=""
BENCH_TMP=$(mktemp -d /tmp/hookline-bench-ours.XXXXXX)

# Builds once per script (later calls are no-ops, so start-up timings never include make).
build_ours() { [ -n "${HOOKLINE_BIN:-}" ] || { make -C "$ROOT" build >/dev/null; HOOKLINE_BIN=$BIN; }; }

# The environment hookline is started with here: a fresh data folder, SQLite unless
# DATABASE_URL is given (start_ours, timed_start_ours).
ours_env() {
  OURS_ENV=(PORT="$OURS_PORT" HOST=127.0.0.1 HOOKLINE_DATA_DIR="$BENCH_TMP/data"
            DATABASE_URL="${DATABASE_URL:-sqlite:$BENCH_TMP/data/hookline.db}" ADMIN_TOKEN=bench-admin)
}

# start_ours [extra env assignments...]
start_ours() {
  build_ours; ours_env
  env "${OURS_ENV[@]}" "$@" "$BIN" serve >"$BENCH_TMP/hookline.log" 2>&1 &
  OURS_PID=$!
  for _ in $(seq 2000); do curl -sf "$OURS_URL_BASE/healthz" >/dev/null && return 0; sleep 0.005; done
  echo "bench: hookline did not start:" >&2; cat "$BENCH_TMP/hookline.log" >&2; exit 1
}

# timed_start_ours: starts hookline through bench/p6_start.py, which polls /healthz every
# millisecond from one process; sets OURS_PID and READY_MS (exec to the first 200).
timed_start_ours() {
  build_ours; ours_env
  local out
  out=$(env "${OURS_ENV[@]}" /usr/bin/python3 "$ROOT/bench/p6_start.py" "$OURS_PORT" "$BIN" serve) ||
    exit 1
  OURS_PID=$(sed -n 2p <<<"$out")
  READY_MS=$(sed -n 's/ready_ms=//p' <<<"$out")
}

# Stops hookline and waits until it has exited (a process started by timed_start_ours is not
# this shell's child, so `wait` alone would return at once).
stop_ours() {
  if [ -n "$OURS_PID" ] && kill -0 "$OURS_PID" 2>/dev/null; then
    kill "$OURS_PID"; wait "$OURS_PID" 2>/dev/null || true
    while kill -0 "$OURS_PID" 2>/dev/null; do sleep 0.01; done
  fi
  OURS_PID=""
}

rss_mb() { awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

# ours_ingest DURATION: one run of P1's load (the yardstick's ingest.sh: wrk, 64 connections,
# every request a new event) against hookline for DURATION (10s, 600s), its one summary line.
ours_ingest() { "$YARDSTICK/ingest.sh" "$OURS_URL_BASE/api/webhook/payment" "$WEBHOOK_SECRET" "$1" 64; }

# median NUMBER...: their median (the mean of the middle two for an even count), unrounded.
median() {
  printf '%s\n' "$@" | sort -g |
    awk '{ r[NR] = $1 } END { if (NR) print NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}

cleanup_ours() { stop_ours; rm -rf "$BENCH_TMP"; }
trap cleanup_ours EXIT

# ours_metrics: hookline's /metrics as it is now, one "name value" line per sample (labels stay
# part of the name; comments left out), sorted by name for `join`. The one place the bench
# scripts read the server's counters: store_report, store_rates, ab.sh and mixed-load.sh.
ours_metrics() {
  curl -sf -H "Authorization: Bearer bench-admin" "$OURS_URL_BASE/metrics" |
    awk '$1 !~ /^#/ && NF == 2' | LC_ALL=C sort
}

# store_report [FILE]: what hookline's own /metrics say about the run so far (from FILE, lines
# of ours_metrics, or else from the server now): group commits, WAL flushes and their tail,
# checkpoint cycles, and the share of requests slower than 10 ms. Where a p99 comes from: a
# full upper flush bucket means the disk, an empty one the CPU.
store_report() {
  { if [ $# -gt 0 ]; then cat "$1"; else ours_metrics; fi; } | awk '{ v[$1] = $2 } END {
    tx = v["hookline_store_transactions_total"]; syncs = v["hookline_store_wal_syncs_total"]
    reqs = v["hookline_http_request_duration_seconds_count"]
    if (tx == 0) { print "hookline /metrics: no write transactions"; exit }
    printf "hookline /metrics: %d transactions of %.1f requests; %d WAL flushes, %.0f us mean, %.2f%% over 2.5 ms; %d checkpoint passes, %d WAL restarts; %.2f%% of requests over 10 ms in the server\n",
      tx, v["hookline_store_jobs_total"] / tx, syncs,
      syncs ? v["hookline_store_sync_seconds_total"] / syncs * 1e6 : 0,
      syncs ? (syncs - v["hookline_store_wal_sync_duration_seconds_bucket{le=\"0.0025\"}"]) * 100 / syncs : 0,
      v["hookline_store_checkpoint_passes_total"], v["hookline_store_wal_restarts_total"],
      reqs ? (reqs - v["hookline_http_request_duration_seconds_bucket{le=\"0.01\"}"]) * 100 / reqs : 0 }'
}

# store_rates BEFORE AFTER SECONDS: the store's work between two ours_metrics files taken
# SECONDS apart, on one line: transactions a second and jobs per transaction, WAL flushes a
# second and their mean, and the share of the time the writer spent in transactions and the
# sync thread in fdatasync.
store_rates() {
  LC_ALL=C join "$1" "$2" | awk -v d="$3" '{ v[$1] = $3 - $2 } END {
    tx = v["hookline_store_transactions_total"]; syncs = v["hookline_store_wal_syncs_total"]
    if (tx == 0) { printf "no write transactions\n"; exit }
    printf "%.0f transactions/s of %.1f jobs (writer in them %.0f%% of the time)", tx / d,
      v["hookline_store_jobs_total"] / tx, v["hookline_store_commit_seconds_total"] * 100 / d
    if (syncs > 0) printf "; %.0f WAL flushes/s of %.0f us (sync thread in them %.0f%%)", syncs / d,
      v["hookline_store_sync_seconds_total"] * 1e6 / syncs, v["hookline_store_sync_seconds_total"] * 100 / d
    printf "\n" }'
}

# run_yardstick TARGET...: runs the yardstick's comparison RUNS times (default 1) with the
# environment the row's script gives it, each run's table as the yardstick prints it, then a
# line per run with hookline's figure against the anchors of that same run and whether the
# row's targets are met, and under it the run's CPU per request and the ceiling it implies
# (see ceiling() below); with RUNS > 1, the median of each ratio over the runs as well.
# A TARGET is TAG:MIN, hookline's req/s at least MIN times that of the anchor in the row whose
# name's first word is TAG (C nginx, A node-fastify-pg, D pgbench), or p99:MAX, hookline's p99 in
# wrk at most MAX ms.
run_yardstick() {
  local runs=${RUNS:-1} i results=()
  for ((i = 1; i <= runs; i++)); do
    [ "$runs" = 1 ] || echo "== yardstick run $i of $runs ($(date -u +%H:%M:%S) UTC)"
    "$YARDSTICK/compare-ingest.sh" | tee "$BENCH_TMP/yardstick.out"
    results+=("$(sed -n 's/.*results in \(.*\.tsv\)).*/\1/p' "$BENCH_TMP/yardstick.out")")
  done
  targets_report "$*" "${results[@]}"
}

# targets_report "TARGET..." RESULT_TSV...: the per-run and median lines of run_yardstick, from
# the yardstick's result files (one line per row: name, a tab, then key=value pairs).
targets_report() {
  local targets=$1; shift
  awk -v targets="$targets" '
    function fmt(t, v) {
      if (t == "p99") return sprintf("p99 %.2f ms (<= %s: %s)", v, lim[t], v <= lim[t] ? "met" : "NOT met")
      return sprintf("%.2fx %s (>= %s: %s)", v, name[t], lim[t], v >= lim[t] ? "met" : "NOT met")
    }
    BEGIN { nt = split(targets, tl, " "); for (k = 1; k <= nt; k++) { split(tl[k], p, ":"); tag[k] = p[1]; lim[p[1]] = p[2] } }
    # The most this machine could carry at the CPU cost per request measured in run r (hookline,
    # wrk and, with PostgreSQL, the database, in cores over the row), with every core busy and
    # nothing waiting; against it, what each ratio target asks for in req/s, and the CPU per
    # request that rate leaves hookline once wrk and the database have had theirs (all cores
    # busy, nothing waiting: a bound no closed loop reaches), beside the CPU that nginx spent
    # per request in its own row of the run, answering 200 with nothing stored.
    function ceiling(r,   used, top, k, t, need, left, out) {
      used = cpu[r, "cpu_server"] + cpu[r, "cpu_client"] + cpu[r, "cpu_db"]
      if (used <= 0 || cores[r] == "" || rate[r, "B"] <= 0) return
      top = rate[r, "B"] * cores[r] / used
      out = ""
      for (k = 1; k <= nt; k++) {
        t = tag[k]
        if (t == "p99" || rate[r, t] <= 0) continue
        need = lim[t] * rate[r, t]
        left = (cores[r] / need - (cpu[r, "cpu_client"] + cpu[r, "cpu_db"]) / rate[r, "B"]) * 1e6
        out = out sprintf("; %s x %s needs %.0f (%s; %s)", lim[t], name[t], need, need <= top ? "within it" : "above it",
          left > 0 ? sprintf("it leaves hookline %.1f us a request", left) : "it leaves hookline no CPU at all")
      }
      if (nginx_cpu[r] > 0 && rate[r, "C"] > 0)
        out = out sprintf("; nginx spent %.1f us a request", nginx_cpu[r] * 1e6 / rate[r, "C"])
      printf "  CPU per request, run %d: hookline %.1f us, wrk %.1f us%s; the machine %.2f of %d cores busy. At that cost %d cores carry at most %.0f req/s%s\n",
        r, cpu[r, "cpu_server"] * 1e6 / rate[r, "B"], cpu[r, "cpu_client"] * 1e6 / rate[r, "B"],
        (cpu[r, "cpu_db"] > 0 ? sprintf(", PostgreSQL %.1f us", cpu[r, "cpu_db"] * 1e6 / rate[r, "B"]) : ""),
        cpu[r, "cpu_machine"], cores[r], cores[r], top, out
    }
    FNR == 1 { run++ }
    /^#/ { next }
    {
      split($0, f, "\t"); split(f[1], w, " "); t = w[1]
      n = split(f[2], kv, " ")
      for (i = 1; i <= n; i++) {
        split(kv[i], p, "=")
        if (p[1] == "req/s") rate[run, t] = p[2]
        if (p[1] == "p99_ms") p99[run, t] = p[2]
        if (t == "B" && p[1] ~ /^cpu_/) cpu[run, p[1]] = p[2] + 0
        if (t == "B" && p[1] == "cpu_machine") { split(p[2], mc, "/"); cores[run] = mc[2] }
        if (t == "C" && p[1] == "cpu_server") nginx_cpu[run] = p[2] + 0
      }
      if (!(t in name)) name[t] = w[2]
    }
    END {
      for (r = 1; r <= run; r++) {
        line = ""
        for (k = 1; k <= nt; k++) {
          t = tag[k]
          if (t == "p99") v = p99[r, "B"]; else if (rate[r, t] > 0) v = rate[r, "B"] / rate[r, t]; else v = -1
          val[k, r] = v
          line = line (k > 1 ? " | " : "") (v < 0 ? t ": no figure" : fmt(t, v))
        }
        printf "targets, run %d: hookline %s req/s: %s\n", r, rate[r, "B"], line
        ceiling(r)
      }
      if (run < 2) exit
      line = ""
      for (k = 1; k <= nt; k++) {
        m = 0; for (r = 1; r <= run; r++) s[++m] = val[k, r]
        for (a = 2; a <= m; a++) for (b = a; b > 1 && s[b - 1] > s[b]; b--) { x = s[b]; s[b] = s[b - 1]; s[b - 1] = x }
        med = m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
        line = line (k > 1 ? " | " : "") (med < 0 ? tag[k] ": no figure" : fmt(tag[k], med))
      }
      printf "targets, median of %d runs: %s\n", run, line
    }' "$@"
}
