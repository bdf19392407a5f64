"""Affiliates: the people a seller pays a commission for the orders they bring, their
tracking links, and which order each one brought (docs/affiliates.md)."""

from __future__ import annotations

import peewee

from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field
from tp_api.models.events import Event
from tp_api.models.orders import Order


class AttributionSource:
    """Values of ``AffiliateOrder.source``: how the order named its affiliate."""

    COUPON = "coupon"  # a coupon line whose code is the affiliate's code
    CODE = "code"  # the partner push's affiliate_code (a shop's _tp_affiliate meta too)


class Affiliate(BaseModel):
    """Someone who sends customers; earns ``rate_bps`` of what their orders bring.

    The rate is in basis points (1250 = 12.5 %) so that it is an exact integer; each order
    keeps the rate of its own time (``AffiliateOrder.rate_bps``).
    """

    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    name = peewee.CharField(max_length=200)
    email = peewee.CharField(max_length=254, default="")
    # Lower case, unique per account: the coupon code, and ?tp_affiliate= on the shop's page.
    code = peewee.CharField(max_length=40)
    rate_bps = peewee.IntegerField()
    enabled = peewee.BooleanField(default=True)
    created_at = created_at_field()
    updated_at = created_at_field()

    class Meta:
        indexes = ((("account", "code"), True),)


class AffiliateLink(BaseModel):
    """An affiliate's tracking link for one event: ``/r/<code>`` counts a click and sends
    the visitor to the event's page in the shop."""

    affiliate = peewee.ForeignKeyField(Affiliate, on_delete="CASCADE")
    affiliate_id: int  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(Event, on_delete="CASCADE")
    event_id: int  # the foreign key's column (peewee's accessor)
    # Unique over the whole service: the redirect knows no account.
    code = peewee.CharField(max_length=16, unique=True)
    # Where the link leads; empty: the shop product mapped to the event's ticket types.
    landing_url = peewee.CharField(max_length=2000, default="")
    clicks = peewee.BigIntegerField(default=0)
    created_at = created_at_field()

    class Meta:
        indexes = ((("affiliate", "event"), True),)


class AffiliateOrder(BaseModel):
    """The affiliate an order named when it was created, with the rate of that moment.

    ``affiliate`` is None for a code no enabled affiliate of the account has (the order is
    kept, unattributed, and counted); ``event`` is the (top-level) event of the order's
    first ticket line, whose link the order counts under.
    """

    order = peewee.ForeignKeyField(Order, unique=True, on_delete="CASCADE")
    order_id: int  # the foreign key's column (peewee's accessor)
    account = peewee.ForeignKeyField(Account, on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    affiliate = peewee.ForeignKeyField(Affiliate, null=True, on_delete="SET NULL")
    affiliate_id: int | None  # the foreign key's column (peewee's accessor)
    event = peewee.ForeignKeyField(Event, null=True, on_delete="SET NULL")
    event_id: int | None  # the foreign key's column (peewee's accessor)
    code = peewee.CharField(max_length=100)  # as the order named it, in lower case
    source = peewee.CharField(max_length=10)
    rate_bps = peewee.IntegerField(default=0)
    created_at = created_at_field()

    class Meta:
        indexes = (
            (("affiliate", "event"), False),
            (("account", "affiliate"), False),
        )
