"""The base model every table derives from."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField, database, utcnow


class BaseModel(peewee.Model):
    """Binds to the shared database proxy; table names are the snake_case class names."""

    class Meta:
        database = database
        legacy_table_names = False


def created_at_field() -> UtcDateTimeField:
    """A non-null creation timestamp defaulting to now."""
    return UtcDateTimeField(default=utcnow)
