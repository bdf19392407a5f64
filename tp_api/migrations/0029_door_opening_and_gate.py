"""The door (issue 16): when the doors open, and the gate a paired phone starts with.

An event, or one of its dates, may say how many minutes before its start the doors open; a
ticket scanned in before then is refused as not yet valid. Null, the default, keeps tickets
valid at any time, as before. A scanner may carry a gate name that pairing hands the phone
(empty: the phone's staff type it, as before)."""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("event", "admission_opens_minutes", pw.IntegerField(null=True)),
        migrator.add_column("scanner", "default_gate", pw.CharField(max_length=100, default="")),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("scanner", "default_gate"),
        migrator.drop_column("event", "admission_opens_minutes"),
    )
