"""SQLite durability with pipelined WAL syncs: COMMIT returns before the disk flush, and the
reply waits for the fdatasync that covers it. An LD_PRELOAD shim (fsync_shim.c) holds or fails
the flushes of the real binary; nothing else is simulated."""
import concurrent.futures
import os
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest
import requests

from conftest import WEBHOOK_SECRET

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def shim(tmp_path_factory):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.fail("a C compiler is needed to build the fsync shim")
    out = str(tmp_path_factory.mktemp("shim") / "fsync_shim.so")
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", out,
                    os.path.join(HERE, "fsync_shim.c"), "-ldl"], check=True)
    return out


def shimmed(start_hookline, shim, workdir):
    block = os.path.join(workdir, "block-fsync")
    fail = os.path.join(workdir, "fail-fsync")
    h = start_hookline(env={"LD_PRELOAD": shim, "FSYNC_SHIM_BLOCK": block,
                            "FSYNC_SHIM_FAIL": fail})
    return h, block, fail


def send(h, event_id, timeout=20):
    return requests.post(h.url + "/api/webhook/payment",
                         json={"event_id": event_id, "event_type": "payment.succeeded",
                               "data": {"lead_id": "L1"}},
                         headers={"X-Webhook-Secret": WEBHOOK_SECRET}, timeout=timeout)


def stored(h, event_id):
    con = sqlite3.connect(f"file:{h.db_path}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute("SELECT count(*) FROM EventLog WHERE id=?", (event_id,)).fetchone()[0]
    finally:
        con.close()


def test_reply_waits_for_the_flush_not_for_the_commit(start_hookline, shim, workdir):
    h, block, _ = shimmed(start_hookline, shim, workdir)
    assert send(h, "before").json() == {"status": "ok"}
    open(block, "w").close()  # from now on every flush waits
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        pending = [pool.submit(send, h, f"held-{i}") for i in range(3)]
        deadline = time.time() + 10
        while time.time() < deadline and not all(stored(h, f"held-{i}") for i in range(3)):
            time.sleep(0.05)
        # Committed (other connections read the rows) while the disk flush is held...
        assert all(stored(h, f"held-{i}") == 1 for i in range(3))
        time.sleep(0.5)
        # ...and still nobody has been told "ok".
        assert not any(f.done() for f in pending)
        os.unlink(block)
        replies = [f.result(timeout=10) for f in pending]
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert all(r.json() == {"status": "ok"} for r in replies)
    assert send(h, "held-0").json() == {"status": "duplicate_ignored"}


def test_a_failed_flush_stops_the_server_before_any_ok(start_hookline, shim, workdir):
    h, _, fail = shimmed(start_hookline, shim, workdir)
    assert send(h, "first").json() == {"status": "ok"}
    open(fail, "w").close()
    with pytest.raises(requests.RequestException):
        send(h, "unflushed", timeout=10)  # the connection closes with no reply
    assert h.proc.wait(10) != 0
    assert "fdatasync of the SQLite WAL failed" in h.logs()
    os.unlink(fail)
    # Restarted on the same files: recovered, and the sender's retry is answered.
    h.start()
    assert send(h, "first").json() == {"status": "duplicate_ignored"}
    assert send(h, "unflushed").status_code == 200
    assert stored(h, "unflushed") == 1
