"""Webhook endpoints: CRUD, the secret shown only on create and rotate, validation, SSRF."""
import re
import time

import pytest

from outbound import FAST, create_assessment, create_endpoint, deliveries, wait_until
from receiver import Receiver

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")

HEX64 = re.compile(r"[0-9a-f]{64}")


def test_crud_and_secret_shown_only_on_create_and_rotate(hookline):
    ep = create_endpoint(hookline, "https://crm.example.com/hooks", description="CRM sync")
    assert ep["id"].startswith("ep_")
    assert HEX64.fullmatch(ep["secret"])  # 32 random bytes, hex
    assert ep["url"] == "https://crm.example.com/hooks"
    assert ep["events"] == ["render.completed"] and ep["enabled"] is True
    assert ep["description"] == "CRM sync" and ep["created_at"].endswith("Z")

    listed = hookline.admin("GET", "/api/endpoints").json()["items"]
    assert [e["id"] for e in listed] == [ep["id"]]
    assert "secret" not in listed[0]
    one = hookline.admin("GET", f"/api/endpoints/{ep['id']}").json()
    assert "secret" not in one and one["url"] == ep["url"]

    r = hookline.admin("PATCH", f"/api/endpoints/{ep['id']}", json={"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False and "secret" not in r.json()
    r = hookline.admin("PATCH", f"/api/endpoints/{ep['id']}",
                       json={"url": "https://crm.example.com/v2", "description": None})
    assert r.status_code == 200
    assert r.json()["url"] == "https://crm.example.com/v2" and r.json()["description"] is None

    r = hookline.admin("POST", f"/api/endpoints/{ep['id']}/secret/rotate")
    assert r.status_code == 200
    assert HEX64.fullmatch(r.json()["secret"]) and r.json()["secret"] != ep["secret"]
    [row] = hookline.query("SELECT secret FROM Endpoint")
    assert row["secret"] == r.json()["secret"]

    assert hookline.admin("DELETE", f"/api/endpoints/{ep['id']}").status_code == 204
    assert hookline.admin("GET", f"/api/endpoints/{ep['id']}").status_code == 404
    assert hookline.admin("DELETE", f"/api/endpoints/{ep['id']}").status_code == 404
    assert hookline.admin("PATCH", "/api/endpoints/ep_none", json={"enabled": True}).status_code == 404
    assert hookline.admin("POST", "/api/endpoints/ep_none/secret/rotate").status_code == 404


def test_given_secret_is_kept(hookline):
    ep = create_endpoint(hookline, "https://a.example.com/h", secret="my-own-secret-0123456789")
    assert ep["secret"] == "my-own-secret-0123456789"


def test_bad_input_is_422_naming_the_field_and_changes_nothing(hookline):
    cases = [
        ({"events": ["render.completed"]}, "url"),
        ({"url": "ftp://x.example.com/", "events": ["render.completed"]}, "url"),
        ({"url": "not a url", "events": ["render.completed"]}, "url"),
        ({"url": "https://user:pw@x.example.com/", "events": ["render.completed"]}, "url"),
        ({"url": "https://x.example.com/"}, "events"),
        ({"url": "https://x.example.com/", "events": []}, "events"),
        ({"url": "https://x.example.com/", "events": ["lead.created"]}, "events"),
        ({"url": "https://x.example.com/", "events": "render.completed"}, "events"),
        ({"url": "https://x.example.com/", "events": ["render.completed"], "secret": "short"}, "secret"),
        ({"url": "https://x.example.com/", "events": ["render.completed"], "enabled": "yes"}, "enabled"),
        ({"url": "https://x.example.com/", "events": ["render.completed"], "description": 5}, "description"),
    ]
    for body, field in cases:
        r = hookline.admin("POST", "/api/endpoints", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field and field in r.json()["error"], (body, r.text)
    r = hookline.admin("POST", "/api/endpoints", data="{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    r = hookline.admin("POST", "/api/endpoints", data="{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    ep = create_endpoint(hookline, "https://x.example.com/")
    for body in ({"url": "gopher://x"}, {"secret": "0123456789abcdef0123"}, {"color": "red"},
                 {"enabled": 1}):
        r = hookline.admin("PATCH", f"/api/endpoints/{ep['id']}", json=body)
        assert r.status_code == 422, (body, r.text)
    assert hookline.query("SELECT count(*) AS n FROM Endpoint")[0]["n"] == 1
    [row] = hookline.query("SELECT url, enabled FROM Endpoint")
    assert row["url"] == "https://x.example.com/" and row["enabled"] == 1


def test_endpoints_require_the_admin_token(hookline):
    assert hookline.get("/api/endpoints").status_code == 401
    r = hookline.post_json("/api/endpoints", {"url": "https://x.example.com/", "events": ["render.completed"]})
    assert r.status_code == 401
    r = hookline.admin("GET", "/api/endpoints", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert hookline.query("SELECT count(*) AS n FROM Endpoint")[0]["n"] == 0


def test_ssrf_private_addresses_are_refused_without_the_allow_flag(start_hookline):
    h = start_hookline(env={"HOOKLINE_ALLOW_PRIVATE_ENDPOINTS": None})
    for url in ["http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x",
                "http://192.168.0.10/x", "http://169.254.169.254/latest/meta-data",
                "http://[::1]:9000/x", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/"]:
        r = h.admin("POST", "/api/endpoints", json={"url": url, "events": ["render.completed"]})
        assert r.status_code == 422, (url, r.text)
        assert r.json()["field"] == "url" and "HOOKLINE_ALLOW_PRIVATE_ENDPOINTS" in r.json()["error"]
    # A public address literal needs no DNS and is accepted.
    ep = create_endpoint(h, "https://93.184.216.34/hooks")
    r = h.admin("PATCH", f"/api/endpoints/{ep['id']}", json={"url": "http://127.0.0.1/x"})
    assert r.status_code == 422
    assert h.query("SELECT url FROM Endpoint")[0]["url"] == "https://93.184.216.34/hooks"


def test_ssrf_connect_time_check_refuses_a_private_address_stored_anyway(start_hookline):
    """A name can resolve to a private address after the check (DNS rebinding): the client
    checks again at connect time. Simulated by writing such an endpoint into the table."""
    rx = Receiver()
    h = start_hookline(env={**FAST, "HOOKLINE_ALLOW_PRIVATE_ENDPOINTS": None,
                            "HOOKLINE_MAX_ATTEMPTS": "2"})
    h.execute("INSERT INTO Endpoint(id, url, secret, events, enabled, createdAt, updatedAt) "
              "VALUES('ep_rebind', ?, 's3cret-s3cret-s3cret', '[\"render.completed\"]', ?, "
              "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')", (rx.url, True))
    aid = create_assessment(h)
    d = wait_until(lambda: [x for x in deliveries(h, assessment_id=aid) if x["status"] == "failed"],
                   what="refused delivery")[0]
    one = h.admin("GET", f"/api/deliveries/{d['id']}").json()
    assert all("loopback" in a["error"] and a["http_status"] is None for a in one["attempts"])
    assert rx.count() == 0
    rx.close()


def test_disabled_endpoint_pauses_and_deleted_endpoint_fails_pending(start_hookline):
    rx = Receiver()
    h = start_hookline(env=FAST)
    ep = create_endpoint(h, rx.url)
    # Disable right after the delivery is queued: it stays pending while disabled.
    h.admin("PATCH", f"/api/endpoints/{ep['id']}", json={"enabled": False})
    h.execute("INSERT INTO Delivery(id, endpointId, event, assessmentId, webhookId, body, "
              "status, nextAttemptAt, createdAt, updatedAt) VALUES('dlv_manual', ?, "
              "'render.completed', 'FR-20260101-000001', 'FR-20260101-000001:render.completed', "
              "?, 'pending', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', "
              "'2026-01-01T00:00:00.000Z')", (ep["id"], b"{}"))  # body: the BLOB/bytea {}
    time.sleep(2.5)  # longer than the idle poll
    assert rx.count() == 0
    assert h.query("SELECT status FROM Delivery")[0]["status"] == "pending"
    assert h.admin("DELETE", f"/api/endpoints/{ep['id']}").status_code == 204
    [row] = h.query("SELECT status, lastError FROM Delivery")
    assert row["status"] == "failed" and row["lastError"] == "endpoint deleted"
    r = h.admin("POST", "/api/deliveries/dlv_manual/retry")
    assert r.status_code == 422 and "deleted" in r.json()["error"]
    rx.close()


def test_deleting_an_endpoint_fails_its_delivery_in_flight(start_hookline):
    rx = Receiver(default="hang", hang_seconds=3)
    h = start_hookline(env={**FAST, "HOOKLINE_DELIVERY_TIMEOUT_MS": "1000"})
    ep = create_endpoint(h, rx.url)
    create_assessment(h)
    rx.wait_for(1)
    assert h.admin("DELETE", f"/api/endpoints/{ep['id']}").status_code == 204
    time.sleep(1.5)  # the attempt times out; its result must not revive the delivery
    [row] = h.query("SELECT status, lastError, claimedBy FROM Delivery")
    assert row["status"] == "failed" and row["lastError"] == "endpoint deleted"
    assert row["claimedBy"] is None
    assert rx.count() == 1
    rx.close()
