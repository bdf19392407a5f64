"""Outgoing webhook endpoints and their delivery log in the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tp_api.schemas.base import (
    Cursor,
    Limit,
    Page,
    RequestModel,
    ResponseModel,
    text,
)

EventType = Literal[
    "order.created",
    "order.paid",
    "order.refunded",
    "order.cancelled",
    "order.expired",
    "ticket.personalized",
    "ticket.reissued",
    "checkin.completed",
    "event.published",
    "event.cancelled",
    "event.sold_out",
    "ticket_type.sold_out",
    "ticket_type.price_changed",
    "ticket_type.availability_changed",
    "shop_order.needs_refund",
    "queue.ready",
    "queue.expired",
    "ticket.created",
    "fraud.alert",
    "webhook.ping",
]
Url = text(2000, min_length=8)


class WebhookCreate(RequestModel):
    """An endpoint; its signing secret is in the response only."""

    url: Url  # type: ignore[valid-type]
    event_types: list[EventType] = Field(min_length=1, max_length=20)
    description: text(200) = ""  # type: ignore[valid-type]


class WebhookUpdate(RequestModel):
    url: Url | None = None  # type: ignore[valid-type]
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=20)
    description: text(200) | None = None  # type: ignore[valid-type]
    enabled: bool | None = None


class WebhookOut(ResponseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failed_deliveries_in_a_row: int
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str


class WebhookSecret(ResponseModel):
    secret: str
    previous_secret_expires_at: datetime | None


class WebhookList(ResponseModel):
    items: list[WebhookOut]


class AttemptOut(ResponseModel):
    number: int
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str | None


DeliveryStatusName = Literal["pending", "succeeded", "failed"]


class DeliveryOut(ResponseModel):
    id: int
    event_id: str
    event_type: str
    status: DeliveryStatusName
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[AttemptOut]


class DeliveryList(Page):
    items: list[DeliveryOut]


class DeliveryListQuery(RequestModel):
    status: DeliveryStatusName | None = None
    limit: Limit = 20
    cursor: Cursor | None = None


class Queued(ResponseModel):
    delivery_id: int
