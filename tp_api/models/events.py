"""Events (with child events for sub-dates) and their ticket types."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class Event(BaseModel):
    """An event, or a child event (a sub-date) when ``parent`` is set.

    Stock counters: ``stock`` is the capacity; ``sold`` counts units of paid orders and
    ``reserved`` units held by unpaid ones. The event-wide pool is enforced only when
    ``manage_stock_per_ticket`` is false (see services.stock).
    """

    account = peewee.ForeignKeyField(Account, backref="events", on_delete="CASCADE")
    parent = peewee.ForeignKeyField("self", null=True, backref="children", on_delete="CASCADE")
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


class TicketType(BaseModel):
    """A tier of an event (e.g. General Admission) with its own stock and price."""

    event = peewee.ForeignKeyField(Event, backref="ticket_types", on_delete="CASCADE")
    name = peewee.CharField(max_length=300)
    price_cents = peewee.BigIntegerField(default=0)
    stock = peewee.IntegerField(default=0)
    sold = peewee.IntegerField(default=0)
    reserved = peewee.IntegerField(default=0)
    status = peewee.SmallIntegerField(default=1)
    date = UtcDateTimeField(null=True)
    enabled = peewee.BooleanField(default=True)
    created_at = created_at_field()

    @property
    def available(self) -> int:
        """Units still for sale (never negative)."""
        return max(0, self.stock - self.sold - self.reserved)
