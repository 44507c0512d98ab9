"""Several hookline instances on one PostgreSQL database, and PostgreSQL going away under a
running instance (issue 6, "Several instances" and "Outages").

- 2 and 3 `hookline serve` processes on one database, different ports, started together (their
  migrations race for the advisory lock). The same 500 event ids sent to all of them
  concurrently: each id is stored once, and per id exactly one reply among all instances is
  `{"status":"ok"}`, every other one `duplicate_ignored`.
- PostgreSQL stopped under a running instance: the webhook answers 503 with Retry-After (never a
  200 for something not committed) and /healthz 503, quickly; PostgreSQL started again:
  requests succeed again without restarting hookline.

- A queue of render.completed deliveries to one receiver, drained by three instances: each
  delivered exactly once. One instance SIGKILLed while its sends hang: the others take its
  leased deliveries after the lease; nothing is lost and the receiver sees at most the one
  in-flight send plus one resend per delivery, with the same X-Webhook-Id and attempt number.
"""
import concurrent.futures
import random
import time

import pytest
import requests

import pg
from conftest import WEBHOOK_SECRET
from outbound import FAST, create_assessment, create_endpoint, deliveries, wait_until
from receiver import Receiver

PASSWORD = "pw-never-logged-7f3a"


def with_password(dsn):
    # Trust authentication ignores it; it is there to prove it never reaches a log.
    return dsn.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def send(url, event_id):
    r = requests.post(url + "/api/webhook/payment",
                      json={"event_id": event_id, "event_type": "payment.succeeded",
                            "data": {"lead_id": event_id[-3:], "amount": 4900}},
                      headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=30)
    return r.status_code, r.json().get("status")


@pytest.mark.parametrize("instances", [2, 3])
def test_same_ids_to_all_instances_store_once_with_one_ok_each(start_hookline, pg_database,
                                                               instances):
    dsn = with_password(pg_database)
    # Started together on a fresh database: migrations must not race.
    servers = [start_hookline(env={"DATABASE_URL": dsn}, subdir=f"i{i}", wait=False)
               for i in range(instances)]
    for h in servers:
        h.wait_ready()

    ids = [f"evt_multi_{i:03d}" for i in range(500)]
    work = [(h.url, event_id) for event_id in ids for h in servers]
    random.Random(6).shuffle(work)
    with concurrent.futures.ThreadPoolExecutor(48) as pool:
        replies = list(pool.map(lambda w: (w[1],) + send(*w), work))

    assert all(code == 200 for _, code, _ in replies), \
        {code for _, code, _ in replies}
    ok = {}
    for event_id, _, status in replies:
        assert status in ("ok", "duplicate_ignored")
        ok[event_id] = ok.get(event_id, 0) + (status == "ok")
    assert ok == {event_id: 1 for event_id in ids}

    rows = pg.query(pg_database, 'SELECT id, count(*) AS n FROM "EventLog" GROUP BY id')
    assert len(rows) == 500 and all(r["n"] == 1 for r in rows)
    assert {r["id"] for r in rows} == set(ids)
    [version] = pg.query(pg_database, "SELECT count(*) AS n FROM schema_version")
    assert version["n"] >= 1
    for h in servers:
        assert PASSWORD not in h.logs()
        assert h.stop() == 0


def test_postgres_outage_gives_503_then_recovers_without_restart(start_hookline):
    if pg.PgServer().external:
        pytest.skip("HOOKLINE_TEST_PG_DSN: this test must stop and start its own server")
    server = pg.PgServer().start()  # its own server: stopping it disturbs no other test
    try:
        dsn = server.create_database()
        h = start_hookline(env={"DATABASE_URL": with_password(dsn)})
        assert h.post_payment("evt_before").json() == {"status": "ok"}

        server.stop()
        t0 = time.monotonic()
        r = h.post_payment("evt_during")
        assert r.status_code == 503, r.text
        assert r.headers.get("Retry-After")
        assert "error" in r.json()
        health = h.get("/healthz")
        assert health.status_code == 503
        assert time.monotonic() - t0 < 5, "an outage must be answered quickly"

        server.start()
        deadline = time.monotonic() + 15
        while True:
            r = h.post_payment("evt_after")
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            assert r.status_code == 503, r.text
            time.sleep(0.1)
        assert r.json() == {"status": "ok"}
        assert h.get("/healthz").status_code == 200
        # The 503 stored nothing: the payment service's retry is new; the earlier one is not.
        r = h.post_payment("evt_during")
        assert r.json() == {"status": "ok"}
        assert h.post_payment("evt_before").json() == {"status": "duplicate_ignored"}
        assert PASSWORD not in h.logs()
        assert h.stop() == 0
    finally:
        server.destroy()


def test_migrate_command_on_postgres(pg_database, workdir):
    import subprocess
    from conftest import BIN
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": with_password(pg_database),
           "HOOKLINE_DATA_DIR": workdir + "/data"}
    for _ in range(2):  # the second run finds nothing to do
        p = subprocess.run([BIN, "migrate"], env=env, cwd=workdir, capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        assert "schema version" in p.stdout
        assert PASSWORD not in p.stdout + p.stderr
    [row] = pg.query(pg_database, "SELECT max(version) AS v FROM schema_version")
    assert str(row["v"]) in p.stdout


def test_delivery_queue_drained_by_three_instances_sends_each_once(start_hookline, pg_database):
    rx = Receiver()
    try:
        servers = [start_hookline(env={**FAST, "DATABASE_URL": pg_database}, subdir=f"q{i}")
                   for i in range(3)]
        create_endpoint(servers[0], rx.url)
        ids = [create_assessment(servers[i % 3], company=f"Co {i}") for i in range(24)]
        wait_until(lambda: len({r["headers"]["x-webhook-id"] for r in rx.requests}) >= 24,
                   timeout=60, what="24 distinct deliveries")
        wait_until(lambda: all(d["status"] == "delivered"
                               for d in deliveries(servers[1], limit=100)),
                   timeout=20, what="every delivery recorded as delivered")
        time.sleep(0.5)  # nothing more may arrive
        per_id = {}
        for r in rx.requests:
            per_id[r["headers"]["x-webhook-id"]] = per_id.get(r["headers"]["x-webhook-id"], 0) + 1
        assert per_id == {f"{aid}:render.completed": 1 for aid in ids}
        rows = pg.query(pg_database, 'SELECT count(*) AS n FROM "Delivery"')
        assert rows[0]["n"] == 24
    finally:
        rx.close()


def test_sigkilled_instance_leases_are_taken_over_after_they_expire(start_hookline, pg_database):
    # The receiver holds the first sends without answering; their sender is SIGKILLed while
    # they hang. The lease outlasts a whole attempt (more than 2 x the delivery timeout, see
    # src/delivery/delivery_worker.cc), so nobody may resend before that.
    rx = Receiver(script=["hang"] * 3, hang_seconds=40)
    env = {**FAST, "HOOKLINE_DELIVERY_TIMEOUT_MS": "3000", "DATABASE_URL": pg_database}
    try:
        a = start_hookline(env=env, subdir="a")
        create_endpoint(a, rx.url)
        ids = [create_assessment(a, company=f"Co {i}") for i in range(3)]
        rx.wait_for(3, timeout=20)
        assert rx.count() == 3
        others = [start_hookline(env=env, subdir=f"o{i}") for i in range(2)]
        a.kill()

        wait_until(lambda: all(d["status"] == "delivered" for d in deliveries(others[0]))
                   and len(deliveries(others[0])) == 3, timeout=45,
                   what="the killed instance's deliveries delivered by the others")
        time.sleep(0.5)
        first = {r["headers"]["x-webhook-id"]: r["at"] for r in reversed(rx.requests)}
        for r in rx.requests[3:]:
            assert r["at"] - first[r["headers"]["x-webhook-id"]] > 6, "resent before the lease ended"
        sent = {}
        for r in rx.requests:
            sent.setdefault(r["headers"]["x-webhook-id"], []).append(r["headers"]["x-webhook-attempt"])
        # One in-flight send of the killed instance (attempt 1, then counted as interrupted)
        # and one resend as attempt 2: no more.
        assert sent == {f"{aid}:render.completed": ["1", "2"] for aid in ids}
    finally:
        rx.close()
