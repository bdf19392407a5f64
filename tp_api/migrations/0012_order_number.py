"""Orders get a public number, the id every tenant and customer sees (references.py).

New orders draw a random twelve-digit number. An order that exists already keeps its row id
as its number, so the references printed on its tickets and the ``tp_order_id`` a shop
stored for it go on working.
"""

import peewee as pw


def up(migrator, db):
    migrator.migrate(migrator.add_column("order", "number", pw.BigIntegerField(null=True)))
    db.execute_sql('UPDATE "order" SET number = id')
    migrator.migrate(migrator.add_index("order", ("number",), True))
    if isinstance(db, pw.PostgresqlDatabase):
        # SQLite cannot add NOT NULL to a column without copying the table; there the
        # application always sets the number, as it does on PostgreSQL.
        db.execute_sql('ALTER TABLE "order" ALTER COLUMN number SET NOT NULL')


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("order", "order_number"),
        migrator.drop_column("order", "number"),
    )
