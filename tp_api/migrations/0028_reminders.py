"""Reminders before an event (issue 19): an event may switch them off, and each ticket
records when its reminder was queued, so several daemons never remind it twice.

Two indexes keep the daemon's look-up cheap: events by start (every account at once), and a
ticket's event and status with its reminder time, so the tickets still to remind are one
index range, however many were reminded already.
"""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("event", "send_reminders", pw.BooleanField(default=True)),
        migrator.add_column("ticket", "reminded_at", pw.DateTimeField(null=True)),
        migrator.add_index("event", ("start_date",), False),
        migrator.add_index("ticket", ("event_id", "status", "reminded_at"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("ticket", "ticket_event_id_status_reminded_at"),
        migrator.drop_index("event", "event_start_date"),
        migrator.drop_column("ticket", "reminded_at"),
        migrator.drop_column("event", "send_reminders"),
    )
