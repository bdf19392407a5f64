"""Events (with child events for sub-dates) and their ticket types."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class EventLifecycle:
    """The seller-facing state of an event (``Event.lifecycle``).

    ``sold_out`` is never stored: a published event with nothing left is reported as sold
    out (services.admin_events), so it turns back to published when a refund frees a seat.
    """

    DRAFT = "draft"
    PUBLISHED = "published"
    SOLD_OUT = "sold_out"
    COMPLETED = "completed"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"

    ALL = (DRAFT, PUBLISHED, SOLD_OUT, COMPLETED, ARCHIVED, CANCELLED)
    ON_SALE = frozenset({PUBLISHED})


class Event(BaseModel):
    """An event, or a child event (a sub-date) when ``parent`` is set.

    Stock counters: ``stock`` is the capacity; ``sold`` counts units of paid orders and
    ``reserved`` units held by unpaid ones. The event-wide pool is enforced only when
    ``manage_stock_per_ticket`` is false (see services.stock).
    """

    account = peewee.ForeignKeyField(Account, backref="events", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="CASCADE")
    parent_id: int | None  # the foreign key's column (peewee's accessor)
    name = peewee.CharField(max_length=300)
    city = peewee.CharField(max_length=200, default="")
    location = peewee.CharField(max_length=300, default="")
    start_date = UtcDateTimeField(null=True)
    end_date = UtcDateTimeField(null=True)
    timezone = peewee.CharField(max_length=64, default="UTC")
    price_cents = peewee.BigIntegerField(default=0)
    stock = peewee.IntegerField(default=0)
    sold = peewee.IntegerField(default=0)
    reserved = peewee.IntegerField(default=0)
    status = peewee.SmallIntegerField(default=1)
    featured = peewee.BooleanField(default=False)
    thumbnail = peewee.CharField(max_length=500, null=True)
    password = peewee.CharField(max_length=200, null=True)
    event_params = peewee.TextField(default="{}")
    manage_price_per_ticket = peewee.BooleanField(default=True)
    manage_stock_per_ticket = peewee.BooleanField(default=True)
    deleted_at = UtcDateTimeField(null=True)
    created_at = created_at_field()
    # Door rules: may a ticket scanned out come back in; must it be personalised to enter.
    allow_reentry = peewee.BooleanField(default=True)
    require_personalisation = peewee.BooleanField(default=True)
    # A reminder e-mail TP_REMINDER_HOURS before the start (services.delivery.reminders).
    send_reminders = peewee.BooleanField(default=True)
    # Doors open this many minutes before the start (of the event, or of a date: a date
    # without its own follows its event); null: tickets are valid at any time.
    admission_opens_minutes = peewee.IntegerField(null=True)
    # Admin API: events loaded from files (and those made before it) are published.
    slug = peewee.CharField(max_length=120, null=True)
    lifecycle = peewee.CharField(max_length=20, default=EventLifecycle.PUBLISHED)
    description = peewee.TextField(default="")
    currency = peewee.CharField(max_length=3, default="EUR")
    updated_at = created_at_field()

    class Meta:
        # NULL slugs do not collide (on SQLite and PostgreSQL alike).
        indexes = (
            (("account", "slug"), True),
            (("account", "start_date", "id"), False),
            # The reminder job's look-up: events of every account starting in a window.
            (("start_date",), False),
        )


class TicketType(BaseModel):
    """A tier of an event (e.g. General Admission) with its own stock and price."""

    event = peewee.ForeignKeyField(Event, backref="ticket_types", on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    name = peewee.CharField(max_length=300)
    price_cents = peewee.BigIntegerField(default=0)
    stock = peewee.IntegerField(default=0)
    sold = peewee.IntegerField(default=0)
    reserved = peewee.IntegerField(default=0)
    status = peewee.SmallIntegerField(default=1)
    date = UtcDateTimeField(null=True)
    enabled = peewee.BooleanField(default=True)
    created_at = created_at_field()
    # Sale rules, honoured by the partner API when an order is created.
    sales_start = UtcDateTimeField(null=True)
    sales_end = UtcDateTimeField(null=True)
    min_per_order = peewee.IntegerField(default=1)
    max_per_order = peewee.IntegerField(null=True)
    hidden = peewee.BooleanField(default=False)

    @property
    def available(self) -> int:
        """Units still for sale (never negative)."""
        return max(0, self.stock - self.sold - self.reserved)
