"""Door check-in: scanners (per account, limited to events), richer check-in rows, and the
event's entry rules."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class Event(Base):
        class Meta:
            table_name = "event"

    class Scanner(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        name = pw.CharField(max_length=100)
        prefix = pw.CharField(max_length=16, index=True)
        key_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)
        revoked_at = pw.DateTimeField(null=True)

    class ScannerEvent(Base):
        scanner = pw.ForeignKeyField(Scanner, on_delete="CASCADE")
        event = pw.ForeignKeyField(Event, on_delete="CASCADE")

        class Meta:
            indexes = ((("scanner", "event"), True),)

    return Event, Scanner, ScannerEvent


def up(migrator, db):
    event, scanner, scanner_event = _frozen_models(db)
    db.create_tables([scanner, scanner_event])
    migrator.migrate(
        migrator.add_column("event", "allow_reentry", pw.BooleanField(default=True)),
        migrator.add_column("event", "require_personalisation", pw.BooleanField(default=True)),
        migrator.drop_not_null("check_in", "ticket_id"),
        migrator.add_column(
            "check_in",
            "event_id",
            pw.ForeignKeyField(event, null=True, field=event.id, on_delete="CASCADE"),
        ),
        migrator.add_column(
            "check_in",
            "scanner_id",
            pw.ForeignKeyField(scanner, null=True, field=scanner.id, on_delete="SET NULL"),
        ),
        migrator.add_column("check_in", "code_ref", pw.CharField(max_length=32, null=True)),
        migrator.add_column("check_in", "device_at", pw.DateTimeField(null=True)),
        migrator.add_column("check_in", "offline", pw.BooleanField(default=False)),
        migrator.add_column("check_in", "conflict", pw.BooleanField(default=False)),
        migrator.add_index("check_in", ("event_id", "at"), False),
        migrator.add_index("ticket", ("event_id", "status"), False),
    )


def down(migrator, db):
    _, scanner, scanner_event = _frozen_models(db)
    migrator.migrate(
        migrator.drop_index("ticket", "ticket_event_id_status"),
        migrator.drop_index("check_in", "check_in_event_id_at"),
        *(
            migrator.drop_column("check_in", c)
            for c in ("conflict", "offline", "device_at", "code_ref", "scanner_id", "event_id")
        ),
        migrator.drop_column("event", "require_personalisation"),
        migrator.drop_column("event", "allow_reentry"),
    )
    db.drop_tables([scanner_event, scanner])
