"""One-time pairing codes that set up a door device as a scanner."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Scanner(Base):
        class Meta:
            table_name = "scanner"

    class ScannerPairing(Base):
        scanner = pw.ForeignKeyField(Scanner, on_delete="CASCADE")
        code_hash = pw.CharField(max_length=64, unique=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField()
        used_at = pw.DateTimeField(null=True)

    return [ScannerPairing]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(_frozen_models(db))
