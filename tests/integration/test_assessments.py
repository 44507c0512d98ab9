"""Founding Review assessments: questions, validation, background render, PDF, resume."""
import concurrent.futures
import datetime
import subprocess

import pytest
import requests

from outbound import (FAST, assessment, create_assessment, create_endpoint, questions,
                      wait_assessment, wait_until)
from receiver import Receiver

# Every case on both database backends (conftest.py `backend`).
pytestmark = pytest.mark.usefixtures("backend")


def test_questions_are_public(hookline):
    r = requests.get(hookline.url + "/api/assessments/questions", timeout=5)
    assert r.status_code == 200
    qs = r.json()["questions"]
    assert len(qs) >= 10
    assert {q["category"] for q in qs} >= {"team", "market", "product", "traction", "funding"}
    for q in qs:
        assert q["id"] and q["text"] and q["low"] and q["high"]
    assert [s["id"] for s in r.json()["stages"]] == ["idea", "pre-seed", "seed", "series-a", "later"]


def test_create_renders_a_pdf_with_the_id_and_company(hookline, tmp_path):
    qs = questions(hookline)
    company = "Ромашка Robotics GmbH"
    aid = create_assessment(hookline, company=company, email="founder@example.com", stage="seed",
                            answers={qs[0]["id"]: 5, qs[3]["id"]: 1, qs[5]["id"]: None})
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    assert aid.startswith(f"FR-{today}-") and len(aid) == len("FR-20260109-123456")
    a = wait_assessment(hookline, aid)
    assert a["company"] == company and a["stage"] == "seed" and a["email"] == "founder@example.com"
    assert a["answers"] == {qs[0]["id"]: 5, qs[3]["id"]: 1}
    assert a["report_url"] == f"/api/assessments/{aid}/report.pdf" and a["completed_at"]

    r = hookline.admin("GET", a["report_url"])
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert aid in text and company in text
    [row] = hookline.query("SELECT status, length(report) AS n FROM Assessment")
    assert row["status"] == "completed" and row["n"] == len(r.content)


def test_validation_is_422_naming_the_field_and_changes_nothing(hookline):
    qid = questions(hookline)[0]["id"]
    cases = [
        ({"answers": {qid: 3}}, "company"),
        ({"company": "", "answers": {qid: 3}}, "company"),
        ({"company": 7, "answers": {qid: 3}}, "company"),
        ({"company": "A"}, "answers"),
        ({"company": "A", "answers": {}}, "answers"),
        ({"company": "A", "answers": [3]}, "answers"),
        ({"company": "A", "answers": {"no_such_question": 3}}, "answers.no_such_question"),
        ({"company": "A", "answers": {qid: 6}}, f"answers.{qid}"),
        ({"company": "A", "answers": {qid: 0}}, f"answers.{qid}"),
        ({"company": "A", "answers": {qid: "3"}}, f"answers.{qid}"),
        ({"company": "A", "answers": {qid: 2.5}}, f"answers.{qid}"),
        ({"company": "A", "answers": {qid: None}}, "answers"),
        ({"company": "A", "answers": {qid: 3}, "stage": "growth"}, "stage"),
        ({"company": "A", "answers": {qid: 3}, "email": "not-an-email"}, "email"),
    ]
    for body, field in cases:
        r = hookline.admin("POST", "/api/assessments", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["field"] == field, (body, r.text)
        assert field.split(".")[0] in r.json()["error"]
    r = hookline.admin("POST", "/api/assessments", data="[1]", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert hookline.post_json("/api/assessments", {"company": "A", "answers": {qid: 3}}).status_code == 401
    assert hookline.query("SELECT count(*) AS n FROM Assessment")[0]["n"] == 0


def test_unknown_or_unfinished_report_is_404(hookline):
    assert hookline.admin("GET", "/api/assessments/FR-20260101-000000").status_code == 404
    assert hookline.admin("GET", "/api/assessments/FR-20260101-000000/report.pdf").status_code == 404
    hookline.execute("INSERT INTO Assessment(id, company, input, status, error, createdAt, updatedAt) "
                     "VALUES('FR-20260101-000001', 'X', '{}', 'failed', 'boom', "
                     "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
    r = hookline.admin("GET", "/api/assessments/FR-20260101-000001/report.pdf")
    assert r.status_code == 404 and "error" in r.json()
    assert hookline.admin("GET", "/api/assessments/FR-20260101-000001").json()["error"] == "boom"
    assert hookline.get("/api/assessments/FR-20260101-000001").status_code == 401


def test_concurrent_creates_get_distinct_ids(hookline):
    qid = questions(hookline)[0]["id"]

    def one(i):
        r = hookline.admin("POST", "/api/assessments", json={"company": f"C{i}", "answers": {qid: 3}})
        assert r.status_code == 202
        return r.json()["assessment_id"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(one, range(40)))
    assert len(set(ids)) == 40
    wait_until(lambda: hookline.query(
        "SELECT count(*) AS n FROM Assessment WHERE status = 'completed'")[0]["n"] == 40,
        timeout=30, what="40 renders")


def test_a_restart_resumes_queued_and_interrupted_renders(start_hookline):
    """Rows left queued, or rendering under an expired lease (the worker was killed), are
    rendered after a restart, and each emits render.completed once."""
    rx = Receiver()
    h = start_hookline(env=FAST)
    create_endpoint(h, rx.url)
    h.stop()
    h.executemany(
        "INSERT INTO Assessment(id, company, input, status, claimedBy, leaseUntil, "
        "createdAt, updatedAt) VALUES(?, 'Resume Co', ?, ?, 'dead-worker', ?, "
        "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
        [(aid, '{"company":"Resume Co","answers":{"team_experience":3}}', status, lease)
         for aid, status, lease in [("FR-20260101-000001", "queued", None),
                                    ("FR-20260101-000002", "rendering", "2026-01-01T00:00:00.000Z")]])
    h2 = start_hookline(env=FAST, port=h.port)
    for aid in ("FR-20260101-000001", "FR-20260101-000002"):
        wait_assessment(h2, aid)
    rx.wait_for(2)
    import time
    time.sleep(0.3)
    assert sorted(r["headers"]["x-webhook-id"] for r in rx.requests) == [
        "FR-20260101-000001:render.completed", "FR-20260101-000002:render.completed"]
    rx.close()
