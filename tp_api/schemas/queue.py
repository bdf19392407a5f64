"""The waiting room in the admin API: an event's settings and figures, joining, polling."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tp_api.schemas.base import AwareDatetime, Id, RequestModel, ResponseModel, Slug, text


class QueueSettingsUpdate(RequestModel):
    """What to change; a field left out keeps its value. Switching the room on without a
    ``startsAt`` opens the line at once."""

    queue_enabled: bool | None = None
    rate_per_minute: int | None = Field(None, ge=1, le=100_000)
    starts_at: AwareDatetime | None = None
    return_url: text(2000) | None = None  # type: ignore[valid-type]
    ticket_type_ids: list[Id] | None = Field(None, max_length=200)


class QueueFigures(ResponseModel):
    joined: int
    waiting: int
    buying: int
    ordered: int
    expired: int
    orders_outside_line: int


class QueueSettingsOut(ResponseModel):
    event_id: int
    queue_enabled: bool
    rate_per_minute: int
    starts_at: datetime | None
    return_url: str
    ticket_type_ids: list[int]
    purchase_window_seconds: int
    figures: QueueFigures


class QueueItem(RequestModel):
    ticket_type_id: Id
    quantity: int = Field(ge=1, le=500)


class QueueJoin(RequestModel):
    """Seed 001's ``queue.join``: the event, the shop's reference of its customer (one place
    per reference) and what the customer wants to buy."""

    event_id: Id | Slug
    customer_id: text(200, min_length=1)  # type: ignore[valid-type]
    items: list[QueueItem] = Field(min_length=1, max_length=20)


class QueueItemOut(ResponseModel):
    ticket_type_id: int
    quantity: int


class QueuePlaceOut(ResponseModel):
    """A place in a line. ``status``: waiting, admitted (buy now, before ``expiresAt``),
    expired, completed (an order used it)."""

    token: str
    event_id: int
    place: int
    status: Literal["waiting", "admitted", "expired", "completed"]
    position: int
    estimated_wait_seconds: int
    admit_at: datetime
    expires_at: datetime
    items: list[QueueItemOut]
    return_url: str | None
    poll_after_seconds: int = Field(
        description="Ask again after this many seconds (3 to 30 while waiting; 0 once the "
        "status no longer changes by itself)"
    )
