"""Issued tickets, one per admitted person."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.base import BaseModel, created_at_field
from tp_api.models.events import Event, TicketType
from tp_api.models.orders import Order, OrderLine


class TicketStatus:
    """The document's ticket status values."""

    CREATED = 1  # awaiting personalisation
    ACTIVE = 2  # personalised and valid for entry
    SCANNED_IN = 3
    SCANNED_OUT = 4
    CANCELLED = 5

    # The names the admin API, webhooks and exports use for these values.
    NAMES = {
        CREATED: "created",
        ACTIVE: "active",
        SCANNED_IN: "scanned_in",
        SCANNED_OUT: "scanned_out",
        CANCELLED: "cancelled",
    }


class Ticket(BaseModel):
    """A ticket. ``reference`` is the unguessable id the partner API calls ``ticket_id``."""

    reference = peewee.CharField(max_length=32, unique=True)
    order = peewee.ForeignKeyField(Order, backref="tickets", on_delete="CASCADE")
    order_id: int  # the foreign key's column (peewee's accessor)
    order_line = peewee.ForeignKeyField(OrderLine, backref="tickets", on_delete="CASCADE")
    order_line_id: int  # the foreign key's column (peewee's accessor)
    ticket_type = peewee.ForeignKeyField(TicketType, backref="tickets")
    ticket_type_id: int  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(Event, backref="tickets")
    event_id: int  # the foreign key's column (peewee's accessor)
    status = peewee.SmallIntegerField(default=TicketStatus.CREATED)
    first_name = peewee.CharField(max_length=200, default="")
    last_name = peewee.CharField(max_length=200, default="")
    email = peewee.CharField(max_length=254, default="")
    phone = peewee.CharField(max_length=50, default="")
    # Bumped when the ticket is re-issued, so old QR codes and links stop working.
    version = peewee.IntegerField(default=1)
    is_deprecated = peewee.BooleanField(default=False)
    personalised_at = UtcDateTimeField(null=True)
    # When the reminder before the event was queued (services.delivery.reminders); set by a
    # conditional update, so two daemons never remind the same ticket.
    reminded_at = UtcDateTimeField(null=True)
    created_at = created_at_field()
    updated_at = created_at_field()

    class Meta:
        indexes = (
            (("event", "status"), False),
            (("event", "status", "reminded_at"), False),
        )
