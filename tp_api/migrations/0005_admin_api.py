"""The admin API: scoped API keys, event slugs and lifecycle, ticket-type sale rules,
refunds, and stored responses for Idempotency-Key."""

import datetime

import peewee as pw


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class Order(Base):
        class Meta:
            table_name = "order"

    class ApiKey(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        label = pw.CharField(max_length=200, default="")
        prefix = pw.CharField(max_length=16, index=True)
        key_hash = pw.CharField(max_length=64, unique=True)
        scopes = pw.CharField(max_length=500, default="")
        created_at = pw.DateTimeField()
        last_used_at = pw.DateTimeField(null=True)
        revoked_at = pw.DateTimeField(null=True)

    class Refund(Base):
        order = pw.ForeignKeyField(Order, on_delete="CASCADE")
        amount_cents = pw.BigIntegerField()
        reason = pw.CharField(max_length=500, default="")
        lines = pw.TextField(default="[]")
        created_at = pw.DateTimeField()

    class IdempotencyRecord(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        scope = pw.CharField(max_length=64, unique=True)
        fingerprint = pw.CharField(max_length=64)
        status = pw.IntegerField(null=True)
        content_type = pw.CharField(max_length=100, default="")
        body = pw.BlobField(null=True)
        created_at = pw.DateTimeField()
        expires_at = pw.DateTimeField(index=True)

    return ApiKey, Refund, IdempotencyRecord


def up(migrator, db):
    db.create_tables(_frozen_models(db))
    migrator.migrate(
        migrator.add_column("event", "slug", pw.CharField(max_length=120, null=True)),
        migrator.add_column("event", "lifecycle", pw.CharField(max_length=20, default="published")),
        migrator.add_column("event", "description", pw.TextField(default="")),
        migrator.add_column("event", "currency", pw.CharField(max_length=3, default="EUR")),
        migrator.add_column("event", "updated_at", pw.DateTimeField(default=_now)),
        migrator.add_index("event", ("account_id", "slug"), True),
        migrator.add_index("event", ("account_id", "start_date", "id"), False),
        migrator.add_column("ticket_type", "sales_start", pw.DateTimeField(null=True)),
        migrator.add_column("ticket_type", "sales_end", pw.DateTimeField(null=True)),
        migrator.add_column("ticket_type", "min_per_order", pw.IntegerField(default=1)),
        migrator.add_column("ticket_type", "max_per_order", pw.IntegerField(null=True)),
        migrator.add_column("ticket_type", "hidden", pw.BooleanField(default=False)),
        migrator.add_column("order_line", "refunded_quantity", pw.IntegerField(default=0)),
        migrator.add_column("order", "refunded_cents", pw.BigIntegerField(default=0)),
        migrator.add_index("order", ("account_id", "billing_email"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("order", "order_account_id_billing_email"),
        migrator.drop_column("order", "refunded_cents"),
        migrator.drop_column("order_line", "refunded_quantity"),
        *(
            migrator.drop_column("ticket_type", c)
            for c in ("hidden", "max_per_order", "min_per_order", "sales_end", "sales_start")
        ),
        migrator.drop_index("event", "event_account_id_start_date_id"),
        migrator.drop_index("event", "event_account_id_slug"),
        *(
            migrator.drop_column("event", c)
            for c in ("updated_at", "currency", "description", "lifecycle", "slug")
        ),
    )
    db.drop_tables(list(reversed(_frozen_models(db))))
