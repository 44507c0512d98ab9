#!/usr/bin/env bash
# P1: the payment webhook, every request a new event_id, SQLite (WAL, synchronous=FULL),
# next to the yardstick's anchors (nginx ceiling, Node+pg peer, pgbench, raw SQLite) in ONE run.
# Target: >= 0.5x nginx req/s, >= 10x the Node peer, p99 <= 10 ms at 64 connections.
. "$(dirname "$0")/lib.sh"
start_ours
OURS_URL=$OURS_URL_BASE/api/webhook/payment OURS_PIDS=$OURS_PID run_yardstick C:0.5 A:10 p99:10
store_report
# The yardstick runs our row right after the Node peers' rows, with their processes and their
# PostgreSQL still up, and that alone can lift wrk's p99 to 30-80 ms while the packets show
# hookline answering within ~5 ms (bench/RESULTS.md, finding 27). The same load once more,
# after the yardstick has stopped them, tells the two apart.
echo "hookline alone, right after: $(ours_ingest 10s)"
echo "hookline RSS after the run: $(rss_mb "$OURS_PID") MB; rows: $(sqlite3 "$BENCH_TMP/data/hookline.db" 'select count(*) from EventLog')"
