#!/usr/bin/env python3
"""P6 helper: exec hookline and time until its first 200 from /healthz.

The poller is already running when hookline is started, and polls over one process with a new
connection every millisecond, so the figure is hookline's start-up and not the cost of starting
a curl per poll (28 ms each on a slow day of the benchmark machine).

usage: p6_start.py PORT BIN [ARGS...]   (environment passed through)
prints: ready_ms=<float>  and leaves hookline running; its pid on the second line
"""
import http.client
import socket
import subprocess
import sys
import time

port, argv = int(sys.argv[1]), sys.argv[2:]
try:  # another server on the port would answer for hookline and time nothing
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
    sys.exit(f"port {port} is already in use: stop what listens there first")
except OSError:
    pass
t0 = time.monotonic()
proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
deadline = t0 + 10
while time.monotonic() < deadline:
    if proc.poll() is not None:
        sys.exit(f"hookline exited with {proc.returncode} before it was ready")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/healthz")
        if conn.getresponse().status == 200:
            print(f"ready_ms={(time.monotonic() - t0) * 1000:.1f}")
            print(proc.pid)
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.001)
proc.kill()
sys.exit("hookline was not ready within 10 s")
