"""An index of the orders that name a shop customer (``wp_user_id``), for the "my tickets"
page and ``GET /tp-api/users/{id}/events``.

Most orders name no customer. The plain index on ``wp_user_id`` then looks useless to
SQLite's planner (its statistics see one huge group of NULLs), which scanned every order
instead: 128 ms at a million orders. A partial index holds only the orders that name one,
so its statistics say what it is worth; an equality on ``wp_user_id`` implies the index's
condition on both SQLite and PostgreSQL.
"""


def up(migrator, db):
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "order_account_customer" ON "order" '
        '("account_id", "wp_user_id") WHERE "wp_user_id" IS NOT NULL'
    )


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "order_account_customer"')
