"""Fraud scoring: each order's score, level, signals and review state; the accounts'
settings; the refused order attempts; and the indexes the signals read.

The order's columns are added with plain ``ALTER TABLE ... ADD COLUMN`` and a constant
default: instant on PostgreSQL 11+ and on SQLite, where peewee's migrator would rebuild the
order table to make a column NOT NULL (and drop the order search's triggers with it).

The signals' indexes are partial, so an order without an IP address, e-mail address or
country (most shop pushes send no IP) writes no entry in them:

- ``order_fraud_ip`` (account, IP, created): orders from one IP address in a window;
- ``order_fraud_email`` (account, lower-cased e-mail, created): orders from one address in
  a window, and whether the address ordered before;
- ``order_fraud_country`` (account, id, country): the countries of the account's latest
  orders, read from the index alone;
- ``order_fraud_queue`` (account, id) of the orders under review: the console's queue.
"""

import peewee as pw

ORDER_COLUMNS = (
    ("fraud_score", "SMALLINT NULL"),
    ("fraud_level", "VARCHAR(10) NOT NULL DEFAULT ''"),
    ("fraud_signals", "VARCHAR(200) NOT NULL DEFAULT ''"),
    ("fraud_review", "VARCHAR(10) NOT NULL DEFAULT ''"),
)
INDEXES = (
    'CREATE INDEX IF NOT EXISTS "order_fraud_ip" ON "order" '
    '("account_id", "ip_address", "created_at") WHERE "ip_address" <> \'\'',
    'CREATE INDEX IF NOT EXISTS "order_fraud_email" ON "order" '
    '("account_id", lower("billing_email"), "created_at") WHERE "billing_email" <> \'\'',
    'CREATE INDEX IF NOT EXISTS "order_fraud_country" ON "order" '
    '("account_id", "id", "billing_country") WHERE "billing_country" <> \'\'',
    'CREATE INDEX IF NOT EXISTS "order_fraud_queue" ON "order" ("account_id", "id") '
    "WHERE \"fraud_review\" IN ('review', 'held')",
)
INDEX_NAMES = ("order_fraud_ip", "order_fraud_email", "order_fraud_country", "order_fraud_queue")


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class FraudSettings(Base):
        account = pw.ForeignKeyField(Account, unique=True, on_delete="CASCADE")
        medium_from = pw.SmallIntegerField()
        high_from = pw.SmallIntegerField()
        weights = pw.TextField(default="{}")
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "fraud_settings"

    class FraudRefusal(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        at = pw.DateTimeField()
        ip_address = pw.CharField(max_length=45, default="")
        email = pw.CharField(max_length=254, default="")
        code = pw.CharField(max_length=60, default="")

        class Meta:
            table_name = "fraud_refusal"
            indexes = (
                (("account", "ip_address", "at"), False),
                (("account", "email", "at"), False),
            )

    return FraudSettings, FraudRefusal


def up(migrator, db):
    for name, definition in ORDER_COLUMNS:
        db.execute_sql(f'ALTER TABLE "order" ADD COLUMN "{name}" {definition}')
    for statement in INDEXES:
        db.execute_sql(statement)
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
    for name in INDEX_NAMES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for name, _definition in reversed(ORDER_COLUMNS):
        db.execute_sql(f'ALTER TABLE "order" DROP COLUMN "{name}"')
