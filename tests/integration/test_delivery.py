"""Outbound render.completed delivery (seed 002, exact): a real local receiver, the real binary.

Every test uses small timings (outbound.FAST) so retries take milliseconds.
"""
import hashlib
import hmac
import json
import re
import socket
import subprocess
import time

import pytest

from conftest import free_port
from outbound import (FAST, create_assessment, create_endpoint, deliveries, delivery,
                      wait_delivery, wait_until)
from receiver import Receiver

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")

BODY_RE = re.compile(
    rb'^\{"event":"render\.completed","assessment_id":"(FR-\d{8}-\d{6})","status":"completed",'
    rb'"timestamp":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"\}$')


def sign(secret, body):
    """An independent implementation: Python's hmac, not hookline's code."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def attempts_of(h, aid):
    d = deliveries(h, assessment_id=aid)[0]
    return delivery(h, d["id"])


def test_happy_path_one_signed_post_with_exact_headers_and_body(start_hookline):
    rx = Receiver()
    h = start_hookline(env=FAST)
    ep = create_endpoint(h, rx.url, description="CRM")
    aid = create_assessment(h)

    d = wait_delivery(h, aid, "delivered")
    time.sleep(0.3)  # nothing else may arrive
    [req] = rx.requests
    assert req["path"] == "/hooks/hookline"
    body = req["body"]
    m = BODY_RE.match(body)
    assert m, body
    assert m.group(1).decode() == aid
    headers = req["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["x-webhook-attempt"] == "1"
    assert headers["x-webhook-id"] == f"{aid}:render.completed"
    assert headers["user-agent"].startswith("hookline/")
    sig = headers["x-webhook-signature"]
    assert re.fullmatch(r"[0-9a-f]{64}", sig)  # lowercase hex
    assert hmac.compare_digest(sig, sign(ep["secret"], body))
    assert json.loads(body) == {"event": "render.completed", "assessment_id": aid,
                                "status": "completed", "timestamp": m.group(2).decode()}

    # The admin API and the tables agree.
    assert d["endpoint_id"] == ep["id"] and d["event"] == "render.completed"
    assert d["attempts"] == 1 and d["next_attempt_at"] is None
    one = delivery(h, d["id"])
    assert one["delivery"]["body"].encode() == body
    [a] = one["attempts"]
    assert a["number"] == 1 and a["http_status"] == 200 and a["error"] is None
    assert a["duration_ms"] >= 0 and a["started_at"].endswith("Z")
    assert a["response_snippet"] == '{"received":true}'
    [row] = h.query("SELECT status, attempts, body FROM Delivery")
    assert row["status"] == "delivered" and row["attempts"] == 1 and row["body"] == body
    assert h.query("SELECT count(*) AS n FROM DeliveryAttempt")[0]["n"] == 1
    rx.close()


def test_500_500_200_three_attempts_same_bytes(start_hookline):
    rx = Receiver(script=[500, 500, 200])
    h = start_hookline(env=FAST)
    ep = create_endpoint(h, rx.url)
    aid = create_assessment(h)
    wait_delivery(h, aid, "delivered")
    time.sleep(0.3)
    reqs = rx.requests
    assert [r["headers"]["x-webhook-attempt"] for r in reqs] == ["1", "2", "3"]
    assert len({r["body"] for r in reqs}) == 1
    assert len({r["headers"]["x-webhook-id"] for r in reqs}) == 1
    assert all(r["headers"]["x-webhook-signature"] == sign(ep["secret"], r["body"]) for r in reqs)
    one = attempts_of(h, aid)
    assert [(a["number"], a["http_status"]) for a in one["attempts"]] == [(1, 500), (2, 500),
                                                                          (3, 200)]
    assert one["delivery"]["attempts"] == 3
    # Backoff: the second retry waits longer than the first (50 ms, then 100 ms, +-20%).
    gaps = [reqs[i + 1]["at"] - reqs[i]["at"] for i in range(2)]
    assert gaps[0] >= 0.035 and gaps[1] >= 0.075, gaps
    rx.close()


def test_always_500_exactly_max_attempts_then_failed_and_manual_retry(start_hookline):
    rx = Receiver(default=500)
    h = start_hookline(env={**FAST, "HOOKLINE_MAX_ATTEMPTS": "4"})
    ep = create_endpoint(h, rx.url)
    aid = create_assessment(h)
    d = wait_delivery(h, aid, "failed")
    time.sleep(0.8)  # a fifth attempt would be due long before this
    assert rx.count() == 4
    assert [r["headers"]["x-webhook-attempt"] for r in rx.requests] == ["1", "2", "3", "4"]
    one = delivery(h, d["id"])
    assert [a["http_status"] for a in one["attempts"]] == [500] * 4
    assert one["delivery"]["next_attempt_at"] is None
    assert one["delivery"]["last_error"] == "HTTP 500"

    # Only a failed delivery can be retried; unknown ids are 404.
    assert h.admin("POST", "/api/deliveries/dlv_nope/retry").status_code == 404
    rx.default = 200
    r = h.admin("POST", f"/api/deliveries/{d['id']}/retry")
    assert r.status_code == 202, r.text
    assert r.json()["delivery"]["status"] == "pending"
    wait_delivery(h, aid, "delivered")
    time.sleep(0.2)
    assert rx.count() == 5
    last = rx.requests[-1]
    assert last["headers"]["x-webhook-attempt"] == "1"  # a new attempt series
    assert last["body"] == rx.requests[0]["body"]
    assert last["headers"]["x-webhook-id"] == rx.requests[0]["headers"]["x-webhook-id"]
    assert last["headers"]["x-webhook-signature"] == sign(ep["secret"], last["body"])
    one = delivery(h, d["id"])
    assert [(a["series"], a["number"]) for a in one["attempts"]][-1] == (2, 1)
    assert one["delivery"]["series"] == 2 and one["delivery"]["status"] == "delivered"
    r = h.admin("POST", f"/api/deliveries/{d['id']}/retry")
    assert r.status_code == 409  # delivered: never sent again
    time.sleep(0.2)
    assert rx.count() == 5
    rx.close()


def test_retry_after_on_429_is_honoured_and_the_snippet_is_capped(start_hookline):
    big = b"x" * 100_000  # a receiver cannot make us keep (or show) megabytes
    rx = Receiver(script=[{"status": 429, "headers": {"Retry-After": "1"}, "body": big}, 200])
    h = start_hookline(env=FAST)
    create_endpoint(h, rx.url)
    aid = create_assessment(h)
    wait_delivery(h, aid, "delivered")
    first, second = rx.requests
    assert second["at"] - first["at"] >= 0.95  # Retry-After: 1 beats the 50 ms backoff
    one = attempts_of(h, aid)
    assert one["attempts"][0]["http_status"] == 429
    assert 0 < len(one["attempts"][0]["response_snippet"]) <= 1024
    rx.close()


def test_hanging_receiver_times_out_and_is_retried(start_hookline):
    rx = Receiver(script=["hang", 200], hang_seconds=3)
    h = start_hookline(env=FAST)
    create_endpoint(h, rx.url)
    aid = create_assessment(h)
    wait_delivery(h, aid, "delivered", timeout=10)
    one = attempts_of(h, aid)
    first, second = one["attempts"]
    assert first["http_status"] is None and "timeout" in first["error"]
    assert 400 <= first["duration_ms"] <= 2000
    assert second["http_status"] == 200
    rx.close()


def test_connection_closed_without_answer_is_retried(start_hookline):
    rx = Receiver(script=["close", 200])
    h = start_hookline(env=FAST)
    create_endpoint(h, rx.url)
    aid = create_assessment(h)
    wait_delivery(h, aid, "delivered")
    one = attempts_of(h, aid)
    assert one["attempts"][0]["http_status"] is None and one["attempts"][0]["error"]
    assert one["attempts"][-1]["http_status"] == 200
    rx.close()


def test_connection_refused_is_retried_until_the_receiver_is_up(start_hookline):
    port = free_port()
    h = start_hookline(env={**FAST, "HOOKLINE_RETRY_BASE_MS": "300", "HOOKLINE_MAX_ATTEMPTS": "8"})
    create_endpoint(h, f"http://127.0.0.1:{port}/hooks/hookline")
    aid = create_assessment(h)
    wait_until(lambda: h.query("SELECT count(*) AS n FROM DeliveryAttempt")[0]["n"] >= 1,
               what="a refused attempt")
    rx = Receiver(port=port)
    wait_delivery(h, aid, "delivered", timeout=20)
    one = attempts_of(h, aid)
    assert "refused" in one["attempts"][0]["error"].lower()
    assert one["attempts"][-1]["http_status"] == 200
    assert rx.count() == 1
    rx.close()


def test_sigkill_between_attempts_delivers_after_restart_exactly_once(start_hookline):
    rx = Receiver(script=[500], default=200)
    env = {**FAST, "HOOKLINE_RETRY_BASE_MS": "1500", "HOOKLINE_RETRY_FACTOR": "1"}
    h = start_hookline(env=env)
    create_endpoint(h, rx.url)
    aid = create_assessment(h)
    wait_until(lambda: h.query("SELECT attempts FROM Delivery WHERE attempts = 1"),
               what="attempt 1 recorded")
    assert rx.count() == 1
    h.kill()  # SIGKILL before the retry is due

    h2 = start_hookline(env=env, port=h.port)  # same folder, same database
    wait_delivery(h2, aid, "delivered", timeout=15)
    time.sleep(0.5)
    assert [r["answer"] for r in rx.requests] == [500, 200]  # exactly one success
    assert [r["headers"]["x-webhook-attempt"] for r in rx.requests] == ["1", "2"]
    assert rx.requests[0]["body"] == rx.requests[1]["body"]
    rx.close()


def test_sigkill_between_send_and_record_resends_once_with_the_same_webhook_id(start_hookline):
    """At-least-once: the receiver got attempt 1 but hookline died before recording it. After
    the claim's lease ends (2 x timeout + 5 s) the restarted hookline records attempt 1 as
    interrupted and sends attempt 2 - the same X-Webhook-Id and bytes, so the receiver can
    dedupe - and then never again."""
    rx = Receiver(script=["hang"], default=200, hang_seconds=3)
    h = start_hookline(env=FAST)
    create_endpoint(h, rx.url)
    aid = create_assessment(h)
    rx.wait_for(1)
    h.kill()  # the attempt is in flight: sent, not recorded
    assert h.query("SELECT status FROM Delivery")[0]["status"] == "delivering"
    h2 = start_hookline(env=FAST, port=h.port)
    wait_delivery(h2, aid, "delivered", timeout=20)
    time.sleep(0.5)
    first, second = rx.requests
    assert first["headers"]["x-webhook-id"] == second["headers"]["x-webhook-id"]
    assert first["body"] == second["body"]
    assert first["headers"]["x-webhook-attempt"] == "1"
    assert second["headers"]["x-webhook-attempt"] == "2"  # attempt 1 counts, interrupted
    assert second["at"] - first["at"] >= 5
    assert [r["answer"] for r in rx.requests].count(200) == 1
    [d] = deliveries(h2, assessment_id=aid)
    detail = delivery(h2, d["id"])
    one, two = detail["attempts"]
    assert one["number"] == 1 and one["http_status"] is None
    assert one["error"].startswith("interrupted: no result was recorded")
    assert two["number"] == 2 and two["http_status"] == 200
    rx.close()


def test_render_completed_is_queued_once_per_enabled_subscribed_endpoint(start_hookline):
    a, b, off = Receiver(), Receiver(), Receiver()
    h = start_hookline(env=FAST)
    ea = create_endpoint(h, a.url)
    eb = create_endpoint(h, b.url)
    eo = create_endpoint(h, off.url, enabled=False)
    aid = create_assessment(h)
    wait_until(lambda: len([d for d in deliveries(h, assessment_id=aid)
                            if d["status"] == "delivered"]) == 2, what="two deliveries")
    time.sleep(0.3)
    assert a.count() == 1 and b.count() == 1 and off.count() == 0
    ids = {d["endpoint_id"] for d in deliveries(h, assessment_id=aid)}
    assert ids == {ea["id"], eb["id"]}
    # Each receiver verifies with its own secret; the X-Webhook-Id is the same.
    assert a.requests[0]["headers"]["x-webhook-signature"] == sign(ea["secret"], a.requests[0]["body"])
    assert b.requests[0]["headers"]["x-webhook-signature"] == sign(eb["secret"], b.requests[0]["body"])
    assert eo["enabled"] is False
    # Filters and paging of the list.
    assert [d["endpoint_id"] for d in deliveries(h, endpoint_id=ea["id"])] == [ea["id"]]
    assert len(deliveries(h, status="delivered")) == 2
    assert deliveries(h, status="failed") == []
    assert h.admin("GET", "/api/deliveries", params={"status": "bogus"}).status_code == 400
    page = h.admin("GET", "/api/deliveries", params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    page2 = h.admin("GET", "/api/deliveries", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert len(page2["items"]) == 1 and page2["items"][0]["id"] != page["items"][0]["id"]
    assert page2["next_cursor"] is None
    for rx in (a, b, off):
        rx.close()


def test_many_deliveries_in_flight_are_not_slowed_by_one_hanging_receiver(start_hookline):
    slow = Receiver(default="hang", hang_seconds=6)
    fast = Receiver()
    h = start_hookline(env={**FAST, "HOOKLINE_DELIVERY_TIMEOUT_MS": "4000"})
    create_endpoint(h, slow.url)
    create_endpoint(h, fast.url)
    for _ in range(10):
        create_assessment(h)
    fast.wait_for(10, timeout=10)
    slow.wait_for(10, timeout=10)
    assert fast.count() == 10 and slow.count() == 10
    # Every fast delivery arrived while the slow receiver still held all of its requests (each
    # attempt there lasts 4 s): the slow one tied up only its own connections.
    first_slow = min(r["at"] for r in slow.requests)
    assert max(r["at"] for r in fast.requests) < first_slow + 3.5
    assert h.query("SELECT count(*) AS n FROM Delivery WHERE status = 'delivering'")[0]["n"] >= 1
    slow.close()
    fast.close()


def test_deliveries_api_requires_the_admin_token(hookline):
    assert hookline.get("/api/deliveries").status_code == 401
    assert hookline.get("/api/deliveries/x").status_code == 401
    assert hookline.request("POST", "/api/deliveries/x/retry").status_code == 401
    assert hookline.admin("GET", "/api/deliveries/dlv_missing").status_code == 404



def test_delivery_concurrency_bounds_the_attempts_in_flight_per_endpoint(start_hookline):
    slow = Receiver(default="hang", hang_seconds=6)
    h = start_hookline(env={**FAST, "HOOKLINE_DELIVERY_TIMEOUT_MS": "4000",
                            "HOOKLINE_DELIVERY_CONCURRENCY": "2"})
    create_endpoint(h, slow.url)
    for _ in range(5):
        create_assessment(h)
    slow.wait_for(2, timeout=10)
    # Five deliveries are due, but the two attempts in flight (each lasting up to 4 s) hold the
    # endpoint's two slots: no third request starts meanwhile.
    time.sleep(1.5)
    assert slow.count() == 2
    assert h.query("SELECT count(*) AS n FROM Delivery WHERE status = 'delivering'")[0]["n"] == 2
    slow.close()


@pytest.mark.parametrize("value", ["0", "1025", "many"])
def test_delivery_concurrency_out_of_range_is_refused_at_start(start_hookline, value):
    h = start_hookline(env={"HOOKLINE_DELIVERY_CONCURRENCY": value}, wait=False)
    assert h.proc.wait(10) != 0
    assert "HOOKLINE_DELIVERY_CONCURRENCY" in h.logs() or "delivery-concurrency" in h.logs()


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 made by the openssl command line, and its key."""
    cert, key = folder / "receiver.crt", folder / "receiver.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=hookline test receiver", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


def test_https_endpoint_is_verified_against_the_trust_store(start_hookline, tmp_path):
    # The trust store is loaded on the first TLS connection, not at start-up: an untrusted
    # certificate fails the attempt with the reason, and the same certificate made trusted
    # (SSL_CERT_FILE, which OpenSSL reads with the system's defaults) is delivered to.
    rx = Receiver(tls=self_signed_certificate(tmp_path))
    h = start_hookline(env={**FAST, "HOOKLINE_MAX_ATTEMPTS": "1"})
    create_endpoint(h, rx.url)
    aid = create_assessment(h)
    d = wait_delivery(h, aid, "failed")
    [a] = delivery(h, d["id"])["attempts"]
    assert "certificate verify failed: self-signed certificate" in a["error"], a["error"]
    assert rx.count() == 0
    h.stop()

    trusted = start_hookline(env={**FAST, "SSL_CERT_FILE": str(tmp_path / "receiver.crt")})
    assert trusted.admin("POST", f"/api/deliveries/{d['id']}/retry").status_code == 202
    wait_delivery(trusted, aid, "delivered")
    [req] = rx.wait_for(1)
    assert BODY_RE.match(req["body"]), req["body"]
    rx.close()
