"""Orders pushed by shops and their lines."""

from __future__ import annotations

import peewee

from tp_api.db import UtcDateTimeField
from tp_api.models.accounts import Account
from tp_api.models.base import BaseModel, created_at_field, new_public_number
from tp_api.models.events import TicketType

ORDER_REFERENCE_PREFIX = "TP-"


class OrderStatus:
    """Order status values stored in ``Order.status``."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    # Unpaid and its stock hold lapsed (TP_UNPAID_HOLD_SECONDS): holds nothing; a late
    # payment takes the units again if they are still there.
    EXPIRED = "expired"

    PAID = frozenset({PROCESSING, COMPLETED})


class LineType:
    """What an order line maps to, from the document's ``order_item_type`` table."""

    TICKET = "ticket"
    SHIPPING = "shipping"
    FEE = "fee"
    COUPON = "coupon"
    OTHER = "other"


class Order(BaseModel):
    """An order of a shop customer. Money is integer cents."""

    account = peewee.ForeignKeyField(Account, backref="orders", on_delete="CASCADE")
    account_id: int  # the foreign key's column (peewee's accessor)
    lines: peewee.ModelSelect[OrderLine]  # OrderLine.order's backref
    # The order's id outside the service (partner API, admin API, webhooks, console, PDFs):
    # random, so no tenant can read the platform's sales volume off it (new_public_number).
    # Orders from before migration 0012 kept their row id, which shops may have stored.
    number = peewee.BigIntegerField(unique=True, default=new_public_number)
    wp_order_id = peewee.CharField(max_length=100, null=True)
    wp_user_id = peewee.BigIntegerField(null=True, index=True)
    status = peewee.CharField(max_length=20, default=OrderStatus.PENDING)
    payment_method = peewee.CharField(max_length=100, default="")
    payment_method_title = peewee.CharField(max_length=200, default="")
    currency = peewee.CharField(max_length=3, default="EUR")
    total_cents = peewee.BigIntegerField(default=0)
    billing_first_name = peewee.CharField(max_length=200, default="")
    billing_last_name = peewee.CharField(max_length=200, default="")
    billing_address = peewee.CharField(max_length=300, default="")
    billing_city = peewee.CharField(max_length=200, default="")
    billing_postal_code = peewee.CharField(max_length=40, default="")
    billing_country = peewee.CharField(max_length=2, default="")
    billing_email = peewee.CharField(max_length=254, default="")
    billing_phone = peewee.CharField(max_length=50, default="")
    locale = peewee.CharField(max_length=20, default="")
    my_tickets_url = peewee.CharField(max_length=2000, default="")
    ip_address = peewee.CharField(max_length=45, default="")
    date_created = UtcDateTimeField(null=True)
    date_paid = UtcDateTimeField(null=True)
    created_at = created_at_field()
    updated_at = created_at_field()
    refunded_cents = peewee.BigIntegerField(default=0)
    # When an unpaid order's reservation lapses; None once it holds nothing (paid, closed).
    hold_expires_at = UtcDateTimeField(null=True, index=True)
    # Fraud scoring (tp_api.services.fraud, docs/fraud.md), fixed when the order is created:
    # the score (None: created before migration 0023), its level (low, medium, high), the
    # signals that fired (space-separated names) and where a person's review stands
    # (models.fraud.FraudReview; "held": no tickets are issued until someone approves).
    # Indexes for the signals and the review queue are partial ones made in migration 0023.
    fraud_score = peewee.SmallIntegerField(null=True)
    fraud_level = peewee.CharField(max_length=10, default="")
    fraud_signals = peewee.CharField(max_length=200, default="")
    fraud_review = peewee.CharField(max_length=10, default="")

    class Meta:
        indexes = (
            (("account", "wp_order_id"), True),
            (("account", "billing_email"), False),
        )

    @property
    def reference(self) -> str:
        """The public order reference, e.g. ``TP-482917365012``."""
        return format_order_reference(self.number)

    @property
    def is_paid(self) -> bool:
        return self.status in OrderStatus.PAID


def format_order_reference(number: int) -> str:
    """``482917365012`` -> ``TP-482917365012``; before migration 0012, ``123`` -> ``TP-00123``."""
    return f"{ORDER_REFERENCE_PREFIX}{number:05d}"


def parse_order_reference(reference: str) -> int | None:
    """``TP-00123`` (or ``123``) -> ``123``, an order number; ``None`` when it is not one."""
    text = reference.strip()
    if text.upper().startswith(ORDER_REFERENCE_PREFIX):
        text = text[len(ORDER_REFERENCE_PREFIX) :]
    # ASCII digits only ("²" is a digit to str.isdigit() but not to int()).
    if not (0 < len(text) <= 18 and all("0" <= c <= "9" for c in text)):
        return None
    return int(text)


class OrderLine(BaseModel):
    """One line of an order, as the shop sent it."""

    order = peewee.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    order_id: int  # the foreign key's column (peewee's accessor)
    line_type = peewee.CharField(max_length=20)
    order_item_type = peewee.CharField(max_length=50)
    name = peewee.CharField(max_length=300)
    product_id = peewee.BigIntegerField(null=True)
    ticket_type = peewee.ForeignKeyField(TicketType, null=True, backref="order_lines")
    ticket_type_id: int | None  # the foreign key's column (peewee's accessor)
    unit_price_cents = peewee.BigIntegerField(default=0)
    quantity = peewee.IntegerField(default=1)
    refunded_quantity = peewee.IntegerField(default=0)

    class Meta:
        # An event's orders newest first (admin API ``GET /orders?eventId=``).
        indexes = ((("ticket_type", "order"), False),)


class Refund(BaseModel):
    """Money given back on an order (full or for some lines), with the seller's reason."""

    order = peewee.ForeignKeyField(Order, backref="refunds", on_delete="CASCADE")
    order_id: int  # the foreign key's column (peewee's accessor)
    amount_cents = peewee.BigIntegerField()
    reason = peewee.CharField(max_length=500, default="")
    # [{"lineId": 1, "quantity": 2, "amountCents": 5990}, ...]
    lines = peewee.TextField(default="[]")
    created_at = created_at_field()
