"""POST /api/leads (the landing form) and GET /api/leads/{id} with the lead's timeline."""
import concurrent.futures
import json
import uuid

import pytest
import requests

from conftest import ADMIN_TOKEN

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")

GOOD = {"name": "Ada Lovelace", "email": "ada@example.com", "company": "Analytical Engines"}


def lead(**kw):
    body = dict(GOOD)
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None}


def snapshot(h):
    return (h.query("SELECT * FROM Lead ORDER BY id"),
            h.query("SELECT * FROM EventLog ORDER BY id"))


def test_new_lead_201_with_its_lead_created_event(hookline):
    body = lead(phone="+44 20 7946 0958", message="Hello\nWe raise in May.",
                anonymous_id="visitor-9", utm_source="newsletter", utm_medium="email",
                utm_campaign="spring", utm_term="review", utm_content="cta",
                referrer="https://news.example.org/post")
    r = hookline.post_json("/api/leads", body)
    assert r.status_code == 201, r.text
    assert r.headers["Cache-Control"] == "no-store"
    lead_id = r.json()["id"]
    assert set(r.json()) == {"id"}
    assert lead_id.startswith("lead_") and len(lead_id) == 5 + 24

    [row] = hookline.query("SELECT * FROM Lead")
    assert row["id"] == lead_id
    for key in ("name", "email", "company", "phone", "message", "anonymous_id", "utm_source",
                "utm_medium", "utm_campaign", "utm_term", "utm_content", "referrer"):
        assert row[key] == body[key], key
    assert row["createdAt"].endswith("Z")

    [ev] = hookline.query("SELECT * FROM EventLog")
    assert ev["type"] == "lead.created" and ev["source"] == "landing"
    assert ev["leadId"] == lead_id
    assert ev["createdAt"] == row["createdAt"]
    payload = json.loads(ev["payload"])
    assert payload["anonymous_id"] == "visitor-9" and payload["utm_source"] == "newsletter"
    assert "email" not in payload  # contact details stay in the Lead table


def test_same_email_returns_the_existing_lead(hookline):
    first = hookline.post_json("/api/leads", lead()).json()["id"]
    for email in ("ada@example.com", "  ADA@Example.COM  "):
        r = hookline.post_json("/api/leads", lead(email=email, name="Someone else"))
        assert r.status_code == 200, r.text
        assert r.json() == {"id": first}
    assert hookline.query("SELECT count(*) n FROM Lead")[0]["n"] == 1
    assert hookline.query("SELECT name FROM Lead")[0]["name"] == "Ada Lovelace"
    assert hookline.event_count() == 1


def test_concurrent_same_email_creates_one_lead(hookline):
    def post(i):
        return requests.post(hookline.url + "/api/leads",
                             json=lead(email="race@example.com", name=f"n{i}"), timeout=10)

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(post, range(32)))
    assert sorted(r.status_code for r in results) == [200] * 31 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert hookline.query("SELECT count(*) n FROM Lead")[0]["n"] == 1
    assert hookline.query("SELECT count(*) n FROM EventLog WHERE type='lead.created'")[0]["n"] == 1


def test_values_are_trimmed_and_optional_empties_left_out(hookline):
    r = hookline.post_json("/api/leads", lead(name="  Ada  ", phone="", message="   "))
    assert r.status_code == 201
    [row] = hookline.query("SELECT name, phone, message FROM Lead")
    assert row == {"name": "Ada", "phone": None, "message": None}


BAD = [
    ("missing name", lead(name=None), {"name"}),
    ("blank name", lead(name="   "), {"name"}),
    ("name not string", lead(name=5), {"name"}),
    ("name too long", lead(name="x" * 201), {"name"}),
    ("name control char", lead(name="a\u0000b"), {"name"}),
    ("name newline", lead(name="a\nb"), {"name"}),
    ("missing email", lead(email=None), {"email"}),
    ("email shape", lead(email="ada.example.com"), {"email"}),
    ("email no tld", lead(email="ada@example"), {"email"}),
    ("email too long", lead(email="a" * 250 + "@example.com"), {"email"}),
    ("missing company", lead(company=None), {"company"}),
    ("company array", lead(company=["x"]), {"company"}),
    ("phone letters", lead(phone="call me"), {"phone"}),
    ("phone too long", lead(phone="1" * 51), {"phone"}),
    ("message too long", lead(message="m" * 2001), {"message"}),
    ("utm too long", lead(utm_source="u" * 201), {"utm_source"}),
    ("referrer object", lead(referrer={"a": 1}), {"referrer"}),
    ("anonymous_id chars", lead(anonymous_id="a b"), {"anonymous_id"}),
    ("several", {"email": "nope"}, {"name", "email", "company"}),
]


@pytest.mark.parametrize("name,body,fields", BAD, ids=[b[0] for b in BAD])
def test_validation_422_with_field_messages_and_nothing_stored(hookline, name, body, fields):
    before = snapshot(hookline)
    r = hookline.post_json("/api/leads", body)
    assert r.status_code == 422, r.text
    data = r.json()
    assert isinstance(data["error"], str) and data["error"]
    assert set(data["fields"]) == fields
    assert all(isinstance(m, str) and m for m in data["fields"].values())
    if name in ("email shape", "email no tld", "several"):
        assert data["fields"]["email"] == "must be a valid email address"
    assert snapshot(hookline) == before


@pytest.mark.parametrize("raw", ["{", "[1]", "\"x\"", ""])
def test_malformed_json_is_400(hookline, raw):
    r = hookline.post_json("/api/leads", raw)
    assert r.status_code == 400
    assert "error" in r.json()
    assert snapshot(hookline) == ([], [])


def test_unicode_lengths_count_characters(hookline):
    r = hookline.post_json("/api/leads", lead(name="é" * 200, company="Ünïcödé GmbH"))
    assert r.status_code == 201, r.text
    assert hookline.post_json("/api/leads", lead(email="x@example.com", name="é" * 201)).status_code == 422


def test_body_limit_413(hookline):
    r = hookline.post_json("/api/leads", lead(message="m" * 40000))
    assert r.status_code == 413
    assert snapshot(hookline) == ([], [])


def test_get_lead_with_timeline_oldest_first(hookline):
    aid = "visitor-" + uuid.uuid4().hex[:8]
    hookline.post_json("/api/events", {"id": "pv1", "type": "page_view", "anonymous_id": aid})
    hookline.post_json("/api/events", {"id": "other", "type": "page_view", "anonymous_id": "someone"})
    lead_id = hookline.post_json("/api/leads", lead(anonymous_id=aid)).json()["id"]
    hookline.post_json("/api/events", {"id": "lc1", "type": "lead_created", "anonymous_id": aid,
                                       "lead_id": lead_id})
    hookline.post_payment("pay_1", data={"lead_id": lead_id, "amount": 4900})
    hookline.post_payment("pay_other", data={"lead_id": "lead_nobody"})

    r = hookline.admin("GET", f"/api/leads/{lead_id}")
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    data = r.json()
    assert data["lead"]["id"] == lead_id and data["lead"]["email"] == GOOD["email"]
    assert data["lead"]["anonymous_id"] == aid and data["lead"]["phone"] is None
    ids = [e["id"] for e in data["timeline"]]
    assert ids == ["landing:pv1", f"lead.created:{lead_id}", "landing:lc1", "pay_1"]
    pay = data["timeline"][-1]
    assert pay["source"] == "payment_service" and pay["payload"] == {"lead_id": lead_id, "amount": 4900}
    times = [e["created_at"] for e in data["timeline"]]
    assert times == sorted(times)


def test_get_lead_unknown_404_and_auth(hookline):
    r = hookline.admin("GET", "/api/leads/lead_doesnotexist")
    assert r.status_code == 404 and "error" in r.json()
    lead_id = hookline.post_json("/api/leads", lead()).json()["id"]
    assert hookline.get(f"/api/leads/{lead_id}").status_code == 401
    r = hookline.get(f"/api/leads/{lead_id}", headers={"Authorization": f"Bearer {ADMIN_TOKEN}x"})
    assert r.status_code == 401
    assert hookline.admin("GET", "/api/leads/" + "x" * 300).status_code == 404


def test_rate_limited_with_retry_after(start_hookline):
    h = start_hookline(env={"HOOKLINE_RATE_LIMIT_PER_MINUTE": "3"})
    for i in range(3):
        assert h.post_json("/api/leads", lead(email=f"a{i}@example.com")).status_code == 201
    r = h.post_json("/api/leads", lead(email="late@example.com"))
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1
    assert h.query("SELECT count(*) n FROM Lead")[0]["n"] == 3


def test_a_lead_survives_kill_9_after_201(start_hookline):
    h = start_hookline()
    lead_id = h.post_json("/api/leads", lead()).json()["id"]
    h.kill()
    assert h.query("SELECT id FROM Lead") == [{"id": lead_id}]
    assert h.query("SELECT leadId FROM EventLog") == [{"leadId": lead_id}]
