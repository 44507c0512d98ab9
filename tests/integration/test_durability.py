"""A 200 means committed: acknowledged events survive SIGKILL of the server, on both backends,
a crash of PostgreSQL under the PostgreSQL backend, and a full disk under SQLite."""
import concurrent.futures
import contextlib
import os
import subprocess
import threading
import time
import urllib.parse

import psycopg2
import pytest
import requests

import pg
from conftest import WEBHOOK_SECRET


def hammer(h, senders, stop, acked, lock):
    def sender(n):
        s = requests.Session()
        i = 0
        while not stop.is_set():
            eid = f"dur_{n}_{i}"
            i += 1
            try:
                r = s.post(h.url + "/api/webhook/payment",
                           json={"event_id": eid, "event_type": "payment.succeeded",
                                 "data": {"lead_id": n, "i": i}},
                           headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=5)
            except requests.RequestException:
                return  # the server died under us: this one was never acknowledged
            if r.status_code == 200 and r.json()["status"] == "ok":
                with lock:
                    acked.append(eid)
    return [threading.Thread(target=sender, args=(n,)) for n in range(senders)]


def assert_none_lost(acked, rows):
    """Every acknowledged id is among the rows read back from EventLog."""
    missing = set(acked) - {r["id"] for r in rows}
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"


def stream_until(h, crash):
    """Streams new events from 16 senders until 2,000 are acknowledged (or 20 s have passed),
    then calls crash() with requests in flight and stops the senders. The acknowledged ids."""
    acked, lock, stop = [], threading.Lock(), threading.Event()
    threads = hammer(h, 16, stop, acked, lock)
    for t in threads:
        t.start()
    deadline = time.time() + 20
    while time.time() < deadline:
        with lock:
            if len(acked) >= 2000:
                break
        time.sleep(0.05)
    crash()
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 300, f"only {len(acked)} acknowledged"
    return acked


def test_acknowledged_events_survive_sigkill(backend, hookline):
    acked = stream_until(hookline, hookline.kill)  # SIGKILL mid-stream
    assert_none_lost(acked, hookline.query("SELECT id FROM EventLog"))
    # And the database opens again as a working server.
    hookline.start()
    assert hookline.post_payment(acked[0]).json() == {"status": "duplicate_ignored"}


def test_duplicates_under_load_one_ok_per_id(backend, hookline):
    ids = [f"dupload_{i}" for i in range(200)]

    def send(eid):
        r = requests.post(hookline.url + "/api/webhook/payment",
                          json={"event_id": eid, "event_type": "t"},
                          headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=20)
        return eid, r.json()["status"]

    work = ids * 5
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(send, work))
    oks = {}
    for eid, status in results:
        assert status in ("ok", "duplicate_ignored")
        oks[eid] = oks.get(eid, 0) + (status == "ok")
    assert all(oks[eid] == 1 for eid in ids)
    assert hookline.event_count() == 200


def test_acknowledged_events_survive_a_postgres_crash_under_load(start_hookline):
    """PostgreSQL backend, 16 senders streaming new events in group commits. PostgreSQL is
    stopped with `-m immediate` mid-stream (no shutdown checkpoint: what it had committed comes
    back from its WAL). Every event answered `ok` is in EventLog after recovery, and hookline
    serves again without a restart of its own."""
    if pg.PgServer().external:
        pytest.skip("HOOKLINE_TEST_PG_DSN: this test must stop and start its own server")
    server = pg.PgServer().start()  # its own server: crashing it disturbs no other test
    try:
        dsn = server.create_database()
        h = start_hookline(env={"DATABASE_URL": dsn})

        def crash():
            server.stop(mode="immediate")
            time.sleep(0.5)  # the senders meet the outage (503s) before they stop

        acked = stream_until(h, crash)
        server.start()
        assert_none_lost(acked, pg.query(dsn, 'SELECT id FROM "EventLog"'))
        deadline = time.monotonic() + 15
        while (r := h.post_payment("after_crash")).status_code != 200:
            assert r.status_code == 503, r.text
            assert time.monotonic() < deadline, "hookline did not recover from the crash"
            time.sleep(0.1)
        assert r.json() == {"status": "ok"}
        assert h.post_payment(acked[-1]).json() == {"status": "duplicate_ignored"}
        assert h.stop() == 0
    finally:
        server.destroy()


REFUSE_AT_COMMIT = """
CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id LIKE 'poison%' THEN RAISE EXCEPTION 'refused at commit: %', NEW.id; END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER refuse_poison AFTER INSERT ON "EventLog"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_poison();
"""


def store_log_lines(h, limit=40):
    """The server log's warnings and errors (the store's failed or retried writes among them)."""
    lines = [line for line in h.logs().splitlines() if " warning " in line or " error " in line]
    return "\n".join(lines[-limit:])


def test_a_commit_that_fails_after_the_rows_came_back_acknowledges_nothing(start_hookline,
                                                                           pg_database):
    """PostgreSQL backend: an error at the commit itself, after the batch's statements have run
    and returned their rows, fails the batch. A deferred constraint trigger makes the commit of
    any transaction holding a `poison…` id fail. Under a stream from 12 webhook senders with a
    poisoned event now and then, and 4 landing-form senders whose leads join the same batches
    (a batch with a lead commits with an explicit COMMIT, one without in its single INSERT), no
    poisoned event is answered 200 or stored, and every other event and every lead, batched with
    them or not, is answered and stored (the failed batch runs again, job by job). The guard for
    any writer that reads a batch's outcome before its commit is known, or that takes a refused
    COMMIT for a lost one."""
    h = start_hookline(env={"DATABASE_URL": pg_database,  # its migrations create EventLog
                            "HOOKLINE_RATE_LIMIT_PER_MINUTE": "0"})
    conn = psycopg2.connect(pg_database)
    with conn, conn.cursor() as c:
        c.execute(REFUSE_AT_COMMIT)
    conn.close()

    def webhook_sender(n):
        s = requests.Session()
        out = []
        for i in range(120):
            eid = f"poison_{n}_{i}" if i % 10 == 3 else f"fine_{n}_{i}"
            r = s.post(h.url + "/api/webhook/payment",
                       json={"event_id": eid, "event_type": "payment.succeeded"},
                       headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=30)
            out.append((eid, r.status_code, r.json()))
        return out

    def lead_sender(n):
        s = requests.Session()
        out = []
        for i in range(60):
            r = s.post(h.url + "/api/leads", timeout=30,
                       json={"name": f"Lead {n} {i}", "email": f"lead{n}.{i}@example.com",
                             "company": "Poisoned Batches Ltd"})
            out.append((r.status_code, r.json()))
        return out

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        webhooks = [pool.submit(webhook_sender, n) for n in range(12)]
        landing = [pool.submit(lead_sender, n) for n in range(4)]
        replies = [reply for f in webhooks for reply in f.result()]
        leads = [reply for f in landing for reply in f.result()]
    poisoned = [(eid, code, body) for eid, code, body in replies if eid.startswith("poison")]
    fine = [(eid, code, body) for eid, code, body in replies if eid.startswith("fine")]
    assert all(code >= 500 and "error" in body for _, code, body in poisoned), \
        [p for p in poisoned if p[1] < 500][:5]
    assert all(code == 200 and body == {"status": "ok"} for _, code, body in fine), \
        ([f for f in fine if f[1] != 200][:5], store_log_lines(h))
    assert all(code == 201 for code, _ in leads), \
        ([l for l in leads if l[0] != 201][:5], store_log_lines(h))
    stored = {r["id"] for r in pg.query(pg_database,
                                        """SELECT id FROM "EventLog" WHERE type <> 'lead.created'""")}
    assert stored == {eid for eid, _, _ in fine}
    lead_ids = {r["id"] for r in pg.query(pg_database, 'SELECT id FROM "Lead"')}
    assert lead_ids == {body["id"] for _, body in leads}
    lead_events = pg.query(pg_database,
                           """SELECT "leadId" FROM "EventLog" WHERE type = 'lead.created'""")
    assert sorted(r["leadId"] for r in lead_events) == sorted(lead_ids)
    assert h.stop() == 0


@contextlib.contextmanager
def small_disk(path, size):
    """A tmpfs of `size` mounted at `path` (made if missing), unmounted on the way out."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", path], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_refuses_with_503_loses_nothing_and_recovers_without_restart(
        start_hookline, workdir):
    """SQLite on a disk that fills up under 8 senders of 12 KB events. Once it is full, every
    request is answered 503 with Retry-After and a JSON error (never 200, never a dropped
    connection), hookline keeps serving, a refused event was not stored, and /healthz and
    /metrics say the writes are failing. When space comes back (the tmpfs grown, no restart),
    the refused events sent again are answered ok, as new, and /healthz is 200 again; then
    after SIGKILL every acknowledged event is in EventLog and the file passes SQLite's
    integrity check."""
    data_dir = os.path.join(workdir, "full", "data")
    pad = "x" * 12000
    with small_disk(data_dir, "6m"):
        h = start_hookline(subdir="full")

        def post(s, eid):
            return s.post(h.url + "/api/webhook/payment", timeout=30,
                          json={"event_id": eid, "event_type": "payment.succeeded",
                                "data": {"pad": pad}},
                          headers={"X-Webhook-Secret": WEBHOOK_SECRET})

        def fill(n):
            """Sends new events until 20 in a row were refused. (acked, refused, odd replies)"""
            s = requests.Session()
            acked, refused, odd, streak = [], [], [], 0
            for i in range(3000):
                eid = f"full_{n}_{i}"
                r = post(s, eid)
                if r.status_code == 200 and r.json() == {"status": "ok"}:
                    acked.append(eid)
                    streak = 0
                elif (r.status_code == 503 and r.headers.get("Retry-After") == "1"
                      and "error" in r.json()):
                    refused.append(eid)
                    streak += 1
                    if streak == 20:
                        break
                else:
                    odd.append((eid, r.status_code, r.text[:200]))
            return acked, refused, odd

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(fill, range(8)))
        acked = [eid for ok, _, _ in results for eid in ok]
        refused = [eid for _, no, _ in results for eid in no]
        odd = [reply for _, _, replies in results for reply in replies]
        assert not odd, odd[:5]
        assert len(acked) >= 100 and all(len(r) >= 20 for _, r, _ in results), \
            (len(acked), [len(r) for _, r, _ in results])
        assert h.proc.poll() is None
        assert "disk is full" in h.logs()
        # Reads still work, but a service that cannot store a webhook is not healthy.
        health = h.get("/healthz")
        assert health.status_code == 503 and health.headers.get("Retry-After") == "1"
        assert "refuses writes" in health.json()["error"], health.text
        assert store_metrics(h)["hookline_store_writes_failing"] == 1
        stored = {r["id"] for r in h.query("SELECT id FROM EventLog")}
        assert not stored & set(refused), sorted(stored & set(refused))[:5]

        subprocess.run(["mount", "-o", "remount,size=64m", data_dir], check=True)
        s = requests.Session()
        again = [(eid, post(s, eid)) for eid in refused[:40]]
        assert all(r.status_code == 200 and r.json() == {"status": "ok"} for _, r in again), \
            [(eid, r.status_code, r.text[:200]) for eid, r in again if r.status_code != 200][:5]
        assert h.get("/healthz").status_code == 200
        assert store_metrics(h)["hookline_store_writes_failing"] == 0
        h.kill()
        rows = h.query("SELECT id FROM EventLog")
        assert_none_lost(acked + [eid for eid, _ in again], rows)
        assert len(rows) == len(acked) + len(again)
        with h.db() as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def set_read_only(dsn, on):
    """Makes the database read-only for new sessions (as a standby is) and ends hookline's
    current ones, so that its connections come back read-only; or undoes it."""
    name = urllib.parse.urlsplit(dsn).path.lstrip("/")
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SET default_transaction_read_only = off")  # this session may be one of them
        c.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = '
                  + ("on" if on else "off"))
        c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    conn.close()


def test_a_read_only_postgres_is_answered_503_and_reported_by_healthz(start_hookline,
                                                                       pg_database):
    """PostgreSQL backend on a server that answers queries but refuses writes (a standby after a
    failover, or `default_transaction_read_only`): a webhook is answered 503 with Retry-After,
    never 200, and is not stored; /healthz says the database refuses writes and /metrics'
    hookline_store_writes_failing is 1. Once the server takes writes again, the same event is
    answered ok, /healthz is 200, without a restart of hookline."""
    h = start_hookline(env={"DATABASE_URL": pg_database})
    assert h.post_payment("before").json() == {"status": "ok"}
    set_read_only(pg_database, True)
    deadline = time.monotonic() + 15
    while True:  # the first request after the sessions ended may meet the lost connection
        r = h.post_payment("while_read_only")
        assert r.status_code == 503 and r.headers.get("Retry-After") == "1", r.text
        if store_metrics(h)["hookline_store_writes_failing"] == 1:
            break
        assert time.monotonic() < deadline, store_log_lines(h)
        time.sleep(0.1)
    assert "read-only transaction" in h.logs()
    health = h.get("/healthz")
    assert health.status_code == 503 and health.headers.get("Retry-After") == "1"
    assert "refuses writes" in health.json()["error"], health.text
    assert pg.query(pg_database, """SELECT id FROM "EventLog" WHERE id = 'while_read_only'""") == []

    set_read_only(pg_database, False)
    deadline = time.monotonic() + 15
    while (r := h.post_payment("while_read_only")).status_code != 200:
        assert r.status_code == 503, r.text
        assert time.monotonic() < deadline, store_log_lines(h)
        time.sleep(0.1)
    assert r.json() == {"status": "ok"}
    assert h.get("/healthz").status_code == 200
    assert store_metrics(h)["hookline_store_writes_failing"] == 0
    ids = {row["id"] for row in pg.query(pg_database, 'SELECT id FROM "EventLog"')}
    assert {"before", "while_read_only"} <= ids
    assert h.stop() == 0


def store_metrics(h):
    text = h.admin("GET", "/metrics").text
    out = {}
    for line in text.splitlines():
        if line.startswith("hookline_store_"):
            name, value = line.split()
            out[name] = float(value)
    return out


def http_requests_within(h, le):
    """How many requests the server answered within `le` seconds (a bucket of its histogram)."""
    prefix = f'hookline_http_request_duration_seconds_bucket{{le="{le}"}} '
    for line in h.admin("GET", "/metrics").text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix):])
    raise AssertionError(f"no {prefix.strip()} in /metrics")


def test_gathered_group_commits_answer_every_request_and_survive_sigkill(start_hookline):
    """SQLite with the longest commit wait (100 ms): under a stream from 8 senders each batch
    waits for more requests (16 wanted, which 8 senders that each wait for their answer never
    send). Every request is still answered; the batches are larger than the senders alone would
    make them; the wait ends once the senders' requests have stopped coming, instead of running
    out its 100 ms every time; a request after a pause does not wait; and what was answered is
    on disk. HOOKLINE_COMMIT_WAIT_IDLE=1: the batches wait whatever the machine's load (by default
    only while its CPUs are short, which a test machine may or may not be)."""
    h = start_hookline(env={"HOOKLINE_COMMIT_WAIT_US": "100000", "HOOKLINE_COMMIT_WAIT_IDLE": "1"})
    acked, lock, stop = [], threading.Lock(), threading.Event()
    threads = hammer(h, 8, stop, acked, lock)
    for t in threads:
        t.start()
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 50, f"only {len(acked)} acknowledged in 3 s"
    m = store_metrics(h)
    assert m["hookline_store_commit_waits_total"] >= 5
    assert m["hookline_store_commit_waits_quiet_total"] >= 1
    assert 50e-6 <= m["hookline_store_commit_wait_quiet_seconds"] <= 0.1
    idle = [line for line in h.admin("GET", "/metrics").text.splitlines()
            if line.startswith("hookline_machine_cpu_idle_ratio ")]
    assert len(idle) == 1 and 0 <= float(idle[0].split()[1]) <= 1, idle
    # 8 senders with one request each in flight: without the wait most batches hold 1-3 jobs
    # (1.9 on average); with it, ~5.
    assert m["hookline_store_jobs_total"] / m["hookline_store_transactions_total"] >= 3.5
    # Had each wait run out, every request would take over 100 ms; most take far less.
    fast = http_requests_within(h, "0.05")
    assert fast >= 0.5 * len(acked), f"{fast} of {len(acked)} requests answered within 50 ms"
    # After a pause, a request arriving alone is committed without waiting for company.
    time.sleep(2)
    waits = m["hookline_store_commit_waits_total"]
    assert h.post_payment("after_pause").json() == {"status": "ok"}
    assert store_metrics(h)["hookline_store_commit_waits_total"] == waits
    h.kill()
    assert_none_lost(acked + ["after_pause"], h.query("SELECT id FROM EventLog"))


@pytest.mark.parametrize("value", ["-1", "100001", "soon"])
def test_commit_wait_out_of_range_is_refused_at_start(start_hookline, value):
    h = start_hookline(env={"HOOKLINE_COMMIT_WAIT_US": value}, wait=False)
    assert h.proc.wait(10) != 0
    assert "HOOKLINE_COMMIT_WAIT_US" in h.logs() or "commit-wait-us" in h.logs()


@pytest.mark.parametrize("value", ["-0.1", "1.5", "nan", "busy"])
def test_commit_wait_idle_out_of_range_is_refused_at_start(start_hookline, value):
    h = start_hookline(env={"HOOKLINE_COMMIT_WAIT_IDLE": value}, wait=False)
    assert h.proc.wait(10) != 0
    assert "HOOKLINE_COMMIT_WAIT_IDLE" in h.logs() or "commit-wait-idle" in h.logs()
