"""Helpers shared by the outgoing-webhook tests: a recording HTTP receiver on loopback, an
app and an outbox worker allowed to deliver to loopback.

The package's fixtures (``rx``, ``hook_app``, ``api``, ``outbox``) are in its conftest.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flask import Flask

from config.settings import Settings
from config.workers import outbox_worker
from config.wsgi import create_app
from sync.outbox_worker import OutboxWorker, OutboxWorkers
from tests.loopback import Running
from tp_api.db import database
from tp_api.models import OutboxEntry, WebhookDelivery, WebhookEvent
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.webhooks import webhook_events
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

# What the public resolver of a fake DNS answers (example.com's address).
PUBLIC_ADDRESS = "93.184.216.34"
ALL_TYPES = [t for t in webhook_events.EVENT_TYPES if t != "webhook.ping"]


# --- the receiver ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as it reached the receiver: headers (names lower-cased) and raw body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_type(self) -> str:
        return str(self.json["type"])


class Receiver:
    """An HTTP server on 127.0.0.1 (port 0) recording every request before answering it.

    Answers come from ``script`` first (one per request), then ``default``.
    """

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: list[tuple[int, str]] = []
        self.default: tuple[int, str] = (200, "thanks")
        self._changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self._running = Running(self.server)

    def __enter__(self) -> Receiver:
        self._running.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tp"

    def answer(self, *answers: tuple[int, str]) -> None:
        """Answer the next requests with these (status, body) pairs, in order."""
        with self._changed:
            self.script.extend(answers)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The requests once at least ``count`` arrived (fails after ``timeout``)."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.requests) >= count, timeout)
            assert arrived, f"expected {count} requests, got {len(self.requests)}"
            return list(self.requests)

    def of_type(self, event_type: str) -> list[Received]:
        return [r for r in self.requests if r.event_type == event_type]

    def _next_answer(self) -> tuple[int, str]:
        with self._changed:
            return self.script.pop(0) if self.script else self.default

    def _record(self, received: Received) -> None:
        with self._changed:
            self.requests.append(received)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver._record(
                    Received(
                        "POST",
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                status, text = receiver._next_answer()
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


@contextmanager
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


# --- app, worker, database ----------------------------------------------------------------------


def loopback_settings(settings: Settings) -> Settings:
    """The test settings with webhooks allowed to reach loopback (where receivers listen)."""
    return dataclasses.replace(settings, webhook_allow_private=True)


@contextmanager
def loopback_app(settings: Settings) -> Iterator[Flask]:
    """An app whose endpoints may point at loopback. Use instead of (not beside) ``app``."""
    application = create_app(loopback_settings(settings))
    application.config["TESTING"] = True
    yield application
    database.close_all()


def worker(settings: Settings) -> OutboxWorkers:
    """The installation's outbox worker, delivering to loopback."""
    return outbox_worker(loopback_settings(settings))


def drain(outbox: OutboxWorker | OutboxWorkers, limit: int = 200) -> int:
    """Run every due job (including those the jobs queue and that are due at once)."""
    ran = 0
    while batch := outbox.run_once():
        ran += batch
        assert ran < limit, "the outbox never ran dry"
    return ran


def fresh_subscriptions() -> Iterator[None]:
    """For an autouse fixture: no subscription cached from another test (ids restart)."""
    webhook_events.forget_subscriptions()
    yield
    webhook_events.forget_subscriptions()


def webhook_rows() -> tuple[int, int, int]:
    """(events, deliveries, webhook outbox jobs) in the database."""
    jobs = OutboxEntry.select().where(OutboxEntry.kind == webhook_events.DELIVER_WEBHOOK)
    return WebhookEvent.select().count(), WebhookDelivery.select().count(), jobs.count()


def stored_events(event_type: str | None = None) -> list[dict[str, Any]]:
    """The bodies of the stored webhook events, oldest first (pings left out)."""
    query = WebhookEvent.select().order_by(WebhookEvent.id)
    if event_type is not None:
        query = query.where(WebhookEvent.event_type == event_type)
    else:
        query = query.where(WebhookEvent.event_type != "webhook.ping")
    return [json.loads(e.body) for e in query]


# --- endpoints and their policy ------------------------------------------------------------------

ORDER_TYPES = ["order.created", "order.paid"]


def public_dns(host: str, port: int) -> list[str]:
    """A resolver that answers a public address for every name."""
    return [PUBLIC_ADDRESS]


PUBLIC = EndpointPolicy(allow_private=False, resolver=public_dns)


def box(settings: Settings) -> SecretBox:
    return SecretBox([settings.secret_key])


def all_text(response: Any) -> str:
    return str(response.get_data(as_text=True))
