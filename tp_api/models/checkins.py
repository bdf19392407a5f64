"""Door scans: every decision, admitted or refused, is kept."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.base import BaseModel
from tp_api.models.events import Event
from tp_api.models.scanners import Scanner
from tp_api.models.tickets import Ticket


class CheckIn(BaseModel):
    """One scan at a gate, with the decision taken. Refused scans are kept too: a code that
    names no ticket (or a forged one) has no ``ticket``."""

    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="checkins", on_delete="CASCADE")
    ticket_id: int | None  # the foreign key's column (peewee's accessor)
    direction = peewee.CharField(max_length=3, default="in")  # "in" or "out"
    at = UtcDateTimeField()
    gate = peewee.CharField(max_length=100, default="")
    device = peewee.CharField(max_length=100, default="")
    result = peewee.CharField(max_length=30)  # "ok", "already_scanned", "cancelled", ...
    # A scanner's own id for the scan: the same nonce twice from one scanner changes nothing.
    nonce = peewee.CharField(max_length=64, null=True)
    event = peewee.ForeignKeyField(Event, null=True, backref="checkins", on_delete="CASCADE")
    event_id: int | None  # the foreign key's column (peewee's accessor)
    scanner = peewee.ForeignKeyField(Scanner, null=True, backref="checkins", on_delete="SET NULL")
    scanner_id: int | None  # the foreign key's column (peewee's accessor)
    code_ref = peewee.CharField(max_length=32, null=True)
    device_at = UtcDateTimeField(null=True)  # the scanner's clock, for offline uploads
    offline = peewee.BooleanField(default=False)
    # An offline admission of a ticket that another gate had already admitted.
    conflict = peewee.BooleanField(default=False)
    # Decided by hand (the guest found by name or reference): no code was checked.
    by_hand = peewee.BooleanField(default=False)

    class Meta:
        indexes = ((("event", "at"), False), (("scanner", "nonce"), True))
