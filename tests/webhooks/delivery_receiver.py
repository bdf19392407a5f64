"""A real HTTP receiver on loopback for the webhook delivery tests, that can be told to fail
in the ways receivers fail: error answers, hangs, dropped connections, redirects."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

ANSWERS = {
    "ok": (200, "thanks"),
    "error": (500, "receiver broke: database down"),
    "redirect": (302, "moved elsewhere"),
    "hang": (200, "too late"),
}


# --- the receiver ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: datetime
    verified: bool | None

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


class Receiver:
    """A webhook receiver on 127.0.0.1 (``http.server`` in a thread) that records every request.

    ``mode`` says how it answers, after ``delay_s``: ``ok`` (200), ``error`` (500 with a
    body), ``redirect`` (302 to another path of its own), ``close`` (drops the connection
    unanswered) or ``hang`` (answers only after ``hang_s`` or :meth:`release`). :meth:`down`
    makes the port refuse connections until :meth:`up`. With ``secret`` set it verifies each
    signature as a receiver would (``standardwebhooks``).
    """

    def __init__(self, mode: str = "ok", *, delay_s: float = 0.0, hang_s: float = 3.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.hang_s = hang_s
        self.secret: str | None = None
        self.max_in_flight: Counter[str] = Counter()  # per webhook-id
        self._lock = threading.Lock()
        self._requests: list[Received] = []
        self._in_flight: Counter[str] = Counter()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._placeholder: socket.socket | None = None
        self.port = 0
        self._serve(0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    @property
    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.requests]

    @property
    def in_flight(self) -> int:
        with self._lock:
            return sum(self._in_flight.values())

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def release(self) -> None:
        """Let hanging requests answer now."""
        self._release.set()

    def down(self) -> None:
        """Stop listening. The port stays bound (without listen), so connecting to it is
        refused and no other program can take it before :meth:`up`."""
        self._stop_server()
        placeholder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        placeholder.bind(("127.0.0.1", self.port))
        self._placeholder = placeholder

    def up(self) -> None:
        """Listen again on the same port."""
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None
        self._serve(self.port)

    def stop(self) -> None:
        self.release()
        self._stop_server()
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        """The requests once at least ``count`` arrived (or whatever arrived by the deadline)."""
        deadline = time.monotonic() + timeout_s
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.requests

    def wait_idle(self, timeout_s: float = 5.0) -> int:
        """Requests still being answered once none are (or at the deadline)."""
        deadline = time.monotonic() + timeout_s
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.in_flight

    # -- internals --

    def _serve(self, port: int) -> None:
        server = _Server(("127.0.0.1", port), _handler_for(self))
        self.port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def _stop_server(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.drop_connections()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def _arrived(self, path: str, headers: dict[str, str], body: bytes) -> str:
        verified: bool | None = None
        if self.secret:
            try:
                Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        received = Received(path, headers, body, datetime.now(UTC), verified)
        with self._lock:
            self._requests.append(received)
            self._in_flight[received.webhook_id] += 1
            current = self._in_flight[received.webhook_id]
            if current > self.max_in_flight[received.webhook_id]:
                self.max_in_flight[received.webhook_id] = current
        return received.webhook_id

    def _answered(self, webhook_id: str) -> None:
        with self._lock:
            self._in_flight[webhook_id] -= 1


class _Server(ThreadingHTTPServer):
    """Keeps track of its open connections, so that going down also drops the keep-alive
    connections a sender holds (as a stopped server would)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, killed worker) is expected here: stay quiet."""


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"receiver": receiver})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends after this
    receiver: Receiver

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:
            # The sender died while sending (a worker killed by a crash test): no web
            # framework hands a cut-off request to its application, so it is not a delivery.
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        webhook_id = self.receiver._arrived(self.path, headers, body)
        try:
            self._answer(self.receiver.mode)
        finally:
            self.receiver._answered(webhook_id)

    def do_GET(self) -> None:  # noqa: N802 - where a followed redirect would land
        self.receiver._answered(self.receiver._arrived(self.path, {}, b""))
        self._send(200, "followed")

    def _answer(self, mode: str) -> None:
        if self.receiver.delay_s:
            time.sleep(self.receiver.delay_s)  # a receiver that takes its time to answer
        if mode == "hang":
            self.receiver._release.wait(self.receiver.hang_s)
        if mode == "close":
            self.close_connection = True  # hang up without a word
            return
        status, text = ANSWERS[mode]
        extra = {"Location": "/moved"} if mode == "redirect" else {}
        self._send(status, text, extra)

    def _send(self, status: int, text: str, extra: dict[str, str] | None = None) -> None:
        data = text.encode()
        try:
            self.send_response(status)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the sender gave up waiting

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass
