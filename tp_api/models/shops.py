"""Shop connections, product mappings, the binding of shop orders to ours, and sync runs."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account, PartnerKey
from tp_api.models.base import BaseModel, created_at_field
from tp_api.models.events import TicketType
from tp_api.models.orders import Order


class Shop(BaseModel):
    """A seller's shop that the bridge keeps in step. Credentials are stored encrypted."""

    account = peewee.ForeignKeyField(Account, backref="shops", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    name = peewee.CharField(max_length=100)
    platform = peewee.CharField(max_length=20, default="woocommerce")
    base_url = peewee.CharField(max_length=500)
    auth_mode = peewee.CharField(max_length=10, default="basic")  # basic | query
    consumer_key_enc = peewee.TextField()
    consumer_secret_enc = peewee.TextField()
    webhook_secret_enc = peewee.TextField()
    enabled = peewee.BooleanField(default=True)
    interval_s = peewee.IntegerField(default=300)
    # The partner key the shop's plugin pushes orders with: a push with it is bound to this
    # shop's order of the same number at once (shop_bindings.bind_pushed_order).
    partner_key = peewee.ForeignKeyField(
        PartnerKey, null=True, unique=True, backref="shops", on_delete="SET NULL"
    )
    partner_key_id: int | None  # the foreign key's column (peewee's accessor)
    # The newest shop-side modified time (UTC, the shop's clock) seen in committed data.
    order_cursor = UtcDateTimeField(null=True)
    created_at = created_at_field()

    class Meta:
        indexes = ((("account", "name"), True),)


class ProductMapping(BaseModel):
    """A shop product (or variation) that sells one of our ticket types."""

    shop = peewee.ForeignKeyField(Shop, backref="mappings", on_delete="CASCADE")
    shop_id: int  # the foreign key's column (peewee's accessor)
    product_id = peewee.BigIntegerField()
    variation_id = peewee.BigIntegerField(default=0)
    ticket_type = peewee.ForeignKeyField(TicketType, backref="shop_mappings", on_delete="CASCADE")
    ticket_type_id: int  # the foreign key's column (peewee's accessor)
    last_pushed_stock = peewee.IntegerField(null=True)
    created_at = created_at_field()

    class Meta:
        indexes = ((("shop", "product_id", "variation_id"), True),)


class ShopOrder(BaseModel):
    """One shop order, bound to our order once: the key that makes ingestion exactly-once."""

    shop = peewee.ForeignKeyField(Shop, backref="orders", on_delete="CASCADE")
    shop_id: int  # the foreign key's column (peewee's accessor)
    external_id = peewee.BigIntegerField()
    order = peewee.ForeignKeyField(Order, null=True, backref="shop_orders", on_delete="CASCADE")
    order_id: int | None  # the foreign key's column (peewee's accessor)
    status = peewee.CharField(max_length=30)
    date_modified = UtcDateTimeField(null=True)
    content_hash = peewee.CharField(max_length=64)
    problem = peewee.TextField(null=True)
    # Paid in the shop for something we cannot sell (sellable): no tickets, refund it there.
    needs_refund = peewee.BooleanField(default=False)
    synced_at = created_at_field()

    class Meta:
        indexes = ((("shop", "external_id"), True),)


class SyncRun(BaseModel):
    """One run of a sync job, with what it did."""

    shop = peewee.ForeignKeyField(Shop, backref="runs", on_delete="CASCADE")
    shop_id: int  # the foreign key's column (peewee's accessor)
    kind = peewee.CharField(max_length=20)  # orders | stock
    started_at = created_at_field()
    finished_at = UtcDateTimeField(null=True)
    orders_new = peewee.IntegerField(default=0)
    orders_changed = peewee.IntegerField(default=0)
    orders_skipped = peewee.IntegerField(default=0)
    stock_writes = peewee.IntegerField(default=0)
    errors = peewee.IntegerField(default=0)
    error_text = peewee.TextField(null=True)
