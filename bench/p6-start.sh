#!/usr/bin/env bash
# P6: time from exec to the first 200 from /healthz on an existing database. Target: < 100 ms.
# bench/p6_start.py starts hookline and polls from one process every millisecond, so the figure
# does not include starting a poller per try (a curl costs 5-30 ms to start on this machine).
. "$(dirname "$0")/lib.sh"
start_ours && stop_ours   # an existing, migrated database
for i in 1 2 3 4 5; do
  timed_start_ours
  stop_ours
  echo "start $i: $READY_MS ms from exec to the first 200 from /healthz"
done
