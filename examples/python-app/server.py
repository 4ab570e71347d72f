"""A Python standard-library web app that meets Ferry's app contract (README, "The app contract").

- Listens on 127.0.0.1:$PORT, where Ferry's probes and router connect.
- GET /healthz is the readiness (and liveness) probe; GET / answers the version Ferry deployed
  ($FERRY_VERSION), and every answer carries it in `x-version`.
- SIGTERM: stop accepting, finish the requests in flight, exit 0. Ferry has taken the instance
  out of its router and waited for its requests before it sends SIGTERM, and sends SIGKILL after
  `drainTimeout`.

Run it by hand: PORT=8000 FERRY_VERSION=v1 python3 server.py
"""

import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
PORT = int(os.environ.get("PORT", "8000"))
VERSION = os.environ.get("FERRY_VERSION", "dev")
INSTANCE = os.environ.get("FERRY_INSTANCE", "")


class InFlight:
    """Requests between their first line and their last byte out; shutdown waits for none."""

    def __init__(self):
        self._count = 0
        self._idle = threading.Condition()

    def begin(self):
        with self._idle:
            self._count += 1

    def end(self):
        with self._idle:
            self._count -= 1
            if self._count == 0:
                self._idle.notify_all()

    def wait_idle(self):
        with self._idle:
            self._idle.wait_for(lambda: self._count == 0)


class AppServer(ThreadingHTTPServer):
    """One thread per connection; its threads are daemons, so an idle connection never holds up exit."""

    def __init__(self, address, handler):
        super().__init__(address, handler)
        self.draining = False
        self.in_flight = InFlight()


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive: Ferry's router pools its connections to an instance, so
    # each request does not pay for a new connection. That is safe here because this server never
    # closes an idle connection itself (`timeout` stays None): the router closes idle ones first
    # (after 4 s), so it never sends a request on a connection the app is closing. HTTP/1.0 (the
    # module's default) also works without failures, closing the connection after every answer.
    # With HTTP/1.1 every answer needs a Content-Length (or chunked encoding).
    protocol_version = "HTTP/1.1"
    server_version = "python-app"

    def parse_request(self):
        # Called as soon as the request line is in: from here the request counts as in flight.
        self.server.in_flight.begin()
        self._counted = True
        return super().parse_request()

    def handle_one_request(self):
        self._counted = False
        try:
            super().handle_one_request()
        finally:
            if self._counted:
                self.server.in_flight.end()

    def do_GET(self):
        if self.path == "/healthz":
            if self.server.draining:
                self.send_json(503, {"status": "shutting_down", "version": VERSION})
            else:
                self.send_json(200, {"status": "ok", "version": VERSION})
        elif self.path == "/":
            self.send_json(200, {"version": VERSION, "instance": INSTANCE, "pid": os.getpid()})
        else:
            self.send_json(404, {"error": "not found", "path": self.path})

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-version", VERSION)
        if self.server.draining:
            # Tell the client not to reuse this connection; the thread ends after this answer.
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)


def main():
    server = AppServer((HOST, PORT), Handler)

    def drain(signum, _frame):
        print(f"{signal.Signals(signum).name}: draining", flush=True)
        server.draining = True
        # shutdown() waits for serve_forever(), which runs in this (the main) thread: not from here.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, drain)
    # stdout is a file, not a terminal: flush, or lines reach `ferry logs` only when a buffer fills.
    print(f"python-app {VERSION} listening on {HOST}:{PORT} (pid {os.getpid()})", flush=True)
    server.serve_forever()
    server.socket.close()  # new connections are refused from now on
    server.in_flight.wait_idle()
    print("drained, bye", flush=True)


if __name__ == "__main__":
    main()
