"""Helpers for the webhook delivery tests: a real HTTP receiver on loopback that can be told to
fail in the ways receivers fail, endpoint set-up, running the outbox, and reading back the
deliveries, their attempts and their outbox jobs."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from config.settings import Settings
from config.shops import secret_box
from config.workers import outbox_worker
from sync.outbox_worker import OutboxWorker, OutboxWorkers
from tests.factories import Seller
from tp_api.db import write_transaction
from tp_api.models import (
    DeliveryStatus,
    OutboxEntry,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tp_api.services.delivery import outbox
from tp_api.services.webhooks import webhook_events
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy, NewSecret, create_endpoint

API = "/api/v1"
ANSWERS = {
    "ok": (200, "thanks"),
    "error": (500, "receiver broke: database down"),
    "redirect": (302, "moved elsewhere"),
    "hang": (200, "too late"),
}


def travel_start() -> datetime:
    """Now, with a fixed non-zero fraction of a second (SQLite compares times as text, so a
    start on a whole second would be stored without its fraction)."""
    return datetime.now(UTC).replace(microsecond=250_000)


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


# --- endpoints, events and the worker ----------------------------------------------------


@dataclass
class Hook:
    """One seller's endpoint pointing at a receiver, and the worker that delivers to it."""

    settings: Settings
    seller: Seller
    endpoint_id: int
    secret: str
    receiver: Receiver
    worker: OutboxWorker | OutboxWorkers
    ping_delivery_id: int = 0
    events: list[str] = field(default_factory=list)

    def emit(self, event_type: str = "order.created", data: dict[str, Any] | None = None) -> int:
        """Raise an event in its own transaction; the row id of its delivery to this endpoint."""
        with write_transaction():
            sent = webhook_events.emit(self.seller.id, event_type, lambda: data or {"n": 1})
        assert sent == 1, f"{event_type} reached {sent} endpoints, expected this one"
        delivery = (
            WebhookDelivery.select()
            .where(WebhookDelivery.endpoint == self.endpoint_id)
            .order_by(WebhookDelivery.id.desc())
            .get()
        )
        self.events.append(WebhookEvent.get_by_id(delivery.event_id).public_id)
        return int(delivery.id)

    def run(self) -> int:
        return drain(self.worker)

    def endpoint(self) -> WebhookEndpoint:
        return WebhookEndpoint.get_by_id(self.endpoint_id)


def delivery_worker(settings: Settings, **changes: Any) -> OutboxWorkers:
    """The installation's outbox worker, allowed to reach loopback, with a 1 s timeout."""
    return outbox_worker(
        replace(settings, **{"webhook_allow_private": True, "webhook_timeout_s": 1, **changes})
    )


def make_hook(
    settings: Settings,
    seller: Seller,
    receiver: Receiver,
    *,
    event_types: list[str] | None = None,
    url: str | None = None,
    policy: EndpointPolicy | None = None,
    worker: OutboxWorker | None = None,
    deliver_ping: bool = True,
) -> Hook:
    """An endpoint (through the service). Its creation ping is delivered (the receiver
    answers it whatever its mode, and forgets it) unless ``deliver_ping`` is False."""
    created: NewSecret = create_endpoint(
        seller.id,
        secret_box(settings),
        policy or EndpointPolicy(allow_private=True),
        url=url or receiver.url,
        event_types=event_types or ["order.created", "order.paid"],
    )
    receiver.secret = created.secret
    hook = Hook(
        settings=settings,
        seller=seller,
        endpoint_id=int(created.endpoint.id),
        secret=created.secret,
        receiver=receiver,
        worker=worker or delivery_worker(settings),
    )
    ping = WebhookDelivery.get(WebhookDelivery.endpoint == hook.endpoint_id)
    hook.ping_delivery_id = int(ping.id)
    if not deliver_ping:
        return hook
    mode, receiver.mode = receiver.mode, "ok"
    try:
        assert hook.run() == 1
    finally:
        receiver.mode = mode
    assert WebhookDelivery.get_by_id(ping.id).status == DeliveryStatus.SUCCEEDED
    receiver.clear()
    return hook


def drain(worker: OutboxWorker | OutboxWorkers, *, limit: int = 2000) -> int:
    """Run every due job (``run_once`` until nothing is due); how many ran."""
    ran = 0
    while batch := worker.run_once():
        ran += batch
        assert ran < limit, "the outbox never ran dry"
    return ran


def run_until_settled(traveller: Any, hook: Hook, *, max_rounds: int = 60) -> int:
    """Deliver and retry, travelling to each next attempt, until no delivery of the endpoint
    is pending. Returns the rounds it took."""
    for rounds in range(max_rounds):
        hook.run()
        pending = [
            d.next_attempt_at
            for d in WebhookDelivery.select().where(
                WebhookDelivery.endpoint == hook.endpoint_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
        ]
        if not pending:
            return rounds
        traveller.move_to(min(pending))
    raise AssertionError(f"deliveries still pending after {max_rounds} rounds")


@contextmanager
def receiving(mode: str = "ok", **options: Any) -> Iterator[Receiver]:
    receiver = Receiver(mode, **options)
    try:
        yield receiver
    finally:
        receiver.stop()


# --- reading back -------------------------------------------------------------------------


def delivery(delivery_id: int) -> WebhookDelivery:
    return WebhookDelivery.get_by_id(delivery_id)


def public_number(delivery_id: int) -> int:
    """The delivery's id in the admin API (its random number, not the row id)."""
    return int(delivery(delivery_id).number)


def attempts(delivery_id: int) -> list[WebhookAttempt]:
    return list(
        WebhookAttempt.select()
        .where(WebhookAttempt.delivery == delivery_id)
        .order_by(WebhookAttempt.number)
    )


def event_id_of(delivery_id: int) -> str:
    return str(WebhookEvent.get_by_id(delivery(delivery_id).event_id).public_id)


def jobs(delivery_id: int) -> list[OutboxEntry]:
    """The outbox jobs of one delivery, oldest first."""
    rows = (
        OutboxEntry.select()
        .where(OutboxEntry.kind == webhook_events.DELIVER_WEBHOOK)
        .order_by(OutboxEntry.id)
    )
    return [r for r in rows if outbox.payload(r).get("delivery_id") == delivery_id]


def open_jobs(delivery_id: int) -> list[OutboxEntry]:
    return [j for j in jobs(delivery_id) if j.done_at is None and j.failed_at is None]


def job_key(delivery_id: int, attempt: int) -> str:
    return f"webhook:{delivery_id}:{attempt}"


def admin_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def body_json(received: Received) -> dict[str, Any]:
    data = json.loads(received.body)
    assert isinstance(data, dict)
    return data
