"""Helpers shared by the outbound webhook tests (assessments, endpoints, deliveries)."""
import time

import requests

# Small timings so retries take milliseconds, not minutes.
FAST = {
    "HOOKLINE_RETRY_BASE_MS": "50",
    "HOOKLINE_RETRY_FACTOR": "2",
    "HOOKLINE_DELIVERY_TIMEOUT_MS": "500",
    "HOOKLINE_MAX_ATTEMPTS": "5",
}


def questions(h):
    r = requests.get(h.url + "/api/assessments/questions", timeout=5)
    assert r.status_code == 200
    return r.json()["questions"]


def create_endpoint(h, url, events=("render.completed",), **extra):
    body = {"url": url, "events": list(events), **extra}
    r = h.admin("POST", "/api/endpoints", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def create_assessment(h, company="Acme Robotics", answers=None, **extra):
    if answers is None:
        qs = questions(h)
        answers = {qs[0]["id"]: 4, qs[1]["id"]: 2}
    r = h.admin("POST", "/api/assessments", json={"company": company, "answers": answers, **extra})
    assert r.status_code == 202, r.text
    return r.json()["assessment_id"]


def wait_until(fn, timeout=10.0, interval=0.02, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def assessment(h, aid):
    r = h.admin("GET", f"/api/assessments/{aid}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_assessment(h, aid, status="completed", timeout=15.0):
    return wait_until(lambda: (lambda a: a if a["status"] == status else None)(assessment(h, aid)),
                      timeout, what=f"assessment {aid} {status}")


def deliveries(h, **params):
    r = h.admin("GET", "/api/deliveries", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def delivery(h, did):
    r = h.admin("GET", f"/api/deliveries/{did}")
    assert r.status_code == 200, r.text
    return r.json()


def wait_delivery(h, aid, status, timeout=15.0):
    """The one delivery of assessment `aid` once it has `status`."""
    def check():
        items = deliveries(h, assessment_id=aid)
        return items[0] if items and items[0]["status"] == status else None
    return wait_until(check, timeout, what=f"delivery of {aid} {status}")
