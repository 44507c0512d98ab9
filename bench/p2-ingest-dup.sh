#!/usr/bin/env bash
# P2: as P1 with 90% duplicate event ids (MODE=dup). Target: >= 0.7x nginx req/s.
. "$(dirname "$0")/lib.sh"
start_ours
MODE=dup OURS_URL=$OURS_URL_BASE/api/webhook/payment OURS_PIDS=$OURS_PID run_yardstick C:0.7
store_report
