"""A shop may name the partner key its plugin pushes orders with, so a pushed order is bound
to that shop's order at once (instead of being matched later by its number)."""

import peewee as pw


def _partner_key(db):
    class PartnerKey(pw.Model):
        class Meta:
            database = db
            table_name = "partner_key"

    return PartnerKey


def up(migrator, db):
    PartnerKey = _partner_key(db)
    migrator.migrate(
        migrator.add_column(
            "shop",
            "partner_key_id",
            pw.ForeignKeyField(
                PartnerKey, field=PartnerKey.id, null=True, on_delete="SET NULL", unique=True
            ),
        ),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("shop", "partner_key_id"))
