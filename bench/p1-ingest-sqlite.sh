#!/usr/bin/env bash
# P1: the payment webhook, every request a new event_id, SQLite (WAL, synchronous=FULL),
# next to the yardstick's anchors (nginx ceiling, Node+pg peer, pgbench, raw SQLite) in ONE run.
# Target: >= 0.5x nginx req/s, >= 10x the Node peer, p99 <= 10 ms at 64 connections.
. "$(dirname "$0")/lib.sh"
start_ours
OURS_URL=$OURS_URL_BASE/api/webhook/payment OURS_PIDS=$OURS_PID "$YARDSTICK/compare-ingest.sh"
echo "hookline RSS after the run: $(rss_mb "$OURS_PID") MB; rows: $(sqlite3 "$BENCH_TMP/data/hookline.db" 'select count(*) from EventLog')"
