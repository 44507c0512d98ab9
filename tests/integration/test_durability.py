"""A 200 means committed: acknowledged events survive SIGKILL of the server."""
import concurrent.futures
import threading
import time

import pytest
import requests

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


def test_acknowledged_events_survive_sigkill(hookline):
    acked, lock, stop = [], threading.Lock(), threading.Event()
    threads = hammer(hookline, 16, stop, acked, lock)
    for t in threads:
        t.start()
    deadline = time.time() + 20
    while time.time() < deadline:
        with lock:
            if len(acked) >= 2000:
                break
        time.sleep(0.05)
    hookline.kill()  # SIGKILL mid-stream, requests in flight
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 300, f"only {len(acked)} acknowledged"
    stored = {r["id"] for r in hookline.query("SELECT id FROM EventLog")}
    missing = set(acked) - stored
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
    # And the database opens again as a working server.
    hookline.start()
    assert hookline.post_payment(acked[0]).json() == {"status": "duplicate_ignored"}


def test_duplicates_under_load_one_ok_per_id(hookline):
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
    stored = {r["id"] for r in h.query("SELECT id FROM EventLog")}
    missing = set(acked + ["after_pause"]) - stored
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"


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
