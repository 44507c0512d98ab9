"""POST /api/webhook/payment: the contract of seed 000, case by case (SPEC "Inbound")."""
import concurrent.futures
import json
import re

import pytest
import requests

from conftest import WEBHOOK_SECRET

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")


def rows(h, event_id):
    return h.query("SELECT * FROM EventLog WHERE id = ?", (event_id,))


def test_new_event_is_stored_once_and_duplicate_ignored(hookline):
    r = hookline.post_payment("evt_1", data={"lead_id": 42, "amount": 4900, "currency": "EUR"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"status": "ok"}
    assert r.text == '{"status":"ok"}'

    r = hookline.post_payment("evt_1", data={"lead_id": 42, "amount": 1})
    assert r.status_code == 200
    assert r.text == '{"status":"duplicate_ignored"}'

    [row] = rows(hookline, "evt_1")
    assert row["type"] == "payment.succeeded"
    assert row["source"] == "payment_service"
    assert json.loads(row["payload"]) == {"lead_id": 42, "amount": 4900, "currency": "EUR"}
    assert row["leadId"] == "42"  # a number is stored as its decimal text
    assert row["createdAt"].endswith("Z") and len(row["createdAt"]) == 24


def test_lead_id_string_absent_and_data_absent(hookline):
    assert hookline.post_payment("e_str", data={"lead_id": "lead_abc"}).status_code == 200
    assert rows(hookline, "e_str")[0]["leadId"] == "lead_abc"
    assert hookline.post_payment("e_none", data={"amount": 1}).status_code == 200
    assert rows(hookline, "e_none")[0]["leadId"] is None
    r = hookline.post_json("/api/webhook/payment", {"event_id": "e_nodata", "event_type": "x"},
                           headers={"X-Webhook-Secret": WEBHOOK_SECRET})
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    row = rows(hookline, "e_nodata")[0]
    assert json.loads(row["payload"]) == {} and row["leadId"] is None


def test_source_is_always_payment_service(hookline):
    body = {"event_id": "e_src", "event_type": "payment.succeeded", "source": "somebody_else",
            "data": {}}
    r = hookline.post_json("/api/webhook/payment", body,
                           headers={"X-Webhook-Secret": WEBHOOK_SECRET})
    assert r.status_code == 200
    assert rows(hookline, "e_src")[0]["source"] == "payment_service"


def test_missing_content_type_is_accepted(hookline):
    body = json.dumps({"event_id": "e_noct", "event_type": "t", "data": {}}).encode()
    r = requests.post(hookline.url + "/api/webhook/payment", data=body,
                      headers={"X-Webhook-Secret": WEBHOOK_SECRET, "Content-Type": None})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("secret", [None, "", "wrong", WEBHOOK_SECRET + "x", WEBHOOK_SECRET[:-1]])
def test_wrong_or_missing_secret_is_401_and_changes_nothing(hookline, secret):
    r = hookline.post_payment("evt_secret", secret=secret)
    assert r.status_code == 401
    assert "error" in r.json()
    assert hookline.event_count() == 0


def test_secret_checked_before_content_type_and_body(hookline):
    r = hookline.request("POST", "/api/webhook/payment", data="not json",
                         headers={"Content-Type": "text/plain", "X-Webhook-Secret": "nope"})
    assert r.status_code == 401


BAD_BODIES = [
    ("not json", "not valid JSON"),
    ("", "not valid JSON"),
    ("[1,2]", "JSON object"),
    ('"evt"', "JSON object"),
    ('{"event_type":"t"}', "event_id is required"),
    ('{"event_id":"","event_type":"t"}', "event_id must not be empty"),
    ('{"event_id":7,"event_type":"t"}', "event_id must be a string"),
    ('{"event_id":null,"event_type":"t"}', "event_id must be a string"),
    ('{"event_id":"e"}', "event_type is required"),
    ('{"event_id":"e","event_type":""}', "event_type must not be empty"),
    ('{"event_id":"e","event_type":["x"]}', "event_type must be a string"),
    ('{"event_id":"' + "x" * 256 + '","event_type":"t"}', "at most 255 bytes"),
    ('{"event_id":"e","event_type":"' + "t" * 256 + '"}', "at most 255 bytes"),
    ('{"event_id":"e","event_type":"t","data":[1]}', "data must be a JSON object"),
    ('{"event_id":"e","event_type":"t","data":"x"}', "data must be a JSON object"),
    ('{"event_id":"e","event_type":"t","data":{"lead_id":1.5}}', "lead_id"),
    ('{"event_id":"e","event_type":"t","data":{"lead_id":{"a":1}}}', "lead_id"),
    ('{"event_id":"e","event_type":"t","data":{"lead_id":true}}', "lead_id"),
    ('{"event_id":"e","event_type":"t"', "not valid JSON"),
    ('{"event_id":"e\xff","event_type":"t"}', "not valid JSON"),
]


@pytest.mark.parametrize("body,message", BAD_BODIES)
def test_bad_input_is_400_with_reason_and_changes_nothing(hookline, body, message):
    r = hookline.request("POST", "/api/webhook/payment", data=body.encode("latin-1"),
                         headers={"Content-Type": "application/json",
                                  "X-Webhook-Secret": WEBHOOK_SECRET})
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert message in r.json()["error"]
    assert hookline.event_count() == 0


def test_id_of_255_bytes_is_accepted(hookline):
    assert hookline.post_payment("e" * 255).status_code == 200


def test_non_json_content_type_is_415(hookline):
    r = hookline.request("POST", "/api/webhook/payment",
                         data='{"event_id":"e","event_type":"t"}',
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "X-Webhook-Secret": WEBHOOK_SECRET})
    assert r.status_code == 415 and "error" in r.json()
    assert hookline.event_count() == 0
    r = hookline.request("POST", "/api/webhook/payment",
                         data='{"event_id":"e2","event_type":"t"}',
                         headers={"Content-Type": "application/json; charset=utf-8",
                                  "X-Webhook-Secret": WEBHOOK_SECRET})
    assert r.status_code == 200


def test_body_over_limit_is_413_and_changes_nothing(start_hookline):
    h = start_hookline(env={"HOOKLINE_MAX_BODY_BYTES": "4096"})
    big = {"event_id": "big", "event_type": "t", "data": {"pad": "x" * 5000}}
    r = h.post_payment("big", data={"pad": "x" * 5000})
    assert r.status_code == 413 and "error" in r.json()
    assert h.event_count() == 0
    # The server is fine afterwards.
    assert h.post_payment("small").status_code == 200
    del big


def test_default_limit_is_one_mebibyte(hookline):
    r = hookline.post_payment("near", data={"pad": "x" * (1024 * 1024 - 200)})
    assert r.status_code == 200
    r = hookline.post_payment("over", data={"pad": "x" * (1024 * 1024 + 10)})
    assert r.status_code == 413
    assert [r["id"] for r in hookline.query("SELECT id FROM EventLog")] == ["near"]


def test_fifty_concurrent_copies_of_one_new_event_store_one_row_and_one_ok(hookline):
    def send(_):
        return requests.post(hookline.url + "/api/webhook/payment",
                             json={"event_id": "evt_race", "event_type": "payment.succeeded",
                                   "data": {"lead_id": 7}},
                             headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=20)
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        replies = list(pool.map(send, range(50)))
    assert all(r.status_code == 200 for r in replies)
    statuses = [r.json()["status"] for r in replies]
    assert statuses.count("ok") == 1
    assert statuses.count("duplicate_ignored") == 49
    assert len(rows(hookline, "evt_race")) == 1


def test_unicode_payload_round_trips(hookline):
    data = {"lead_id": "лид-7", "note": "Оплата курса ✓", "nested": {"a": [1, 2, {"b": None}]}}
    assert hookline.post_payment("evt_utf", data=data).status_code == 200
    row = rows(hookline, "evt_utf")[0]
    assert json.loads(row["payload"]) == data
    assert row["leadId"] == "лид-7"


def test_data_is_stored_as_sent_and_listed_without_e_notation(hookline):
    # A payment service's amounts are kept as they were sent: digits a double cannot hold
    # included, and 49.99 never comes back as 4.999E1.
    data_text = ('{ "amount": 49.99, "fee": 0.5, "rate": 1.25e-7, "whole": 2.0,\n'
                 '  "units": 18446744073709551617, "lead_id": "l-1" }')
    body = '{"event_id":"evt_dec","event_type":"payment.succeeded","data":' + data_text + '}'
    r = requests.post(hookline.url + "/api/webhook/payment", data=body,
                      headers={"X-Webhook-Secret": WEBHOOK_SECRET,
                               "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    stored = rows(hookline, "evt_dec")[0]
    assert stored["leadId"] == "l-1"
    if hookline.pg_dsn:  # jsonb keeps the numbers exactly, in its own spelling
        assert json.loads(stored["payload"]) == json.loads(data_text)
        assert "18446744073709551617" in stored["payload"]
    else:  # SQLite keeps the text itself
        assert stored["payload"] == data_text
    r = hookline.admin("GET", "/api/events", params={"type": "payment.succeeded"})
    assert r.status_code == 200
    payload = re.search(r'"id":"evt_dec".*?"payload":(\{[^}]*\})', r.text).group(1)
    for part in ('"amount":49.99', '"fee":0.5', '"rate":1.25e-07', '"whole":2', '"lead_id":"l-1"'):
        assert part in payload
    assert "E" not in payload
