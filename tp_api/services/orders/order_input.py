"""The order as a shop sends it, parsed and validated once.

Every way an order reaches us (partner push, later the shop webhook and the poll) is turned
into an :class:`OrderInput` first, so the order services see one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tp_api.models.orders import LineType
from tp_api.services.errors import InvalidInput, NotFound, Said
from tp_api.services.validation import (
    email_address,
    optional_cents,
    optional_datetime,
    optional_int,
    optional_str,
    require_object,
    required_str,
    to_cents,
    to_int,
)

MAX_LINES = 200
MAX_QUANTITY_PER_LINE = 500
MAX_TICKETS_PER_ORDER = 1000

_LINE_TYPES = {
    "line_item": LineType.TICKET,
    "shipping": LineType.SHIPPING,
    "fee": LineType.FEE,
    "coupon": LineType.COUPON,
}


@dataclass(frozen=True)
class BillingInput:
    first_name: str = ""
    last_name: str = ""
    address: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OrderLineInput:
    name: str
    quantity: int
    product_id: int | None
    order_item_type: str
    unit_price_cents: int
    ticket_type_id: int | None = None

    @property
    def line_type(self) -> str:
        return _LINE_TYPES.get(self.order_item_type, LineType.OTHER)

    @property
    def issues_tickets(self) -> bool:
        """Only ticket lines that name a Ticket Pulse ticket type produce tickets."""
        return self.line_type == LineType.TICKET and self.ticket_type_id is not None


@dataclass(frozen=True)
class OrderInput:
    tp_order_id: int | None = None
    wp_order_id: str | None = None
    wp_user_id: int | None = None
    payment_method: str = ""
    payment_method_title: str = ""
    ip_address: str = ""
    currency: str = ""
    total_cents: int | None = None
    date_created: datetime | None = None
    date_paid: datetime | None = None
    locale: str = ""
    my_tickets_url: str = ""
    billing: BillingInput | None = None
    lines: tuple[OrderLineInput, ...] = field(default_factory=tuple)
    # A checkout (the partner API) obeys the ticket types' sale windows, per-order limits and
    # the event's lifecycle; an order the shop already took (pull, webhook) is recorded.
    enforce_sale_rules: bool = False
    # The waiting room's token (an extension of orders/create; docs/partner-api.md).
    queue_token: str = ""
    # The affiliate the order names (an extension of orders/create; docs/affiliates.md).
    affiliate_code: str = ""

    def ticket_quantities(self) -> dict[int, int]:
        """Units per ticket type id over all ticket lines."""
        totals: dict[int, int] = {}
        for line in self.lines:
            if line.issues_tickets:
                assert line.ticket_type_id is not None
                totals[line.ticket_type_id] = totals.get(line.ticket_type_id, 0) + line.quantity
        return totals


def parse_partner_order(data: Any) -> OrderInput:
    """Validate a ``POST /tp-api/orders/create`` body.

    Raises InvalidInput (code ``request_malformed``) when the body is not a JSON object, and
    InvalidInput with a message naming the field for any bad value.
    """
    if not isinstance(data, dict) or not data:
        raise InvalidInput("Incorrect request", code="request_malformed")
    tp_order_id = _parse_tp_order_id(data.get("tp_order_id"))
    billing = data.get("billing_information")
    currency = optional_str(data, "currency", max_len=3).upper()
    if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise InvalidInput("currency must be a 3-letter ISO 4217 code")
    wp_order_id = normalise_wp_order_id(optional_str(data, "wp_order_id", max_len=100))
    return OrderInput(
        tp_order_id=tp_order_id,
        wp_order_id=wp_order_id or None,
        wp_user_id=optional_int(data, "wp_user_id"),
        payment_method=optional_str(data, "payment_method", max_len=100),
        payment_method_title=optional_str(data, "payment_method_title", max_len=200),
        ip_address=optional_str(data, "ip_address", max_len=45),
        currency=currency,
        total_cents=optional_cents(data, "order_total"),
        date_created=optional_datetime(data, "date_created"),
        date_paid=optional_datetime(data, "date_paid"),
        locale=optional_str(data, "locale", max_len=20),
        my_tickets_url=_parse_url(data, "my_tickets_url"),
        billing=_parse_billing(billing) if billing is not None else None,
        lines=_parse_lines(data.get("order_lines")),
        enforce_sale_rules=True,
        queue_token=optional_str(data, "queue_token", max_len=500),
        affiliate_code=optional_str(data, "affiliate_code", max_len=100),
    )


def normalise_wp_order_id(value: str) -> str:
    """``wc_456`` -> ``456``: the document's example prefix names the WooCommerce order id,
    which is how the sync daemon stores shop orders; one order, whichever path comes first."""
    if value[:3].lower() == "wc_" and value[3:].isascii() and value[3:].isdigit():
        return value[3:]
    return value


def _parse_tp_order_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().upper().startswith("TP-"):
        value = value.strip()[3:]
    try:
        return to_int(value, "tp_order_id", minimum=1)
    except InvalidInput:
        # An id that cannot exist is reported the way the document reports a missing order.
        raise NotFound("Ticket Pulse order does not exist", code="order_not_found") from None


def _parse_url(data: dict[str, Any], field_name: str) -> str:
    url = optional_str(data, field_name, max_len=2000)
    if url and not url.lower().startswith(("http://", "https://")):
        raise InvalidInput(Said("{label} must be an http(s) URL", label=field_name))
    return url


def _parse_billing(value: Any) -> BillingInput:
    data = require_object(value, "billing_information")
    country = optional_str(data, "country", max_len=2, label="billing_information.country")
    email = optional_str(data, "email", max_len=254, label="billing_information.email")
    if email:
        email_address(email, "billing_information.email")
    return BillingInput(
        first_name=optional_str(data, "first_name", max_len=200),
        last_name=optional_str(data, "last_name", max_len=200),
        address=optional_str(data, "address", max_len=300),
        city=optional_str(data, "city", max_len=200),
        postal_code=optional_str(data, "postal_code", max_len=40),
        country=country.upper(),
        email=email,
        phone=optional_str(data, "phone", max_len=50),
    )


def _parse_lines(value: Any) -> tuple[OrderLineInput, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput("order_lines must be an array")
    if len(value) > MAX_LINES:
        raise InvalidInput(Said("order_lines has more than {limit} entries", limit=MAX_LINES))
    lines = tuple(_parse_line(item, index) for index, item in enumerate(value))
    tickets = sum(line.quantity for line in lines if line.issues_tickets)
    if tickets > MAX_TICKETS_PER_ORDER:
        raise InvalidInput(
            Said("An order may hold at most {limit} tickets", limit=MAX_TICKETS_PER_ORDER)
        )
    return lines


def _parse_line(value: Any, index: int) -> OrderLineInput:
    where = f"order_lines[{index}]"
    data = require_object(value, where)
    item_type = required_str(data, "order_item_type", max_len=50, label=f"{where}.order_item_type")
    if "quantity" not in data:
        raise InvalidInput(Said("order_lines[{index}].quantity is required", index=index))
    if "unit_price" not in data:
        raise InvalidInput(Said("order_lines[{index}].unit_price is required", index=index))
    line = OrderLineInput(
        name=required_str(data, "name", max_len=300, label=f"{where}.name"),
        quantity=to_int(
            data["quantity"], f"{where}.quantity", minimum=0, maximum=MAX_QUANTITY_PER_LINE
        ),
        product_id=optional_int(data, "product_id", label=f"{where}.product_id"),
        order_item_type=item_type,
        # Coupons and discounts are negative amounts.
        unit_price_cents=to_cents(data["unit_price"], f"{where}.unit_price", allow_negative=True),
        ticket_type_id=optional_int(
            data, "tp_event_ticket_id", minimum=1, label=f"{where}.tp_event_ticket_id"
        ),
    )
    if line.issues_tickets and line.quantity < 1:
        raise InvalidInput(
            Said("order_lines[{index}].quantity must be at least 1 for a ticket line", index=index)
        )
    if line.issues_tickets and line.unit_price_cents < 0:
        raise InvalidInput(
            Said(
                "order_lines[{index}].unit_price must not be negative for a ticket line",
                index=index,
            )
        )
    return line
