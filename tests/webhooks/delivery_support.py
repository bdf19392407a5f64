"""Helpers for the webhook delivery tests: a real HTTP receiver on loopback that can be told to
fail in the ways receivers fail, endpoint set-up, running the outbox, and reading back the
deliveries, their attempts and their outbox jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from config.settings import Settings
from config.shops import secret_box
from config.workers import outbox_worker
from sync.outbox_worker import OutboxWorker, OutboxWorkers
from tests.factories import Seller
from tests.webhooks.delivery_receiver import Received, Receiver
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


def travel_start() -> datetime:
    """Now, with a fixed non-zero fraction of a second (SQLite compares times as text, so a
    start on a whole second would be stored without its fraction)."""
    return datetime.now(UTC).replace(microsecond=250_000)


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

    def pending_attempts(self) -> list[datetime]:
        """When each of the endpoint's pending deliveries is next attempted."""
        rows = WebhookDelivery.select().where(
            WebhookDelivery.endpoint == self.endpoint_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        return [d.next_attempt_at for d in rows]

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
        pending = hook.pending_attempts()
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


# --- time travel -----------------------------------------------------------------------------

PUBLIC = "93.184.216.34"


def within_jitter(delay: timedelta, nominal: timedelta) -> bool:
    """Whether a retry delay is its nominal value give or take the 10 % jitter."""
    return nominal * 0.9 <= delay <= nominal * 1.1


def advance(traveller: Any, hook: Hook, until: datetime) -> None:
    """Deliver and retry everything due up to ``until``, travelling from attempt to attempt."""
    for _ in range(100):
        hook.run()
        pending = hook.pending_attempts()
        if not pending or min(pending) > until:
            traveller.move_to(until)
            hook.run()
            return
        traveller.move_to(min(pending))
    raise AssertionError("too many rounds")
