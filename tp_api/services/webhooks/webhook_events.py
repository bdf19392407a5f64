"""Where webhook events are raised: inside the transaction of the change that causes them.

:func:`emit` writes the event, one delivery per subscribed endpoint and one outbox job per
delivery, so an event is sent if and only if its change committed. Accounts without a
subscribed endpoint pay one dictionary lookup: each process remembers who subscribes to
what for a few seconds (a new or changed endpoint hears events within ``SUBSCRIPTION_TTL``,
at once in the process that changed it).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, get_args

from tp_api.db import tuples, utcnow
from tp_api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tp_api.schemas.webhooks import EventType
from tp_api.services.delivery import outbox

DELIVER_WEBHOOK = "deliver_webhook"
SUBSCRIPTION_TTL = timedelta(seconds=5)

# The schema's Literal is the one list (it validates subscriptions); this is its run-time form.
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

_subscriptions: dict[int, tuple[list[tuple[int, frozenset[str]]], datetime]] = {}


def forget_subscriptions(account_id: int | None = None) -> None:
    """Drop the cached subscriptions of one account (or all, for tests)."""
    if account_id is None:
        _subscriptions.clear()
    else:
        _subscriptions.pop(account_id, None)


def subscribers(account_id: int, event_type: str) -> list[int]:
    """Ids of the account's enabled endpoints subscribed to ``event_type``."""
    now = utcnow()
    cached = _subscriptions.get(account_id)
    if cached is None or cached[1] <= now:
        rows = tuples(
            WebhookEndpoint.select(WebhookEndpoint.id, WebhookEndpoint.event_types).where(
                WebhookEndpoint.account == account_id,
                WebhookEndpoint.enabled == True,  # noqa: E712
            )
        )
        cached = ([(i, frozenset(types.split())) for i, types in rows], now + SUBSCRIPTION_TTL)
        _subscriptions[account_id] = cached
    return [i for i, types in cached[0] if event_type in types]


def emit(account_id: int, event_type: str, data: Callable[[], dict[str, Any]]) -> int:
    """Raise an event; ``data`` (the object as the admin API renders it) is built only when
    someone listens. Call inside the write transaction of the change. Returns deliveries."""
    endpoints = subscribers(account_id, event_type)
    if not endpoints:
        return 0
    # The cache may be a few seconds old: another process may have removed or disabled an
    # endpoint since. Only endpoints that still listen, as this transaction sees them.
    still = WebhookEndpoint.select(WebhookEndpoint.id).where(
        WebhookEndpoint.id.in_(endpoints),
        WebhookEndpoint.enabled == True,  # noqa: E712
    )
    endpoints = [endpoint_id for (endpoint_id,) in tuples(still)]
    if not endpoints:
        return 0
    event = _store_event(account_id, event_type, data())
    for endpoint_id in endpoints:
        _queue_delivery(endpoint_id, event)
    return len(endpoints)


def emit_ping(account_id: int, endpoint: WebhookEndpoint) -> int:
    """A ``webhook.ping`` to one endpoint (on creation and on request); returns the delivery's
    public number."""
    event = _store_event(
        account_id,
        "webhook.ping",
        {"endpointId": endpoint.id, "url": endpoint.url, "message": "Hello from tp-bridge"},
    )
    return _queue_delivery(endpoint.id, event)


def _store_event(account_id: int, event_type: str, data: dict[str, Any]) -> WebhookEvent:
    now = utcnow()
    public_id = "evt_" + uuid.uuid4().hex
    body = {
        "id": public_id,
        "type": event_type,
        "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "accountId": account_id,
        "data": data,
    }
    return WebhookEvent.create(
        account=account_id,
        public_id=public_id,
        event_type=event_type,
        body=json.dumps(body, separators=(",", ":"), default=_json_default),
        created_at=now,
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _queue_delivery(endpoint_id: int, event: WebhookEvent) -> int:
    now = utcnow()
    delivery = WebhookDelivery.create(
        endpoint=endpoint_id,
        event=event.id,
        next_attempt_at=now,
        created_at=now,
        window_started_at=now,
    )
    schedule_attempt(delivery.id, 1, now, account_id=event.account_id)
    return int(delivery.number)


def schedule_attempt(delivery_id: int, number: int, at: datetime, *, account_id: int) -> None:
    """One outbox job per attempt: attempts of one delivery never overlap or reorder."""
    outbox.enqueue(
        DELIVER_WEBHOOK,
        {"delivery_id": delivery_id, "attempt": number},
        account_id=account_id,
        dedupe_key=f"webhook:{delivery_id}:{number}",
        not_before=at,
    )
