#!/usr/bin/env bash
# P3: the PostgreSQL backend (synchronous_commit on) against the yardstick's own PostgreSQL,
# next to pgbench one-row commits and the Node+pg peer. Target: >= 3x pgbench, >= 8x Node.
. "$(dirname "$0")/lib.sh"
PG_STARTED=0
"$YARDSTICK/pg.sh" status >/dev/null 2>&1 || { "$YARDSTICK/pg.sh" start; PG_STARTED=1; }
trap 'cleanup_ours; [ "$PG_STARTED" = 1 ] && "$YARDSTICK/pg.sh" stop' EXIT
# The harness creates its own "EventLog"; start from an empty schema so hookline's migrations
# create ours (with its indexes). From then on the Node peer and pgbench write into that table.
"$YARDSTICK/pg.sh" psql -c 'DROP SCHEMA public CASCADE' -c 'CREATE SCHEMA public' >/dev/null
DATABASE_URL=postgres://postgres@127.0.0.1:${PGPORT:-55432}/bench start_ours
OURS_DB=pg OURS_URL=$OURS_URL_BASE/api/webhook/payment OURS_PIDS=$OURS_PID run_yardstick D:3 A:8
