"""Shops, product mappings, shop-order bindings and sync runs (the sync daemon)."""

import peewee as pw


def _frozen_models(db):
    class Base(pw.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Account(Base):
        class Meta:
            table_name = "account"

    class TicketType(Base):
        class Meta:
            table_name = "ticket_type"

    class Order(Base):
        class Meta:
            table_name = "order"

    class Shop(Base):
        account = pw.ForeignKeyField(Account, on_delete="CASCADE")
        name = pw.CharField(max_length=100)
        platform = pw.CharField(max_length=20, default="woocommerce")
        base_url = pw.CharField(max_length=500)
        auth_mode = pw.CharField(max_length=10, default="basic")
        consumer_key_enc = pw.TextField()
        consumer_secret_enc = pw.TextField()
        webhook_secret_enc = pw.TextField()
        enabled = pw.BooleanField(default=True)
        interval_s = pw.IntegerField(default=300)
        order_cursor = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            indexes = ((("account", "name"), True),)

    class ProductMapping(Base):
        shop = pw.ForeignKeyField(Shop, on_delete="CASCADE")
        product_id = pw.BigIntegerField()
        variation_id = pw.BigIntegerField(default=0)
        ticket_type = pw.ForeignKeyField(TicketType, on_delete="CASCADE")
        last_pushed_stock = pw.IntegerField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            indexes = ((("shop", "product_id", "variation_id"), True),)

    class ShopOrder(Base):
        shop = pw.ForeignKeyField(Shop, on_delete="CASCADE")
        external_id = pw.BigIntegerField()
        order = pw.ForeignKeyField(Order, null=True, on_delete="CASCADE")
        status = pw.CharField(max_length=30)
        date_modified = pw.DateTimeField(null=True)
        content_hash = pw.CharField(max_length=64)
        problem = pw.TextField(null=True)
        synced_at = pw.DateTimeField()

        class Meta:
            indexes = ((("shop", "external_id"), True),)

    class SyncRun(Base):
        shop = pw.ForeignKeyField(Shop, on_delete="CASCADE")
        kind = pw.CharField(max_length=20)
        started_at = pw.DateTimeField()
        finished_at = pw.DateTimeField(null=True)
        orders_new = pw.IntegerField(default=0)
        orders_changed = pw.IntegerField(default=0)
        orders_skipped = pw.IntegerField(default=0)
        stock_writes = pw.IntegerField(default=0)
        errors = pw.IntegerField(default=0)
        error_text = pw.TextField(null=True)

    return [Shop, ProductMapping, ShopOrder, SyncRun]


def up(migrator, db):
    db.create_tables(_frozen_models(db))


def down(migrator, db):
    db.drop_tables(list(reversed(_frozen_models(db))))
