"""Staff of an account who sign in to the seller's console."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field


class StaffUser(BaseModel):
    """A person who signs in with e-mail and password. Only an Argon2id hash is stored."""

    account = peewee.ForeignKeyField(Account, backref="staff", on_delete="CASCADE")
    email = peewee.CharField(max_length=254, unique=True)  # stored lower-cased
    name = peewee.CharField(max_length=200, default="")
    password_hash = peewee.CharField(max_length=200)
    # Failed sign-ins since the last good one; reaching the limit locks the user for a while.
    failed_logins = peewee.IntegerField(default=0)
    locked_until = UtcDateTimeField(null=True)
    # Bumped when the password changes: sessions carry it, so older sessions stop working.
    session_version = peewee.IntegerField(default=1)
    last_login_at = UtcDateTimeField(null=True)
    disabled = peewee.BooleanField(default=False)
    created_at = created_at_field()
