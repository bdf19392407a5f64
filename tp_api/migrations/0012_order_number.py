"""Orders get a public number, the id every tenant and customer sees (models/orders.py).

New orders draw a random twelve-digit number. An order that exists already keeps its row id
as its number, so the references printed on its tickets and the ``tp_order_id`` a shop
stored for it go on working.

Order lines and refunds are shown by their place in the order (1, 2, ...) instead of their
row ids, which counted every tenant's sales; the refunds recorded so far name their lines
by row id in ``refund.lines`` and are rewritten to line numbers here.
"""

import json

import peewee as pw


def up(migrator, db):
    migrator.migrate(migrator.add_column("order", "number", pw.BigIntegerField(null=True)))
    db.execute_sql('UPDATE "order" SET number = id')
    migrator.migrate(migrator.add_index("order", ("number",), True))
    if isinstance(db, pw.PostgresqlDatabase):
        # SQLite cannot add NOT NULL to a column without copying the table; there the
        # application always sets the number, as it does on PostgreSQL.
        db.execute_sql('ALTER TABLE "order" ALTER COLUMN number SET NOT NULL')
    _number_refund_lines(db)


def _number_refund_lines(db):
    def sql(text):
        return text.replace("%s", "?") if isinstance(db, pw.SqliteDatabase) else text

    refunds = db.execute_sql(
        "SELECT id, order_id, lines FROM refund WHERE lines <> '[]' ORDER BY order_id"
    ).fetchall()
    places = {}
    for refund_id, order_id, lines in refunds:
        if order_id not in places:
            rows = db.execute_sql(
                sql("SELECT id FROM order_line WHERE order_id = %s ORDER BY id"), (order_id,)
            ).fetchall()
            places = {order_id: {line_id: n for n, (line_id,) in enumerate(rows, start=1)}}
        numbered = [
            {**item, "lineId": places[order_id].get(item["lineId"], item["lineId"])}
            for item in json.loads(lines)
        ]
        db.execute_sql(
            sql("UPDATE refund SET lines = %s WHERE id = %s"),
            (json.dumps(numbered), refund_id),
        )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("order", "order_number"),
        migrator.drop_column("order", "number"),
    )
