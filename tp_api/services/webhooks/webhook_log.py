"""Reading an endpoint's delivery log: deliveries newest first, each with its attempts."""

from __future__ import annotations

from dataclasses import dataclass, field

from tp_api.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from tp_api.services.cursors import decode_cursor, encode_cursor
from tp_api.services.errors import InvalidInput, NotFound
from tp_api.services.webhooks.webhook_endpoints import get_endpoint


@dataclass
class LoggedDelivery:
    delivery: WebhookDelivery
    event: WebhookEvent
    attempts: list[WebhookAttempt] = field(default_factory=list)


@dataclass(frozen=True)
class DeliveryPage:
    items: list[LoggedDelivery]
    next_cursor: str | None


def list_deliveries(
    account_id: int, endpoint_id: int, *, status: str | None, limit: int, cursor: str | None
) -> DeliveryPage:
    """A page of the endpoint's deliveries (two queries), newest first."""
    endpoint = get_endpoint(account_id, endpoint_id)
    query = (
        WebhookDelivery.select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent)
        .where(WebhookDelivery.endpoint == endpoint.id)
    )
    if status:
        query = query.where(WebhookDelivery.status == status)
    before = decode_cursor(cursor, int)
    if before is not None:
        # The cursor names the page's last delivery by its public number, not its row id.
        row_id = (
            WebhookDelivery.select(WebhookDelivery.id)
            .where(WebhookDelivery.endpoint == endpoint.id, WebhookDelivery.number == before[0])
            .scalar()
        )
        if row_id is None:
            raise InvalidInput("cursor is not a cursor this list returned", code="invalid_cursor")
        query = query.where(WebhookDelivery.id < row_id)
    rows = list(query.order_by(WebhookDelivery.id.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    items = _with_attempts(rows)
    return DeliveryPage(items, encode_cursor(rows[-1].number) if more and rows else None)


def get_delivery(account_id: int, number: int) -> LoggedDelivery:
    """One delivery of the account's endpoints, by its public number, with its attempts, or
    NotFound."""
    row = (
        WebhookDelivery.select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent)
        .switch(WebhookDelivery)
        .join(WebhookEndpoint)
        .where(WebhookDelivery.number == number, WebhookEndpoint.account == account_id)
        .first()
    )
    if row is None:
        raise NotFound("Delivery not found", code="delivery_not_found")
    return _with_attempts([row])[0]


def _with_attempts(rows: list[WebhookDelivery]) -> list[LoggedDelivery]:
    items = {row.id: LoggedDelivery(row, row.event) for row in rows}
    if items:
        attempts = (
            WebhookAttempt.select()
            .where(WebhookAttempt.delivery.in_(list(items)))
            .order_by(WebhookAttempt.number)
        )
        for attempt in attempts:
            items[attempt.delivery_id].attempts.append(attempt)
    return list(items.values())
