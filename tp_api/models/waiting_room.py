"""The waiting room of an event: its settings, and the line when it is kept in the database.

With ``TP_REDIS_URL`` set, the line (places, the tail, the customers' places) lives in Redis
instead and only the settings, the notices sent and the orders placed through the line are
here (services.queue.redis_line).
"""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.base import BaseModel, created_at_field
from tp_api.models.events import Event
from tp_api.models.orders import Order


class WaitingRoom(BaseModel):
    """One per event that has ever had its waiting room set up.

    ``ticket_type_ids`` (space-separated) limits the line to those ticket types; empty means
    every ticket type of the event. ``starts_at`` is when the first people are let through.
    """

    event = peewee.ForeignKeyField(Event, unique=True, on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    enabled = peewee.BooleanField(default=False)
    rate_per_minute = peewee.IntegerField(default=100)
    starts_at = UtcDateTimeField()
    return_url = peewee.CharField(max_length=2000, default="")
    ticket_type_ids = peewee.TextField(default="")
    updated_at = created_at_field()


class QueuePlace(BaseModel):
    """A customer's place in an event's line (the database keeps the line).

    ``seq`` counts joins per event from 1; ``admit_at`` is fixed when the customer joins
    (services.queue.schedule), so a place's turn never depends on who polls when.
    """

    event = peewee.ForeignKeyField(Event, on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    seq = peewee.IntegerField()
    customer_ref = peewee.CharField(max_length=200)
    items = peewee.TextField()
    joined_at = UtcDateTimeField()
    admit_at = UtcDateTimeField()
    order_marker = peewee.CharField(max_length=64, null=True)

    class Meta:
        indexes = (
            (("event", "seq"), True),
            (("event", "customer_ref"), False),
            (("event", "admit_at", "seq"), False),
        )


class QueueTail(BaseModel):
    """Where the line of an event ends: the last place given and its minute's count."""

    event = peewee.ForeignKeyField(Event, unique=True, on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    last_seq = peewee.IntegerField(default=0)
    minute = peewee.IntegerField(default=-1)
    admitted_in_minute = peewee.IntegerField(default=0)
    last_turn = UtcDateTimeField(null=True)


class QueueNoticeMark(BaseModel):
    """How far ``queue.ready`` / ``queue.expired`` have been raised in an event's line."""

    event = peewee.ForeignKeyField(Event, on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    kind = peewee.CharField(max_length=20)
    through_seq = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("event", "kind"), True),)


class QueueOrder(BaseModel):
    """An order placed with a place's token (one order per place)."""

    order = peewee.ForeignKeyField(Order, unique=True, on_delete="CASCADE")
    order_id: int  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(Event, on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    seq = peewee.IntegerField()
    created_at = created_at_field()

    class Meta:
        indexes = ((("event", "seq"), True),)
