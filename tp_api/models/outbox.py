"""Durable follow-up work, written in the same transaction as the change that causes it."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class OutboxEntry(BaseModel):
    """A unit of follow-up work (render a PDF, send an e-mail, deliver a webhook, push stock).

    Workers claim rows whose ``not_before`` has passed and which are not locked; a claim sets
    ``locked_until`` so a crashed worker's row is released after that time.
    """

    account = peewee.ForeignKeyField(Account, null=True, backref="outbox", on_delete="CASCADE")
    account_id: int | None  # the foreign key's column (peewee's accessor)
    kind = peewee.CharField(max_length=50, index=True)
    payload = peewee.TextField(default="{}")
    dedupe_key = peewee.CharField(max_length=200, null=True, unique=True)
    not_before = UtcDateTimeField(index=True)
    attempts = peewee.IntegerField(default=0)
    max_attempts = peewee.IntegerField(default=12)
    locked_until = UtcDateTimeField(null=True)
    last_error = peewee.TextField(null=True)
    created_at = created_at_field()
    done_at = UtcDateTimeField(null=True, index=True)
    failed_at = UtcDateTimeField(null=True)


# Workers claim among pending jobs only (migration 0008): a partial index, so a claim does
# not walk past every job already done.
OutboxEntry.add_index(
    OutboxEntry.index(
        OutboxEntry.not_before,
        OutboxEntry.id,
        name="outbox_entry_pending",
        where=(OutboxEntry.done_at.is_null() & OutboxEntry.failed_at.is_null()),
    )
)
