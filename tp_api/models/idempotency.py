"""Stored responses of admin-API writes sent with an ``Idempotency-Key`` header."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class IdempotencyRecord(BaseModel):
    """One key of one credential: in flight while ``status`` is null, then the response.

    ``scope`` is a hash of the credential and the key (pretix's middleware keys on the same
    pair), so two API keys of one account may use the same Idempotency-Key independently.
    """

    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    scope = peewee.CharField(max_length=64, unique=True)
    fingerprint = peewee.CharField(max_length=64)
    status = peewee.IntegerField(null=True)
    content_type = peewee.CharField(max_length=100, default="")
    body = peewee.BlobField(null=True)
    created_at = created_at_field()
    expires_at = UtcDateTimeField(index=True)
