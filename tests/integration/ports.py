"""Listening ports for the servers the tests start (hookline, PostgreSQL, receivers).

A port taken by binding port 0 comes from the kernel's ephemeral range, the same range the
kernel hands out as the local port of every outgoing connection. Between closing the probe
socket and the server's own bind, any client connection on the machine (a test's HTTP
request, a PostgreSQL client) may take that very port, and the server then fails with
"Address already in use". So ports are taken below the ephemeral range, where the kernel never
assigns one on its own, and each pytest-xdist worker walks its own slice of that span so two
workers never hand out the same port. A port is handed out only if a plain bind (without
SO_REUSEADDR, so a port in TIME_WAIT counts as taken) succeeds on it.

Spans below the ephemeral range: 10000-14999 the browser suite (tests/browser/run.sh),
15000-19999 the store suite (tests/store/pg_server.cc), 20000 up to the ephemeral range these
tests.
"""
import errno
import os
import random
import socket

FIRST = 20000


def _ephemeral_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _slice():
    """This worker's [lo, hi) of the span."""
    hi_all = max(_ephemeral_start(), FIRST + 1000)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    width = (hi_all - FIRST) // max(count, 1)
    lo = FIRST + (index % max(count, 1)) * width
    return lo, lo + width


_lo, _hi = _slice()
_next = random.randrange(_lo, _hi)  # a random start: a run just before may have left TIME_WAITs


def free_port():
    """A port of 127.0.0.1 that nothing listens on or connects from, in this worker's slice."""
    global _next
    for _ in range(_hi - _lo):
        port = _next
        _next = _lo + (_next + 1 - _lo) % (_hi - _lo)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError as e:
                if e.errno in (errno.EADDRINUSE, errno.EACCES):
                    continue
                raise
            return port
    raise RuntimeError(f"no free port in {_lo}-{_hi - 1}")
