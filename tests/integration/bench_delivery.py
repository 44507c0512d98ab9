"""Delivery throughput against the benchmark sink (run by hand, not by pytest):

    node ../shared/bench/sink/sink.js &        # PORT=18090 SINK_SECRET=bench-secret (or bench/p4-outbound.sh)
    HOOKLINE_BIN=build/hookline python3 tests/integration/bench_delivery.py 1000 [FAIL_RATE]
    BENCH_PG=1 ...    # the same on a throwaway PostgreSQL (tests/integration/pg.py)

Queues N render.completed deliveries directly in a fresh SQLite database (so rendering is not
what is measured), starts hookline, and times until the sink has acknowledged all N. Prints
deliveries/s, attempts per delivery and the sink's duplicate count (must be 0 without crashes).
"""
import datetime
import json
import os
import sqlite3
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from conftest import Hookline  # noqa: E402
import pg  # noqa: E402

SINK = os.environ.get("SINK_URL", "http://127.0.0.1:18090")
SECRET = os.environ.get("SINK_SECRET", "bench-secret")


def sink(method, path="/stats"):
    req = urllib.request.Request(SINK + path, method=method)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"{}")


def server_cpu_seconds(pid):
    """utime + stime of a running process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid):
    """utime + stime per thread name (threads of one name summed), from /proc/<pid>/task."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                head, rest = f.read().rsplit(")", 1)
        except OSError:
            continue
        name = head.split("(", 1)[1]
        fields = rest.split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def thread_switches(pid):
    """Voluntary context switches (sleeps) per thread name, from /proc/<pid>/task/*/status."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        name = fields["Name"].strip()
        out[name] = out.get(name, 0) + int(fields["voluntary_ctxt_switches"])
    return out


def iso_seconds(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(prefix="hookline-bench-") as wd:
        env = {"HOOKLINE_RETRY_BASE_MS": "200", "HOOKLINE_RETRY_FACTOR": "2",
               "HOOKLINE_ACCESS_LOG": "0", "HOOKLINE_LOG_LEVEL": "warn"}
        # Passed through to try other settings, e.g. HOOKLINE_DELIVERY_CONCURRENCY=32.
        env.update({k: v for k, v in os.environ.items()
                    if k.startswith("HOOKLINE_DELIVERY_") or k == "HOOKLINE_COMMIT_WAIT_US"})
        server = pg.PgServer().start() if os.environ.get("BENCH_PG") else None
        try:
            measure(n, wd, env, server)
        finally:  # also after a time-out: no hookline or PostgreSQL is left running
            if server:
                server.stop()
                server.destroy()


def measure(n, wd, env, server):
    h = Hookline(wd, env=env, pg_dsn=server.create_database() if server else None)
    try:
        measure_with(n, h, server)
    finally:
        h.stop()


def measure_with(n, h, server):
    h.start()
    h.stop()  # migrated, empty
    now = "2026-01-01T00:00:00.000Z"
    endpoint_sql = ("INSERT INTO Endpoint VALUES('ep_sink', ?, ?, '[\"render.completed\"]', "
                    "1, 'sink', ?, ?)")
    delivery_sql = ("INSERT INTO Delivery(id, endpointId, event, assessmentId, webhookId, "
                    "body, status, nextAttemptAt, createdAt, updatedAt) VALUES(?, 'ep_sink', "
                    "'render.completed', ?, ?, ?, 'pending', ?, ?, ?)")
    rows = []
    for i in range(n):
        aid = f"FR-20260101-{i:06d}"
        body = ('{"event":"render.completed","assessment_id":"%s","status":"completed",'
                '"timestamp":"2026-01-01T00:00:00.000Z"}' % aid).encode()
        rows.append((f"dlv_{i:08d}", aid, f"{aid}:render.completed", body, now, now, now))
    if server:
        pg.execute_sqlite_style(h.pg_dsn, endpoint_sql.replace("1, 'sink'", "true, 'sink'"),
                                [(SINK + "/hook", SECRET, now, now)])
        pg.execute_sqlite_style(h.pg_dsn, delivery_sql, rows)
    else:
        with sqlite3.connect(h.db_path) as db:
            db.execute(endpoint_sql, (SINK + "/hook", SECRET, now, now))
            db.executemany(delivery_sql, rows)
    sink("DELETE")
    t0 = time.time()
    h.start()
    polls = 0
    while True:
        s = sink("GET")
        if s["ok"] >= n:
            break
        polls += 1
        # With FAIL_RATE some deliveries may fail for good (max attempts): done when
        # nothing is left in the queue.
        if polls % 20 == 0 and h.query("SELECT count(*) AS n FROM Delivery WHERE status IN "
                                       "('pending', 'delivering')")[0]["n"] == 0:
            break
        if time.time() - t0 > 600:
            raise SystemExit(f"timed out: {s}")
        time.sleep(0.05)
    elapsed = time.time() - t0
    cpu = server_cpu_seconds(h.proc.pid)
    threads = thread_cpu_seconds(h.proc.pid)
    switches = thread_switches(h.proc.pid)
    time.sleep(0.5)
    s = sink("GET")
    delivered = h.query("SELECT count(*) AS n FROM Delivery WHERE status = 'delivered'")[0]["n"]
    failed = h.query("SELECT count(*) AS n FROM Delivery WHERE status = 'failed'")[0]["n"]
    h.stop()
    print(f"backend={'postgres' if server else 'sqlite'} queued={n} delivered={delivered} "
          f"failed={failed} seconds={elapsed:.2f} "
          f"deliveries_per_s={n / elapsed:.0f} attempts_per_delivery={s['received'] / n:.2f} "
          f"duplicates={s['duplicates']} bad_signature={s['bad_signature']} "
          f"failed_on_purpose={s['failed_on_purpose']}")
    # Diagnostics: the sink's first-to-last 2xx span (without start-up and polling) and
    # hookline's CPU time per delivery (start-up included).
    span = (iso_seconds(s["last_at"]) - iso_seconds(s["first_at"])) if s["first_at"] else 0
    print(f"sink_span_s={span:.3f} sink_span_per_s={n / span if span else 0:.0f} "
          f"server_cpu_s={cpu:.2f} server_cpu_us_per_delivery={cpu / n * 1e6:.0f}")
    print("server_cpu_us_per_delivery_by_thread " + " ".join(
        f"{name}={sec / n * 1e6:.0f}" for name, sec in sorted(threads.items()) if sec > 0))
    print("server_sleeps_per_delivery_by_thread " + " ".join(
        f"{name}={k / n:.2f}" for name, k in sorted(switches.items()) if k / n >= 0.01))


if __name__ == "__main__":
    main()
