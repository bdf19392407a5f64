"""Webhook deliveries get a public number, their id in the admin API (models/base.py).

Their row ids count every tenant's webhook events, so a tenant watching its own deliveries'
ids could follow the whole platform's activity. Deliveries that exist already keep their
row id as their number, so ids a client stored still name them.
"""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("webhook_delivery", "number", pw.BigIntegerField(null=True))
    )
    db.execute_sql("UPDATE webhook_delivery SET number = id")
    migrator.migrate(migrator.add_index("webhook_delivery", ("number",), True))
    if isinstance(db, pw.PostgresqlDatabase):
        # As in 0012: SQLite would have to copy the table; the application sets the number.
        db.execute_sql("ALTER TABLE webhook_delivery ALTER COLUMN number SET NOT NULL")


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("webhook_delivery", "webhook_delivery_number"),
        migrator.drop_column("webhook_delivery", "number"),
    )
