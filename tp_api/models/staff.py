"""Staff of an account who sign in to the seller's console, and the sign-in throttle."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class StaffUser(BaseModel):
    """A person who signs in with e-mail and password. Only an Argon2id hash is stored."""

    account = peewee.ForeignKeyField(Account, backref="staff", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    email = peewee.CharField(max_length=254, unique=True)  # stored lower-cased
    name = peewee.CharField(max_length=200, default="")
    password_hash = peewee.CharField(max_length=200)
    # Random, and carried by every session: replacing it (password change, disabling,
    # signing out) ends all of the user's sessions; and a session never outlives its user,
    # even where SQLite hands a deleted user's id to a new one.
    session_key = peewee.CharField(max_length=64)
    last_login_at = UtcDateTimeField(null=True)
    disabled = peewee.BooleanField(default=False)
    # owner | manager | door: what the user may do (tp_api.services.actors.ROLE_SCOPES).
    role = peewee.CharField(max_length=20, default="owner")
    # Two-factor sign-in (credentials.two_factor): the TOTP secret sealed with the secret
    # box, SHA-256 hashes of the unused recovery codes (JSON), the last time step used.
    totp_secret_enc = peewee.TextField(null=True)
    totp_recovery = peewee.TextField(default="[]")
    totp_last_step = peewee.BigIntegerField(null=True)
    created_at = created_at_field()


class SignInThrottle(BaseModel):
    """Wrong passwords in a row per e-mail address, known to us or not (so the lock-out
    answers the same for addresses without an account)."""

    key = peewee.CharField(max_length=64, unique=True)  # SHA-256 of the normalised address
    failures = peewee.IntegerField(default=0)
    locked_until = UtcDateTimeField(null=True)
    updated_at = UtcDateTimeField(index=True)
