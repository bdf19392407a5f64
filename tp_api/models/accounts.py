"""Sellers (accounts), their partner and admin-API keys, and the failed-authentication throttle."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.base import BaseModel, created_at_field


class Account(BaseModel):
    """A seller: owns events, orders and partner keys."""

    name = peewee.CharField(max_length=200, unique=True)
    created_at = created_at_field()
    # Set on a sandbox: the live account whose test-mode credentials act here (seed 002;
    # tp_api.services.sandbox). Deleting the live account deletes its sandbox.
    sandbox_of = peewee.ForeignKeyField(
        "self", null=True, unique=True, backref="sandboxes", on_delete="CASCADE"
    )
    sandbox_of_id: int | None  # the foreign key's column (peewee's accessor)


class PartnerKey(BaseModel):
    """A private partner-API key. Only a SHA-256 of the key is stored; never the key."""

    account = peewee.ForeignKeyField(Account, backref="partner_keys", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    label = peewee.CharField(max_length=200, default="")
    # The first characters of the key, kept in clear so a lookup finds the candidate row
    # without the full hash; the hash is then compared in constant time.
    prefix = peewee.CharField(max_length=16, index=True)
    key_hash = peewee.CharField(max_length=64, unique=True)
    # Space-separated addresses and CIDR ranges the key may be used from; empty: anywhere.
    allowed_ips = peewee.TextField(default="")
    created_at = created_at_field()
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)


class AuthFailure(BaseModel):
    """Failed partner-key attempts per client address, for refusing brute force for a while."""

    client = peewee.CharField(max_length=64, unique=True)
    failures = peewee.IntegerField(default=0)
    window_started_at = UtcDateTimeField()
    blocked_until = UtcDateTimeField(null=True)


class ApiKey(BaseModel):
    """An admin-API key with scopes. Only a SHA-256 of the key is stored; never the key."""

    account = peewee.ForeignKeyField(Account, backref="api_keys", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    label = peewee.CharField(max_length=200, default="")
    prefix = peewee.CharField(max_length=16, index=True)
    key_hash = peewee.CharField(max_length=64, unique=True)
    # Space-separated, e.g. "events:read orders:read".
    scopes = peewee.CharField(max_length=500, default="")
    # Space-separated addresses and CIDR ranges the key may be used from; empty: anywhere.
    allowed_ips = peewee.TextField(default="")
    created_at = created_at_field()
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)
