"""The HTTP server itself: routing errors, limits, slow clients, keep-alive, shutdown."""
import concurrent.futures
import os
import socket
import threading
import time

import requests

from conftest import WEBHOOK_SECRET


def raw_request(port, data, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_healthz_checks_the_database(hookline):
    r = hookline.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "sqlite" and body["schema_version"] >= 1


def test_unknown_path_is_404_json(hookline):
    r = hookline.get("/api/nope")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json"
    assert "error" in r.json()


def test_wrong_method_is_405_with_allow(hookline):
    r = hookline.request("DELETE", "/api/webhook/payment")
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"
    assert "error" in r.json()
    r = hookline.request("POST", "/healthz")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]


def test_head_is_answered_like_get_without_body(hookline):
    r = hookline.request("HEAD", "/healthz")
    assert r.status_code == 200 and r.content == b""


def test_malformed_http_is_400(hookline):
    reply = raw_request(hookline.port, b"THIS IS NOT HTTP\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400")
    assert b'{"error":' in reply


def test_huge_headers_are_431(hookline):
    reply = raw_request(hookline.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                        b"a" * 40000 + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431")


def test_413_is_sent_from_content_length_without_reading_the_body(hookline):
    head = (f"POST /api/webhook/payment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"X-Webhook-Secret: {WEBHOOK_SECRET}\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n")
    reply = raw_request(hookline.port, head.encode())
    assert reply.startswith(b"HTTP/1.1 413")
    assert hookline.event_count() == 0


def test_expect_100_continue(hookline):
    body = b'{"event_id":"e100","event_type":"t"}'
    with socket.create_connection(("127.0.0.1", hookline.port), timeout=5) as s:
        s.sendall((f"POST /api/webhook/payment HTTP/1.1\r\nHost: x\r\n"
                   f"Content-Type: application/json\r\nX-Webhook-Secret: {WEBHOOK_SECRET}\r\n"
                   f"Expect: 100-continue\r\nContent-Length: {len(body)}\r\n\r\n").encode())
        interim = s.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100")
        s.sendall(body)
        final = s.recv(4096)
        assert final.startswith(b"HTTP/1.1 200") and b'"ok"' in final


def test_keep_alive_serves_many_requests_on_one_connection(hookline):
    with socket.create_connection(("127.0.0.1", hookline.port), timeout=5) as s:
        for i in range(20):
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                data += s.recv(4096)
            assert data.startswith(b"HTTP/1.1 200")


def test_stalled_client_does_not_stop_others_and_is_cut_off(start_hookline):
    h = start_hookline(env={"HOOKLINE_READ_TIMEOUT_MS": "1000"})
    stalled = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", h.port))
        s.sendall(b"POST /api/webhook/payment HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"ev")
        stalled.append(s)
    silent = socket.create_connection(("127.0.0.1", h.port))  # sends nothing at all
    try:
        t0 = time.time()
        for i in range(20):
            assert h.post_payment(f"while_stalled_{i}").status_code == 200
        assert time.time() - t0 < 5
        # The read timeout closes the stalled connections.
        time.sleep(1.6)
        for s in stalled + [silent]:
            s.settimeout(2)
            assert s.recv(100) == b""  # closed by the server
    finally:
        for s in stalled + [silent]:
            s.close()
    assert h.event_count() == 20


def hold_open_connection(port, deadline):
    """A keep-alive connection the server has accepted and answered once, so it is counted.
    Retried while the server refuses it: the connection the start-up fixture polled with may
    still count for a moment after the client closed it (under parallel tests the server sees
    that FIN late)."""
    while True:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        head = s.recv(65536)
        if head.startswith(b"HTTP/1.1 200"):
            return s
        s.close()
        assert time.time() < deadline, head
        time.sleep(0.05)


def test_connection_cap_answers_503_and_recovers(start_hookline):
    h = start_hookline(env={"HOOKLINE_MAX_CONNECTIONS": "5"})
    deadline = time.time() + 10
    held = [hold_open_connection(h.port, deadline) for _ in range(5)]
    reply = raw_request(h.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 503")
    for s in held:
        s.close()
    time.sleep(0.3)
    assert h.get("/healthz").status_code == 200


def network_threads(pid):
    """The serving threads: the main one plus the extra ones named hl-http."""
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            names.append(f.read().strip())
    return 1 + names.count("hl-http")


def test_network_threads_default_to_one_per_core_but_one(start_hookline):
    want = max(1, os.cpu_count() - 1)  # online cores, as the server counts them
    h = start_hookline()
    assert network_threads(h.proc.pid) == want
    suffix = "" if want == 1 else "s"
    assert f"({want} network thread{suffix}, database" in h.logs()
    h.stop()
    h3 = start_hookline(env={"HOOKLINE_THREADS": "3"})
    assert network_threads(h3.proc.pid) == 3
    # All of them serve: many connections at once are all answered.
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda _: requests.get(h3.url + "/healthz", timeout=5).status_code,
                              range(60)))
    assert codes == [200] * 60


def test_sigterm_finishes_in_flight_requests_and_exits_zero(hookline):
    acked = []
    stop = threading.Event()

    def sender(n):
        s = requests.Session()
        i = 0
        while not stop.is_set():
            eid = f"term_{n}_{i}"
            i += 1
            try:
                r = s.post(hookline.url + "/api/webhook/payment",
                           json={"event_id": eid, "event_type": "t"},
                           headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=5)
            except requests.RequestException:
                return
            if r.status_code == 200:
                acked.append(eid)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(sender, n) for n in range(8)]
        time.sleep(0.7)
        code = hookline.stop()
        stop.set()
        for f in futures:
            f.result()
    assert code == 0, hookline.logs()
    assert "stopped cleanly" in hookline.logs()
    stored = {r["id"] for r in hookline.query("SELECT id FROM EventLog")}
    assert len(acked) > 0
    assert set(acked) <= stored


def test_access_log_has_one_line_per_request_and_no_secrets(hookline):
    hookline.post_payment("evt_log", data={"card": "4111111111111111"})
    hookline.post_payment("evt_log2", secret="wrong-secret-value")
    hookline.stop()
    logs = hookline.logs()
    assert "method=POST path=/api/webhook/payment status=200" in logs
    assert "status=401" in logs
    assert WEBHOOK_SECRET not in logs
    assert "wrong-secret-value" not in logs
    assert "4111111111111111" not in logs


def test_metrics_need_the_admin_token_and_count(hookline):
    assert hookline.get("/metrics").status_code == 401
    hookline.post_payment("m1")
    hookline.post_payment("m1")
    r = hookline.admin("GET", "/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    assert "hookline_events_inserted_total 1" in text
    assert "hookline_events_duplicate_total 1" in text
    assert 'hookline_http_responses_total{class="2xx"}' in text
    assert "hookline_store_transactions_total" in text
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)

    def histogram(name):
        assert f"# TYPE {name} histogram" in text
        buckets = [(k, v) for k, v in samples.items() if k.startswith(name + "_bucket{")]
        assert buckets[-1][0] == name + '_bucket{le="+Inf"}'
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), "buckets are cumulative"
        assert samples[name + "_count"] == counts[-1]
        return samples[name + "_count"], samples[name + "_sum"]

    # The two webhooks and the 401 above were answered before this scrape.
    count, total = histogram("hookline_http_request_duration_seconds")
    assert count >= 3 and total > 0
    count, _ = histogram("hookline_store_commit_duration_seconds")
    assert count == samples["hookline_store_transactions_total"] >= 1
    count, total = histogram("hookline_store_wal_sync_duration_seconds")
    assert count == samples["hookline_store_wal_syncs_total"] >= 1
    assert abs(total - samples["hookline_store_sync_seconds_total"]) < 1e-3
