#!/usr/bin/env bash
# P6: time from exec to the first 200 from /healthz on an existing database. Target: < 100 ms.
. "$(dirname "$0")/lib.sh"
start_ours && stop_ours   # an existing, migrated database
for i in 1 2 3 4 5; do
  t0=$(date +%s%N)
  start_ours
  t1=$(date +%s%N)
  stop_ours
  echo "start $i: $(( (t1 - t0) / 1000000 )) ms (polling /healthz every ~5 ms)"
done
