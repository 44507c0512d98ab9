"""Integration test harness: starts the real hookline binary and talks HTTP to it.

Fixtures
- `hookline`: a running server on a free port with its own temporary data folder and
  SQLite database (function scope). `hookline.url`, `hookline.db()` (sqlite3 connection),
  `hookline.post_payment(...)`, `hookline.stop()`, `hookline.kill()`.
- `start_hookline(**env)`: a factory for tests that need their own settings or several servers.

Backends: a test (or a module, with `pytestmark = pytest.mark.usefixtures("backend")`) that
uses the `backend` fixture runs twice, on SQLite and on PostgreSQL (a throwaway server per
pytest worker, tests/integration/pg.py; HOOKLINE_TEST_PG_DSN for an existing one), one new
database per test shared by every server the test starts. `hookline.query()` takes the
SQLite spelling (`?`, unquoted EventLog/leadId) on both and returns text timestamps and JSON;
`hookline.execute()` / `executemany()` write in the same spelling on both (seeding rows the API
cannot create). `hookline.db()` is the SQLite file itself: SQLite-only tests.

Environment: HOOKLINE_BIN (the binary, set by ctest) and HOOKLINE_SOURCE_DIR.
"""
import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

import pg
from ports import free_port  # noqa: F401  (tests import it from here)

SOURCE_DIR = os.environ.get(
    "HOOKLINE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.path.abspath(os.environ.get("HOOKLINE_BIN", os.path.join(SOURCE_DIR, "build", "hookline")))
WEBHOOK_SECRET = "test-webhook-secret"
ADMIN_TOKEN = "test-admin-token"


class Hookline:
    """One hookline process. Construct through the fixtures."""

    def __init__(self, workdir, env=None, args=None, port=None, pg_dsn=None):
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = os.path.join(workdir, "data")
        self.db_path = os.path.join(self.data_dir, "hookline.db")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "HOOKLINE_DATA_DIR": self.data_dir,
            "DATABASE_URL": f"sqlite:{self.db_path}",
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "HOOKLINE_ALLOW_PRIVATE_ENDPOINTS": "1",
            "HOOKLINE_ACCESS_LOG": "1",
        }
        self.pg_dsn = pg_dsn  # PostgreSQL backend: the database's DSN
        if pg_dsn:
            self.env["DATABASE_URL"] = pg_dsn
        self.env.update(env or {})
        self.env = {k: v for k, v in self.env.items() if v is not None}
        self.args = args or []
        self.proc = None
        self.log_path = os.path.join(workdir, f"hookline-{self.port}.log")
        self.session = requests.Session()

    def start(self, wait=True):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BIN, "serve", *self.args], env=self.env, cwd=self.workdir,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hookline exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"hookline did not become ready:\n{self.logs()}")

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout=20):
        """SIGTERM and wait; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.log.close()

    def kill(self):
        """SIGKILL: no chance to flush or commit anything more."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
            self.log.close()

    # --- HTTP helpers -------------------------------------------------------------------
    def request(self, method, path, **kw):
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.url + path, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_json(self, path, body, headers=None, **kw):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return self.request("POST", path, data=data, headers=h, **kw)

    def admin(self, method, path, **kw):
        headers = kw.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {ADMIN_TOKEN}")
        return self.request(method, path, headers=headers, **kw)

    def post_payment(self, event_id=None, event_type="payment.succeeded", data=None,
                     secret=WEBHOOK_SECRET, **kw):
        body = {"event_id": event_id or f"evt_{uuid.uuid4().hex}", "event_type": event_type,
                "source": "payment_service", "data": data if data is not None else {}}
        headers = {} if secret is None else {"X-Webhook-Secret": secret}
        return self.post_json("/api/webhook/payment", body, headers=headers, **kw)

    # --- database -----------------------------------------------------------------------
    def db(self):
        """A fresh read connection to the SQLite file (reads what is committed)."""
        conn = sqlite3.connect(self.db_path, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    def query(self, sql, params=()):
        if self.pg_dsn:
            return pg.query_sqlite_style(self.pg_dsn, sql, params)
        with self.db() as conn:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

    def execute(self, sql, params=()):
        """One write statement in the SQLite spelling, committed, on either backend. Bind
        values as parameters: bytes for a BLOB/bytea, ISO text for a timestamp, JSON text for
        JSON, True/False for a flag."""
        self.executemany(sql, [params])

    def executemany(self, sql, param_rows):
        """The same statement once per parameter row, in one transaction."""
        if self.pg_dsn:
            return pg.execute_sqlite_style(self.pg_dsn, sql, param_rows)
        with self.db() as conn:  # commits on leaving the block
            conn.executemany(sql, param_rows)
        conn.close()

    def event_count(self):
        return self.query("SELECT count(*) AS n FROM EventLog")[0]["n"]


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="hookline-test-") as d:
        yield d


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL per pytest worker (pg.py), started on first use."""
    server = pg.PgServer()
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    """Request it (or usefixtures it) to run a test on both database backends."""
    return request.param


@pytest.fixture
def pg_database(request):
    """A new database on the worker's PostgreSQL; its DSN."""
    server = request.getfixturevalue("pg_server")
    dsn = server.create_database()
    yield dsn
    server.drop_database(dsn)


@pytest.fixture
def start_hookline(workdir, request):
    started = []
    use_pg = "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgres"
    pg_dsn = request.getfixturevalue("pg_database") if use_pg else None

    def start(env=None, args=None, wait=True, subdir=None, port=None):
        wd = workdir if subdir is None else os.path.join(workdir, subdir)
        os.makedirs(wd, exist_ok=True)
        h = Hookline(wd, env=env, args=args, port=port, pg_dsn=pg_dsn)
        started.append(h)
        return h.start(wait=wait)

    yield start
    for h in started:
        if h.proc and h.proc.poll() is None:
            h.kill()


@pytest.fixture
def hookline(start_hookline):
    return start_hookline()
