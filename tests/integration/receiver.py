"""A real webhook receiver for the delivery tests: Python's http.server in a thread.

It records every POST (headers, exact body bytes, when) and answers from a script, one action
per request, then `default` forever:
  200, 500, 429, ...  answer that status
  "hang"              read the request, then answer nothing for `hang_seconds`
  "close"             read the request, then close the connection without a byte
  {"status": 429, "headers": {...}, "body": b"..."}   a full answer
Receiver(port=...) binds a given port (a test may start it late: connection refused first).
Receiver(tls=(certfile, keyfile)) answers HTTPS with that certificate (url starts https://).
"""
import http.server
import socket
import ssl
import threading
import time


class Receiver:
    def __init__(self, script=(), default=200, port=0, hang_seconds=5.0, tls=None):
        self.script = list(script)
        self.default = default
        self.hang_seconds = hang_seconds
        self.requests = []  # dicts: path, headers (lower-case keys), body (bytes), at, answer
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    action = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.requests.append({
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "at": time.time(),
                        "answer": action,
                    })
                if action == "hang":
                    time.sleep(receiver.hang_seconds)
                    self.close_connection = True
                    return
                if action == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                payload = b'{"received":true}'
                status, extra = action, {}
                if isinstance(action, dict):
                    status, extra = action["status"], action.get("headers", {})
                    payload = action.get("body", payload)
                self.send_response(int(status))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.port = self.server.server_address[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}/hooks/hookline"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait_for(self, n, timeout=10.0):
        """Waits until at least n requests arrived; returns the list."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.count() >= n:
                break
            time.sleep(0.02)
        with self.lock:
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
