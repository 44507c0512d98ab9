"""The landing page, the dashboard and their static files, with their security headers."""
import re

import pytest

CSP_PARTS = ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"]


def check_page_headers(r):
    csp = r.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"]
    assert r.headers["ETag"].startswith('"')


@pytest.mark.parametrize("path,ctype,marker", [
    ("/", "text/html", "lead-form"),
    ("/admin", "text/html", "signin-form"),
    ("/static/js/landing.js", "javascript", "setupLeadForm"),
    ("/static/admin/app.js", "javascript", "ROUTES"),
    ("/static/css/site.css", "text/css", "{"),
])
def test_pages_are_served_with_csp(hookline, path, ctype, marker):
    r = hookline.get(path)
    assert r.status_code == 200
    assert ctype in r.headers["Content-Type"]
    assert marker in r.text
    check_page_headers(r)
    assert r.headers["Cache-Control"] == "no-cache"


def test_pages_have_no_inline_script_or_style(hookline):
    for path in ("/", "/admin"):
        html = hookline.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)


def test_vendor_files_are_immutable(hookline):
    r = hookline.get("/static/vendor/uplot/uPlot.iife.min.js")
    assert r.status_code == 200
    assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]


def test_etag_gives_304_and_head_has_no_body(hookline):
    r = hookline.get("/")
    etag = r.headers["ETag"]
    r304 = hookline.get("/", headers={"If-None-Match": etag})
    assert r304.status_code == 304 and r304.content == b""
    assert r304.headers["ETag"] == etag
    assert hookline.get("/", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert hookline.get("/", headers={"If-None-Match": '"other"'}).status_code == 200
    head = hookline.request("HEAD", "/")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(r.content)
    check_page_headers(head)


def test_unknown_paths_404_json_and_api_no_store(hookline):
    for path in ("/nope", "/static/../index.html", "/static/js/missing.js", "/api/nothing"):
        r = hookline.get(path)
        assert r.status_code == 404
        assert "error" in r.json()
    assert hookline.request("POST", "/nope").status_code == 404
    r = hookline.post_json("/api/events", {"type": "page_view", "anonymous_id": "v"})
    assert r.headers["Cache-Control"] == "no-store"
    assert hookline.admin("GET", "/api/leads").headers["Cache-Control"] == "no-store"
