"""Door scans: every decision, admitted or refused, is kept."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.base import BaseModel
from tp_api.models.tickets import Ticket


class CheckIn(BaseModel):
    """One scan of a ticket at a gate, with the decision taken."""

    ticket = peewee.ForeignKeyField(Ticket, backref="checkins", on_delete="CASCADE")
    direction = peewee.CharField(max_length=3, default="in")  # "in" or "out"
    at = UtcDateTimeField()
    gate = peewee.CharField(max_length=100, default="")
    device = peewee.CharField(max_length=100, default="")
    result = peewee.CharField(max_length=30)  # "ok", "already_scanned", "cancelled", ...
    # A scanner's upload id: the same nonce twice changes nothing.
    nonce = peewee.CharField(max_length=64, null=True, unique=True)
