"""The base model every table derives from."""

from __future__ import annotations

import secrets

import peewee

from tp_api.db import UtcDateTimeField, database, utcnow


class BaseModel(peewee.Model):
    """Binds to the shared database proxy; table names are the snake_case class names."""

    # What peewee adds to every model unless told otherwise, written out so that type
    # checkers know it.
    id = peewee.AutoField()

    class Meta:
        database = database
        legacy_table_names = False


def created_at_field() -> UtcDateTimeField:
    """A non-null creation timestamp defaulting to now."""
    return UtcDateTimeField(default=utcnow)


# Twelve digits: short enough to read out on the phone, and with a million rows a guess still
# names one of them once in a million tries. Rows from before the migration that gave a table
# its numbers kept their row ids, far below PUBLIC_NUMBER_MIN, so the two never meet.
PUBLIC_NUMBER_MIN = 10**11
PUBLIC_NUMBER_MAX = 10**12 - 1


def new_public_number() -> int:
    """A fresh random number to show a row by outside the service, e.g. ``482917365012``.

    Random rather than counted: a sequential id shown to a tenant (an order's, a webhook
    delivery's) would let it watch how much the whole platform sells. A unique index on the
    column catches the rare repeat.
    """
    return PUBLIC_NUMBER_MIN + secrets.randbelow(PUBLIC_NUMBER_MAX - PUBLIC_NUMBER_MIN + 1)
