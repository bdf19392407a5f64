"""Door scanners: devices with a key that may scan (and read figures for) chosen events."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field
from tp_api.models.events import Event


class Scanner(BaseModel):
    """A scanner device or app. Only a SHA-256 of its key is stored."""

    account = peewee.ForeignKeyField(Account, backref="scanners", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    name = peewee.CharField(max_length=100)
    prefix = peewee.CharField(max_length=16, index=True)
    key_hash = peewee.CharField(max_length=64, unique=True)
    created_at = created_at_field()
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)
    # The gate a phone paired with it starts with (its staff may change it there).
    default_gate = peewee.CharField(max_length=100, default="")


class ScannerEvent(BaseModel):
    """An event a scanner may scan (its children included)."""

    scanner = peewee.ForeignKeyField(Scanner, backref="events", on_delete="CASCADE")
    scanner_id: int  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(Event, backref="scanners", on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)

    class Meta:
        indexes = ((("scanner", "event"), True),)


class ScannerPairing(BaseModel):
    """A one-time code that sets up a door device as a scanner: redeeming it gives the device
    a new key for the scanner. Only a SHA-256 of the code is stored."""

    scanner = peewee.ForeignKeyField(Scanner, backref="pairings", on_delete="CASCADE")
    scanner_id: int  # the foreign key's column (peewee's accessor)
    code_hash = peewee.CharField(max_length=64, unique=True)
    created_at = created_at_field()
    expires_at = UtcDateTimeField()
    used_at = UtcDateTimeField(null=True)
