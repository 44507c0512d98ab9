"""Admin API: GET /api/events and GET /api/leads — auth, filters, keyset paging, bad parameters."""
import threading
import time
import uuid

import pytest

from conftest import ADMIN_TOKEN

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")


def post_event(h, type_="page_view", aid="v1", lead_id=None, eid=None):
    body = {"id": eid or uuid.uuid4().hex, "type": type_, "anonymous_id": aid}
    if lead_id:
        body["lead_id"] = lead_id
    r = h.post_json("/api/events", body)
    assert r.status_code == 202, r.text
    return r.json()["id"]


def page_all(h, path, **params):
    """Every item of a listing, following next_cursor."""
    items, cursor = [], None
    while True:
        q = dict(params)
        if cursor:
            q["cursor"] = cursor
        r = h.admin("GET", path, params=q)
        assert r.status_code == 200, r.text
        data = r.json()
        items += data["items"]
        cursor = data["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("path", ["/api/events", "/api/leads", "/api/leads/x", "/api/stats/funnel"])
def test_admin_routes_need_the_token(hookline, path):
    assert hookline.get(path).status_code == 401
    for auth in ("Bearer wrong", f"Basic {ADMIN_TOKEN}", ADMIN_TOKEN, "Bearer ", f"Bearer {ADMIN_TOKEN}x"):
        r = hookline.get(path, headers={"Authorization": auth})
        assert r.status_code == 401, auth
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.headers["Cache-Control"] == "no-store"
        assert "error" in r.json()
    assert hookline.get(path, headers={"Authorization": f"bearer {ADMIN_TOKEN}"}).status_code != 401


def test_events_newest_first_with_payload_as_json(hookline):
    a = post_event(hookline, "page_view")
    time.sleep(0.005)
    b = post_event(hookline, "form_start", lead_id="lead_1")
    hookline.post_payment("pay_1", data={"lead_id": "lead_1", "note": "<script>alert(1)</script>"})
    r = hookline.admin("GET", "/api/events")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    data = r.json()
    assert data["next_cursor"] is None
    assert [e["id"] for e in data["items"]] == ["pay_1", b, a]
    pay = data["items"][0]
    assert set(pay) == {"id", "type", "source", "lead_id", "payload", "created_at"}
    assert pay["payload"] == {"lead_id": "lead_1", "note": "<script>alert(1)</script>"}
    assert pay["lead_id"] == "lead_1" and data["items"][2]["lead_id"] is None


def test_event_filters(hookline):
    post_event(hookline, "page_view", aid="a")
    post_event(hookline, "form_start", aid="a", lead_id="lead_x")
    post_event(hookline, "page_view", aid="b", lead_id="lead_y")
    hookline.post_payment("p1", data={"lead_id": "lead_x"})
    hookline.post_payment("p2", event_type="payment.failed", data={})

    def ids(**params):
        return sorted(e["id"] for e in page_all(hookline, "/api/events", **params))

    assert len(ids()) == 5
    assert ids(source="payment_service") == ["p1", "p2"]
    assert len(ids(source="landing")) == 3
    assert len(ids(type="page_view")) == 2
    assert ids(type="payment.succeeded") == ["p1"]
    assert len(ids(lead_id="lead_x")) == 2
    assert len(ids(source="landing", lead_id="lead_x")) == 1
    assert ids(source="nobody") == []
    # Time window: everything so far is before `until=now+1h` and after `since=1h ago`.
    now = time.time()
    fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    assert len(ids(since=fmt(now - 3600), until=fmt(now + 3600))) == 5
    assert ids(since=fmt(now + 3600)) == []
    assert ids(until="2000-01-01") == []


def test_paging_visits_every_event_once(hookline):
    made = {post_event(hookline, eid=f"e{i:03d}") for i in range(23)}
    r = hookline.admin("GET", "/api/events", params={"limit": 10})
    data = r.json()
    assert len(data["items"]) == 10 and data["next_cursor"]
    got = page_all(hookline, "/api/events", limit=10)
    assert len(got) == 23 and {e["id"] for e in got} == made
    keys = [(e["created_at"], e["id"]) for e in got]
    assert keys == sorted(keys, reverse=True)
    assert len(page_all(hookline, "/api/events", limit=1)) == 23


def test_paging_is_stable_under_concurrent_inserts(start_hookline):
    h = start_hookline(env={"HOOKLINE_RATE_LIMIT_PER_MINUTE": "0"})
    for i in range(60):
        post_event(h, eid=f"old{i:03d}")
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            post_event(h, eid=f"new{n:05d}")
            n += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen, cursor = [], None
        while True:
            params = {"limit": 7, "source": "landing"}
            if cursor:
                params["cursor"] = cursor
            data = h.admin("GET", "/api/events", params=params).json()
            seen += [e["id"] for e in data["items"]]
            cursor = data["next_cursor"]
            time.sleep(0.01)  # let the writer insert between pages
            if not cursor:
                break
    finally:
        stop.set()
        t.join()
    assert len(seen) == len(set(seen)), "a row was repeated across pages"
    old = [i for i in seen if i.startswith("landing:old")]
    assert sorted(old) == sorted(f"landing:old{i:03d}" for i in range(60)), "a row was skipped"


BAD_PARAMS = [
    ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"limit": "5x"}, "limit"), ({"limit": "-1"}, "limit"),
    ({"since": "yesterday"}, "since"), ({"until": "2026-13-01"}, "until"),
    ({"cursor": "garbage!"}, "cursor"), ({"cursor": "Zm9v"}, "cursor"),
    ({"source": "s" * 65}, "source"), ({"type": "t" * 256}, "type"),
]


@pytest.mark.parametrize("params,name", BAD_PARAMS, ids=[str(p[0])[:40] for p in BAD_PARAMS])
def test_bad_event_parameters_are_400_naming_the_parameter(hookline, params, name):
    r = hookline.admin("GET", "/api/events", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith(name)


def test_limit_500_is_the_maximum(hookline):
    assert hookline.admin("GET", "/api/events", params={"limit": "500"}).status_code == 200


def test_leads_list_search_and_paging(hookline):
    people = [("Ada Lovelace", "ada@engines.example", "Analytical Engines"),
              ("Grace Hopper", "grace@navy.example", "US Navy"),
              ("Alan Turing", "alan@bletchley.example", "Bletchley Park"),
              ("Edsger 100%_Dijkstra", "ewd@tue.example", "Eindhoven")]
    ids = []
    for name, email, company in people:
        r = hookline.post_json("/api/leads", {"name": name, "email": email, "company": company,
                                              "utm_source": "test"})
        ids.append(r.json()["id"])
        time.sleep(0.003)

    r = hookline.admin("GET", "/api/leads")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    data = r.json()
    assert [l["id"] for l in data["items"]] == ids[::-1]
    assert data["next_cursor"] is None
    first = data["items"][-1]
    assert first["name"] == "Ada Lovelace" and first["utm_source"] == "test"
    assert first["phone"] is None and first["created_at"].endswith("Z")

    def search(q):
        return [l["name"] for l in page_all(hookline, "/api/leads", q=q)]

    assert search("ada") == ["Ada Lovelace"]               # name, any case
    assert search("NAVY") == ["Grace Hopper"]              # company
    assert search("bletchley.example") == ["Alan Turing"]  # email
    assert search("100%_") == ["Edsger 100%_Dijkstra"]     # % and _ are literal
    assert search("%") == ["Edsger 100%_Dijkstra"]
    assert search("nobody") == []
    assert len(search("  ")) == 4                          # blank = no filter

    paged = page_all(hookline, "/api/leads", limit=1)
    assert [l["id"] for l in paged] == ids[::-1]

    for params, name in [({"limit": "0"}, "limit"), ({"cursor": "x"}, "cursor"),
                         ({"q": "q" * 201}, "q")]:
        r = hookline.admin("GET", "/api/leads", params=params)
        assert r.status_code == 400 and r.json()["error"].startswith(name)
