"""OAuth 2.0 clients (client-credentials grant) and the access tokens issued to them."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class OAuthClient(BaseModel):
    """A machine client of the admin API. Only a SHA-256 of its secret is stored; during a
    rotation the previous secret's hash is kept until ``previous_secret_expires_at``."""

    account = peewee.ForeignKeyField(Account, backref="oauth_clients", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    client_id = peewee.CharField(max_length=64, unique=True)
    label = peewee.CharField(max_length=200, default="")
    secret_hash = peewee.CharField(max_length=64)
    previous_secret_hash = peewee.CharField(max_length=64, null=True)
    previous_secret_expires_at = UtcDateTimeField(null=True)
    # Space-separated, as ApiKey.scopes: the most a token of this client may carry.
    scopes = peewee.CharField(max_length=500, default="")
    # Space-separated addresses and CIDR ranges a token may be used from; empty: anywhere.
    allowed_ips = peewee.TextField(default="")
    created_at = created_at_field()
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "oauth_client"


class OAuthToken(BaseModel):
    """A bearer token issued by ``POST /api/v1/oauth/token``; only its SHA-256 is stored."""

    client = peewee.ForeignKeyField(OAuthClient, backref="tokens", on_delete="CASCADE")
    client_id: int  # the foreign key's column (peewee's accessor)
    prefix = peewee.CharField(max_length=16, index=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    scopes = peewee.CharField(max_length=500, default="")
    issued_at = created_at_field()
    expires_at = UtcDateTimeField(index=True)
    revoked_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "oauth_token"
