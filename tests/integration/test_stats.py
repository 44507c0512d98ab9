"""GET /api/stats/funnel: the funnel numbers from a known set of events."""
import json

import pytest

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")


def event_row(eid, type_, source, created, aid=None, lead_id=None, payload=None):
    if payload is None:
        payload = {"anonymous_id": aid, "props": {}}
    return (eid, type_, source, json.dumps(payload), lead_id, created)


@pytest.fixture
def known(hookline):
    """Three days of a small funnel, written straight into the database."""
    d1, d2, d3 = "2026-03-01T10:00:00.000Z", "2026-03-02T23:59:59.999Z", "2026-03-03T00:00:00.000Z"
    events = []
    # Visitors: a (day 1 and 2), b (day 1), c (day 2), d (day 3); a page_view twice on day 1.
    for eid, aid, t in [("pv1", "a", d1), ("pv2", "a", d1), ("pv3", "b", d1), ("pv4", "a", d2),
                        ("pv5", "c", d2), ("pv6", "d", d3)]:
        events.append(event_row(eid, "page_view", "landing", t, aid=aid))
    for eid, aid, t in [("fs1", "a", d1), ("fs2", "c", d2), ("fs3", "c", d2)]:
        events.append(event_row(eid, "form_start", "landing", t, aid=aid))
    # Noise that must not count: another source's page_view, a scroll event.
    events.append(event_row("x1", "page_view", "payment_service", d1, aid="zz"))
    events.append(event_row("x2", "scroll_50", "landing", d1, aid="a"))
    # Payments: lead_a twice (counts as one paying lead), lead_old (known, created before
    # the range: it paid in the range), an unknown lead, one without a lead, a failed one,
    # and a success-typed event from the landing page (not the payment service).
    pay = "payment_service"
    events += [
        event_row("pay1", "payment.succeeded", pay, d1, lead_id="lead_a", payload={}),
        event_row("pay2", "payment.succeeded", pay, d2, lead_id="lead_a", payload={}),
        event_row("pay3", "payment.succeeded", pay, d3, lead_id="lead_old", payload={}),
        event_row("pay4", "payment.succeeded", pay, d2, lead_id="lead_ghost", payload={}),
        event_row("pay5", "payment.succeeded", pay, d2, payload={}),
        event_row("pay6", "payment.failed", pay, d2, lead_id="lead_c", payload={}),
        event_row("pay7", "payment.succeeded", "landing", d2, lead_id="lead_c", payload={}),
    ]
    hookline.executemany("INSERT INTO EventLog(id, type, source, payload, leadId, createdAt) "
                         "VALUES(?,?,?,?,?,?)", events)
    hookline.executemany(
        "INSERT INTO Lead(id, name, email, company, createdAt) VALUES(?,?,?,?,?)",
        [(lid, "N", email, "C", created) for lid, email, created in [
            ("lead_a", "a@example.com", d1), ("lead_c", "c@example.com", d2),
            ("lead_old", "old@example.com", "2026-01-01T00:00:00.000Z")]])
    return hookline


def funnel(h, **params):
    r = h.admin("GET", "/api/stats/funnel", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_totals_rates_and_days(known):
    data = funnel(known, since="2026-03-01", until="2026-03-04", bucket="day")
    assert data["since"] == "2026-03-01T00:00:00.000Z" and data["until"] == "2026-03-04T00:00:00.000Z"
    assert data["bucket"] == "day" and data["payment_types"] == ["payment.succeeded"]
    assert (data["visitors"], data["form_starts"], data["leads"]) == (4, 2, 2)
    assert data["paying_leads"] == 2      # lead_a and lead_old; not lead_ghost
    assert data["payments"] == 5          # pay1..pay5: the unknown lead and no lead included
    rates = data["rates"]
    assert rates["visitor_to_form_start"] == pytest.approx(0.5)
    assert rates["form_start_to_lead"] == pytest.approx(1.0)
    assert rates["visitor_to_lead"] == pytest.approx(0.5)
    assert rates["lead_to_paying"] == pytest.approx(1.0)
    # Written as people write them, not in Boost.JSON 1.81's 5E-1 / 1E0.
    text = known.admin("GET", "/api/stats/funnel", params={"since": "2026-03-01", "until": "2026-03-04"}).text
    assert ('"rates":{"visitor_to_form_start":0.5,"form_start_to_lead":1,'
            '"visitor_to_lead":0.5,"lead_to_paying":1}') in text
    days = {b["start"][:10]: b for b in data["buckets"]}
    assert list(days) == ["2026-03-01", "2026-03-02", "2026-03-03"]
    pick = lambda d: tuple(days[d][k] for k in ("visitors", "form_starts", "leads", "paying_leads", "payments"))
    assert pick("2026-03-01") == (2, 1, 1, 1, 1)
    assert pick("2026-03-02") == (2, 1, 1, 1, 3)
    assert pick("2026-03-03") == (1, 0, 0, 1, 1)


def test_range_is_half_open_and_empty_days_are_zero(known):
    data = funnel(known, since="2026-03-02T00:00:00Z", until="2026-03-03T00:00:00Z")
    assert (data["visitors"], data["leads"], data["payments"]) == (2, 1, 3)
    assert [b["start"] for b in data["buckets"]] == ["2026-03-02T00:00:00.000Z"]
    data = funnel(known, since="2026-02-27", until="2026-03-01")
    assert data["visitors"] == 0 and len(data["buckets"]) == 2
    assert all(b["visitors"] == 0 and b["payments"] == 0 for b in data["buckets"])
    assert data["rates"]["visitor_to_lead"] is None  # nothing to divide by


def test_configurable_payment_types(start_hookline):
    h = start_hookline(env={"HOOKLINE_PAYMENT_SUCCESS_TYPES": "payment.succeeded,charge.paid"})
    lead_id = h.post_json("/api/leads", {"name": "A", "email": "a@example.com", "company": "C"}).json()["id"]
    h.post_payment("c1", event_type="charge.paid", data={"lead_id": lead_id})
    h.post_payment("c2", event_type="payment.failed", data={"lead_id": lead_id})
    data = funnel(h)
    assert data["payment_types"] == ["payment.succeeded", "charge.paid"]
    assert (data["leads"], data["paying_leads"], data["payments"]) == (1, 1, 1)


def test_end_to_end_through_the_api_defaults_to_the_last_30_days(hookline):
    for aid in ("v1", "v2", "v3"):
        hookline.post_json("/api/events", {"type": "page_view", "anonymous_id": aid})
    hookline.post_json("/api/events", {"type": "form_start", "anonymous_id": "v1"})
    lead_id = hookline.post_json("/api/leads", {"name": "A", "email": "a@example.com",
                                                "company": "C", "anonymous_id": "v1"}).json()["id"]
    hookline.post_payment("p1", data={"lead_id": lead_id})
    hookline.post_payment("p2", data={"lead_id": 987654})  # a lead this service never saw
    data = funnel(hookline)
    assert len(data["buckets"]) == 30
    assert data["buckets"][-1]["visitors"] == 3
    assert (data["visitors"], data["form_starts"], data["leads"], data["paying_leads"],
            data["payments"]) == (3, 1, 1, 1, 2)
    assert data["rates"]["lead_to_paying"] == pytest.approx(1.0)
    assert data["rates"]["visitor_to_lead"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("params,name", [
    ({"since": "soon"}, "since"), ({"until": "2026-02-30"}, "until"), ({"bucket": "week"}, "bucket"),
    ({"since": "2026-03-02", "until": "2026-03-01"}, "since"),
    ({"since": "2020-01-01", "until": "2026-01-01"}, "the range"),
])
def test_bad_parameters_400(hookline, params, name):
    r = hookline.admin("GET", "/api/stats/funnel", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(name)


def test_needs_the_token(hookline):
    assert hookline.get("/api/stats/funnel").status_code == 401
