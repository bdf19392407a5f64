"""Admission times (issue 16): an event, or one of its dates, may say how many minutes before
its start the doors open; a ticket scanned in before then is refused as not yet valid.
Null, the default, keeps tickets valid at any time, as before."""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("event", "admission_opens_minutes", pw.IntegerField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("event", "admission_opens_minutes"))
