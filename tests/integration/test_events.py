"""POST /api/events: landing page funnel events into EventLog (source 'landing')."""
import json
import uuid

import pytest
import requests

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")


def event(**kw):
    body = {"id": str(uuid.uuid4()), "type": "page_view", "anonymous_id": "visitor-1"}
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None}


def snapshot(h):
    return h.query("SELECT id, type, source, payload, leadId, createdAt FROM EventLog ORDER BY id")


def test_new_event_is_stored_and_a_retry_is_ignored(hookline):
    body = event(type="form_start", lead_id="lead_abc",
                 props={"path": "/", "n": 3, "ok": True, "none": None})
    r = hookline.post_json("/api/events", body, headers={"User-Agent": "pytest-agent/1"})
    assert r.status_code == 202, r.text
    assert r.json() == {"status": "accepted", "id": "landing:" + body["id"]}
    assert r.headers["Cache-Control"] == "no-store"

    r2 = hookline.post_json("/api/events", body)
    assert r2.status_code == 200
    assert r2.json() == {"status": "duplicate_ignored", "id": "landing:" + body["id"]}

    [row] = hookline.query("SELECT * FROM EventLog")
    assert row["id"] == "landing:" + body["id"]
    assert row["type"] == "form_start" and row["source"] == "landing"
    assert row["leadId"] == "lead_abc"
    assert json.loads(row["payload"]) == {
        "anonymous_id": "visitor-1", "props": {"path": "/", "n": 3, "ok": True, "none": None},
        "user_agent": "pytest-agent/1"}
    assert row["createdAt"].endswith("Z") and len(row["createdAt"]) == 24


def test_without_client_id_each_send_is_a_new_event(hookline):
    body = event(id=None)
    ids = {hookline.post_json("/api/events", body).json()["id"] for _ in range(3)}
    assert len(ids) == 3 and all(i.startswith("landing:") for i in ids)
    assert hookline.event_count() == 3


def test_client_ids_cannot_collide_with_payment_ids(hookline):
    # A visitor who guesses a payment event id must not make the real payment a duplicate.
    assert hookline.post_json("/api/events", event(id="evt_42")).status_code == 202
    r = hookline.post_payment("evt_42")
    assert r.json() == {"status": "ok"}
    assert hookline.event_count() == 2


BAD = [
    ("not json", "{", "not valid JSON"),
    ("array", "[]", "JSON object"),
    ("no type", event(type=None), "type is required"),
    ("type number", event(type=5), "type must"),
    ("type uppercase", event(type="Page_view"), "type must"),
    ("type leading digit", event(type="1x"), "type must"),
    ("type dash", event(type="page-view"), "type must"),
    ("type too long", event(type="a" * 65), "type must"),
    ("no anonymous_id", event(anonymous_id=None), "anonymous_id is required"),
    ("anonymous_id empty", event(anonymous_id=""), "anonymous_id must"),
    ("anonymous_id too long", event(anonymous_id="a" * 129), "anonymous_id must"),
    ("anonymous_id bad chars", event(anonymous_id="a b"), "anonymous_id must"),
    ("anonymous_id number", event(anonymous_id=7), "anonymous_id must be a string"),
    ("id bad chars", event(id="x:y"), "id must"),
    ("id too long", event(id="x" * 129), "id must"),
    ("lead_id bad", event(lead_id="<script>"), "lead_id must"),
    ("props not object", event(props=[1]), "props must be a JSON object"),
    ("props nested", event(props={"a": {"b": 1}}), "props.a must"),
    ("props array value", event(props={"a": [1]}), "props.a must"),
    ("props too many", event(props={f"k{i}": i for i in range(33)}), "at most 32 keys"),
    ("props key too long", event(props={"k" * 65: 1}), "props keys"),
    ("props key chars", event(props={"a b": 1}), "props keys"),
    ("props value too long", event(props={"v": "x" * 1025}), "longer than 1024"),
]


@pytest.mark.parametrize("name,body,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_400_and_changes_nothing(hookline, name, body, message):
    before = snapshot(hookline)
    r = hookline.post_json("/api/events", body)
    assert r.status_code == 400, r.text
    assert message in r.json()["error"]
    assert snapshot(hookline) == before


def test_32_props_and_64_char_type_are_accepted(hookline):
    r = hookline.post_json("/api/events", event(type="a" * 64, props={f"k{i}": i for i in range(32)}))
    assert r.status_code == 202, r.text


def test_body_over_8_kib_is_413(hookline):
    body = event(props={"pad": "x" * 1000})
    raw = json.dumps(body)
    raw = raw[:-1] + ', "padding": "' + "y" * (8192 - len(raw)) + '"}'
    assert len(raw) > 8192
    r = hookline.post_json("/api/events", raw)
    assert r.status_code == 413
    assert "error" in r.json()
    assert hookline.event_count() == 0
    # Just under the limit is fine.
    ok = json.dumps(event(props={"pad": "x" * 1000}))
    assert hookline.post_json("/api/events", ok).status_code == 202


def test_wrong_content_type_is_415(hookline):
    r = hookline.request("POST", "/api/events", data=json.dumps(event()),
                         headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert hookline.event_count() == 0


def test_get_without_token_is_401_and_post_needs_none(hookline):
    assert hookline.get("/api/events").status_code == 401
    assert hookline.get("/api/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert hookline.post_json("/api/events", event()).status_code == 202


def test_rate_limit_per_ip_429_with_retry_after(start_hookline):
    h = start_hookline(env={"HOOKLINE_RATE_LIMIT_PER_MINUTE": "5"})
    codes = [h.post_json("/api/events", event()).status_code for _ in range(5)]
    assert codes == [202] * 5
    r = h.post_json("/api/events", event())
    assert r.status_code == 429
    assert "error" in r.json()
    assert 1 <= int(r.headers["Retry-After"]) <= 12
    assert h.event_count() == 5
    # The leads route has its own budget.
    r = h.post_json("/api/leads", {"name": "A", "email": "a@example.com", "company": "C"})
    assert r.status_code == 201


def test_rate_limit_behind_a_proxy_counts_the_forwarded_client(start_hookline):
    h = start_hookline(env={"HOOKLINE_RATE_LIMIT_PER_MINUTE": "3",
                            "HOOKLINE_TRUSTED_PROXY_HOPS": "1"})

    def post(xff):
        return h.post_json("/api/events", event(), headers={"X-Forwarded-For": xff}).status_code

    # One proxy appends the address it saw; what the client wrote before it is not trusted.
    assert [post("203.0.113.7") for _ in range(3)] == [202] * 3
    assert post("203.0.113.7") == 429
    assert post("198.51.100.1, 203.0.113.7") == 429  # a forged entry on the left changes nothing
    assert post("203.0.113.8") == 202  # another visitor behind the same proxy has a budget
    assert h.event_count() == 4


def test_forwarded_for_is_ignored_without_trusted_proxies(start_hookline):
    h = start_hookline(env={"HOOKLINE_RATE_LIMIT_PER_MINUTE": "2"})
    codes = [h.post_json("/api/events", event(), headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
             for i in range(3)]
    assert codes == [202, 202, 429]  # a client cannot buy a new budget with a made-up header


def test_rate_limit_off_with_zero(start_hookline):
    h = start_hookline(env={"HOOKLINE_RATE_LIMIT_PER_MINUTE": "0"})
    s = requests.Session()
    for _ in range(50):
        assert s.post(h.url + "/api/events", json=event(id=None), timeout=10).status_code == 202
