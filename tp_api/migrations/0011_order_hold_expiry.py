"""Unpaid orders' stock holds lapse: when each one does, indexed for the sweep.

Unpaid orders that exist already get an hour from the upgrade (the default hold), so a
shop still paying them is not cut short and abandoned ones stop holding stock for ever.
"""

from datetime import UTC, datetime, timedelta

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("order", "hold_expires_at", pw.DateTimeField(null=True)),
        migrator.add_index("order", ("hold_expires_at",), False),
    )
    deadline = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None)
    db.execute_sql(
        'UPDATE "order" SET hold_expires_at = %s WHERE status = %s'.replace(
            "%s", "?" if isinstance(db, pw.SqliteDatabase) else "%s"
        ),
        (deadline, "pending"),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("order", "order_hold_expires_at"),
        migrator.drop_column("order", "hold_expires_at"),
    )
