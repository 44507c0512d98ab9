"""A throwaway PostgreSQL server for tests: initdb + pg_ctl from Debian's postgresql package into
a temporary folder, on a free port of 127.0.0.1, trust authentication, fsync on (the outage
tests stop and start it for real).

As root the server runs as the `postgres` user (PostgreSQL refuses to run as root), so the
folder is handed to that user. HOOKLINE_TEST_PG_DSN=postgres://user@host:port/db uses an
existing server instead: then start()/stop() of the server are not available and each test
still gets its own database.

    server = PgServer().start()
    dsn = server.create_database()      # postgres://postgres@127.0.0.1:PORT/t_<random>
    server.stop(); server.start()       # an outage, same data
    server.destroy()

Also a command line for hand use: python3 tests/integration/pg.py start|stop DIR [PORT]
"""
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import psycopg2

from ports import free_port


def _bin_dir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return dirs[-1]


def _as_pg(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + cmd
    return cmd


class PgServer:
    def __init__(self, directory=None, port=None):
        self.external = os.environ.get("HOOKLINE_TEST_PG_DSN")
        self.dir = directory
        self.port = port
        self._own_dir = directory is None

    # --- lifecycle ------------------------------------------------------------------
    def start(self):
        if self.external:
            return self
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="hookline-pg-")
        chosen = self.port is None
        if chosen:
            self.port = free_port()
        data = os.path.join(self.dir, "data")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o700)
        if not os.path.exists(os.path.join(data, "PG_VERSION")):
            subprocess.run(_as_pg([os.path.join(_bin_dir(), "initdb"), "-D", data, "-U", "postgres",
                                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # A port of our own choosing that another program took meanwhile gets one more try on
        # the next port; any other failure is raised with the server's log.
        for attempt in range(3):
            if self._pg_ctl_start():
                return self
            log = self._log_tail()
            if not (chosen and "could not bind" in log and attempt < 2):
                raise RuntimeError(f"PostgreSQL did not start on port {self.port} in {self.dir}:\n{log}")
            self.port = free_port()

    def _pg_ctl_start(self):
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.dir} -c max_connections=300 "
                f"-c shared_buffers=32MB")
        r = subprocess.run(_as_pg([os.path.join(_bin_dir(), "pg_ctl"), "-D",
                                   os.path.join(self.dir, "data"), "-l",
                                   os.path.join(self.dir, "server.log"), "-o", opts, "-w", "-t",
                                   "60", "start"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return r.returncode == 0

    def _log_tail(self, lines=20):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError as e:
            return f"(no server log: {e})"

    def stop(self, mode="fast"):
        if self.external or self.dir is None:
            return
        subprocess.run(_as_pg([os.path.join(_bin_dir(), "pg_ctl"), "-D",
                               os.path.join(self.dir, "data"), "-m", mode, "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def running(self):
        if self.external:
            return True
        r = subprocess.run(_as_pg([os.path.join(_bin_dir(), "pg_ctl"), "-D",
                                   os.path.join(self.dir, "data"), "status"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def destroy(self):
        self.stop(mode="immediate")
        if self._own_dir and self.dir and not self.external:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- databases ------------------------------------------------------------------
    def admin_dsn(self, dbname="postgres"):
        if self.external:
            u = urllib.parse.urlsplit(self.external)
            return urllib.parse.urlunsplit(u._replace(path="/" + dbname))
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self):
        name = "t_" + uuid.uuid4().hex[:16]
        conn = psycopg2.connect(self.admin_dsn())
        conn.autocommit = True
        with conn.cursor() as c:
            c.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return self.admin_dsn(name)

    def drop_database(self, dsn):
        name = urllib.parse.urlsplit(dsn).path.lstrip("/")
        try:
            conn = psycopg2.connect(self.admin_dsn(), connect_timeout=5)
            conn.autocommit = True
            with conn.cursor() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.close()
        except psycopg2.Error:
            pass  # the server is gone already; its folder goes with it


def query(dsn, sql, params=()):
    """Rows as dicts, in a short-lived connection that sees what is committed."""
    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        with conn.cursor() as c:
            c.execute(sql, params)
            cols = [d[0] for d in c.description]
            rows = [dict(zip(cols, r)) for r in c.fetchall()]
        conn.commit()
        return rows
    finally:
        conn.close()


_CAMEL = re.compile(r'(?<!["\w])([a-z_]*[a-z][A-Z]\w*|[A-Z][a-z]+[A-Z]\w*|EventLog|Lead|'
                    r'Assessment|Endpoint|Delivery|DeliveryAttempt)(?!["\w])')


def translate_sqlite_sql(sql):
    """SQLite spelling -> PostgreSQL: `?` -> %s, and mixed-case names (EventLog, leadId,
    createdAt) quoted, so one test query reads the same on both backends."""
    return _CAMEL.sub(r'"\1"', sql.replace("%", "%%").replace("?", "%s"))


def _sqlite_value(v):
    if isinstance(v, datetime.datetime):  # timestamptz -> the ISO text SQLite stores
        v = v.astimezone(datetime.timezone.utc)
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    if isinstance(v, memoryview):  # bytea -> bytes, as sqlite3 returns a BLOB
        return bytes(v)
    if isinstance(v, (dict, list)):  # jsonb -> JSON text
        return json.dumps(v, ensure_ascii=False)
    return v


def execute_sqlite_style(dsn, sql, param_rows=((),)):
    """Run one SQLite-spelled write statement once per parameter row, in one committed
    transaction (bytes bind as bytea, ISO text as timestamptz, JSON text as jsonb)."""
    conn = psycopg2.connect(dsn, connect_timeout=5)
    try:
        with conn.cursor() as c:
            for params in param_rows:
                c.execute(translate_sqlite_sql(sql), params)
        conn.commit()
    finally:
        conn.close()


def query_sqlite_style(dsn, sql, params=()):
    """Rows as dicts, values as SQLite returns them (timestamps as ISO text, JSON as text)."""
    rows = query(dsn, translate_sqlite_sql(sql), params)
    return [{k: _sqlite_value(v) for k, v in r.items()} for r in rows]


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pg.py start|stop DIR [PORT]")
    server = PgServer(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 55433)
    os.makedirs(server.dir, exist_ok=True)
    if sys.argv[1] == "start":
        server.start()
        print(server.admin_dsn())
    else:
        server.stop()
