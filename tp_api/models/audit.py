"""The audit trail: who changed what, when, with the values before and after."""

from __future__ import annotations

import peewee

from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class AuditEntry(BaseModel):
    """One change made by a person or a key, written in the transaction of the change."""

    account = peewee.ForeignKeyField(Account, backref="audit_entries", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    at = created_at_field()
    # staff (a console user), api_key (an admin-API key) or system (commands, the sync).
    actor_kind = peewee.CharField(max_length=16)
    actor_id = peewee.BigIntegerField(null=True)
    # As the actor was called then (an e-mail, a key's label): kept if the user or key goes.
    actor_label = peewee.CharField(max_length=254)
    action = peewee.CharField(max_length=50)  # e.g. event.updated, ticket_type.created
    subject_type = peewee.CharField(max_length=30)  # event, ticket_type, order, api_key, ...
    subject_id = peewee.BigIntegerField(null=True)
    subject_label = peewee.CharField(max_length=300, default="")
    # JSON: {"field": [before, after]} for what changed (before is null on creation).
    changes = peewee.TextField(default="{}")

    class Meta:
        indexes = (
            (("account", "id"), False),
            (("account", "subject_type", "subject_id"), False),
        )
