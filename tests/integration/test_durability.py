"""A 200 means committed: acknowledged events survive SIGKILL of the server."""
import concurrent.futures
import threading
import time

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
