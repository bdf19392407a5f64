"""A shop order the shop was paid for but we cannot honour (its event or ticket type cannot
be sold: tp_api.services.sellable) is kept, without tickets, and flagged: the seller must
refund it in the shop."""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("shop_order", "needs_refund", pw.BooleanField(default=False)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("shop_order", "needs_refund"))
