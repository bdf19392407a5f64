"""Events and ticket types in the admin API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, model_validator

from tp_api.schemas.base import (
    AwareDatetime,
    Cents,
    Currency,
    Cursor,
    Limit,
    Name,
    Page,
    Quantity,
    RequestModel,
    ResponseModel,
    Slug,
    text,
)

EventStatus = Literal["draft", "published", "sold_out", "completed", "archived", "cancelled"]
_ZONES = frozenset(available_timezones())


def _zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("must be an IANA time zone such as Europe/Amsterdam")
    return value


TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_zone)]
PerOrder = Annotated[int, Field(ge=1, le=1000)]
# Minutes before the start when the doors open (at most a week); null: at any time.
AdmissionOpens = Annotated[
    int,
    Field(
        ge=0,
        le=10_080,
        description="Tickets are valid at the door from this many minutes before the start "
        "(null: at any time)",
    ),
]


class _SaleRules(RequestModel):
    @model_validator(mode="after")
    def _check_rules(self) -> _SaleRules:
        start, end = getattr(self, "sales_start", None), getattr(self, "sales_end", None)
        if start is not None and end is not None and end <= start:
            raise ValueError("salesEnd must be after salesStart")
        low, high = getattr(self, "min_per_order", None), getattr(self, "max_per_order", None)
        if low is not None and high is not None and high < low:
            raise ValueError("maxPerOrder must not be below minPerOrder")
        return self


class TicketTypeCreate(_SaleRules):
    """A ticket type: price in cents, quantity for sale, sale window, per-order limits."""

    name: Name
    price: Cents = 0
    quantity: Quantity
    sales_start: AwareDatetime | None = None
    sales_end: AwareDatetime | None = None
    min_per_order: PerOrder = 1
    max_per_order: PerOrder | None = None
    hidden: bool = False


class TicketTypeUpdate(_SaleRules):
    """Fields to change on a ticket type; a quantity below what is sold is refused."""

    name: Name | None = None
    price: Cents | None = None
    quantity: Quantity | None = None
    sales_start: AwareDatetime | None = None
    sales_end: AwareDatetime | None = None
    min_per_order: PerOrder | None = None
    max_per_order: PerOrder | None = None
    hidden: bool | None = None


class _Schedule(RequestModel):
    @model_validator(mode="after")
    def _check_dates(self) -> _Schedule:
        start, end = getattr(self, "starts_at", None), getattr(self, "ends_at", None)
        if start is not None and end is not None and end < start:
            raise ValueError("endsAt must not be before startsAt")
        return self


class EventDateCreate(_Schedule):
    """A child date of an event (a day of a festival) with its own ticket types."""

    title: Name
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    capacity: Quantity | None = None
    # Null: as the event.
    admission_opens_minutes: AdmissionOpens | None = None
    ticket_types: list[TicketTypeCreate] = Field(default_factory=list, max_length=50)


class EventDateUpdate(_Schedule):
    """Fields to change on one date of an event."""

    title: Name | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    capacity: Quantity | None = None
    admission_opens_minutes: AdmissionOpens | None = None


class EventCreate(_Schedule):
    """A new event (created as a draft), with ticket types and child dates in one request."""

    title: Name
    slug: Slug | None = None
    description: text(10_000, multiline=True) = ""  # type: ignore[valid-type]
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    timezone: TimeZone = "UTC"
    venue_name: text(300) = ""  # type: ignore[valid-type]
    city: text(200) = ""  # type: ignore[valid-type]
    currency: Currency = "EUR"
    capacity: Quantity | None = Field(
        None, description="An event-wide limit shared by all ticket types (none: per type only)"
    )
    allow_reentry: bool = True
    require_personalisation: bool = True
    send_reminders: bool = Field(
        True, description="E-mail holders a reminder TP_REMINDER_HOURS before the start"
    )
    admission_opens_minutes: AdmissionOpens | None = None
    ticket_types: list[TicketTypeCreate] = Field(default_factory=list, max_length=50)
    dates: list[EventDateCreate] = Field(default_factory=list, max_length=100)


class EventUpdate(_Schedule):
    """Fields to change on an event. The status changes through the lifecycle actions."""

    title: Name | None = None
    slug: Slug | None = None
    description: text(10_000, multiline=True) | None = None  # type: ignore[valid-type]
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    timezone: TimeZone | None = None
    venue_name: text(300) | None = None  # type: ignore[valid-type]
    city: text(200) | None = None  # type: ignore[valid-type]
    currency: Currency | None = None
    capacity: Quantity | None = None
    allow_reentry: bool | None = None
    require_personalisation: bool | None = None
    send_reminders: bool | None = None
    admission_opens_minutes: AdmissionOpens | None = None


class EventDuplicate(_Schedule):
    """A copy of an event with new dates (ticket types copied, nothing sold); a draft."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    title: Name | None = None
    slug: Slug | None = None


class EventCancel(RequestModel):
    """Cancel an event: every ticket is cancelled and every order refunded."""

    reason: text(500) = ""  # type: ignore[valid-type]


class EventListQuery(RequestModel):
    status: EventStatus | None = None
    search: text(200) | None = Field(None, description="Matches title, city or venue")  # type: ignore[valid-type]
    date_from: AwareDatetime | None = Field(None, description="Events starting at or after")
    date_to: AwareDatetime | None = Field(None, description="Events starting at or before")
    live_only: bool = Field(False, description="Only events on sale now (published, not over)")
    limit: Limit = 20
    cursor: Cursor | None = None


class TicketTypeOut(ResponseModel):
    id: int
    event_id: int
    name: str
    price: int
    currency: str
    quantity: int
    sold: int
    reserved: int
    available: int
    sales_start: datetime | None
    sales_end: datetime | None
    min_per_order: int
    max_per_order: int | None
    hidden: bool
    on_sale: bool


class EventDateOut(ResponseModel):
    id: int
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    admission_opens_minutes: int | None = Field(description="Null: as the event")
    ticket_types: list[TicketTypeOut]


class EventOut(ResponseModel):
    id: int
    slug: str | None
    title: str
    description: str
    status: EventStatus
    starts_at: datetime | None
    ends_at: datetime | None
    timezone: str
    venue_name: str
    city: str
    currency: str
    capacity: int | None
    allow_reentry: bool
    require_personalisation: bool
    send_reminders: bool
    admission_opens_minutes: int | None = Field(
        description="Tickets are valid at the door from this many minutes before the start "
        "(of the event, or of each date; null: at any time)"
    )
    sold: int
    available: int
    ticket_types: list[TicketTypeOut]
    dates: list[EventDateOut]
    created_at: datetime
    updated_at: datetime


class EventList(Page):
    items: list[EventOut]


class TicketTypeAvailability(ResponseModel):
    id: int
    name: str
    price: int
    available: int
    on_sale: bool
    sold_out: bool


class Availability(ResponseModel):
    """The compact live shape for shop inventory sync: one row per ticket type."""

    event_id: int
    status: EventStatus
    currency: str
    available: int
    ticket_types: list[TicketTypeAvailability]
    dates: list[Availability] = Field(default_factory=list)


class TicketTypeList(ResponseModel):
    items: list[TicketTypeOut]
