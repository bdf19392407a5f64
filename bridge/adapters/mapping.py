"""WooCommerce order JSON -> our terms (a ShopOrderSnapshot), as orders/create would store it.

Money is parsed exactly from WooCommerce's decimal strings (``line_items[].price`` is a JSON
number; it goes through ``str`` first, never through float arithmetic). The shop order id
(``id``, not the display ``number``) becomes ``wp_order_id``; ``customer_id`` becomes
``wp_user_id`` (0 for guests).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bridge.adapters.woo_wire import parse_woo_time
from tp_api.schemas.text_rules import neutralise
from tp_api.services.orders.ingest import ShopOrderSnapshot
from tp_api.services.orders.order_input import BillingInput, OrderInput, OrderLineInput

Mappings = dict[tuple[int, int], int]


def cents(value: Any) -> int:
    """``"29.95"`` or ``29.95`` -> 2995 (half up); anything unparsable -> 0."""
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        return 0
    if not amount.is_finite():
        return 0
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _text(value: Any, max_len: int) -> str:
    # The shop already took this order, so bad text is kept, made harmless: no line break can
    # reach an e-mail header and no bidi control can reorder what a PDF ticket shows.
    return neutralise(str(value or ""))[:max_len]


SKU_PREFIX = "tp-"


def ticket_type_for(
    mappings: Mappings, product_id: int, variation_id: int, sku: Any = None
) -> int | None:
    """A variation's own mapping, else its product's, else the SKU convention.

    The convention: a product (or variation) whose SKU is ``tp-<ticket type id>`` (e.g.
    ``tp-45``) sells that ticket type without an explicit mapping. An id of another account
    is refused when the order is ingested, and reported.
    """
    found = mappings.get((product_id, variation_id)) or mappings.get((product_id, 0))
    if found is None and isinstance(sku, str) and sku.lower().startswith(SKU_PREFIX):
        digits = sku[len(SKU_PREFIX) :]
        if digits.isascii() and digits.isdigit() and len(digits) <= 12:
            found = int(digits)
    return found


def snapshot_from_woo(
    order: dict[str, Any], mappings: Mappings, refunds: list[dict[str, Any]] | None = None
) -> ShopOrderSnapshot:
    """Map one WooCommerce order (and its refund records) to a snapshot."""
    lines, unmapped = _item_lines(order.get("line_items") or [], mappings)
    for item in order.get("shipping_lines") or []:
        lines.append(_extra_line(item.get("method_title"), "shipping", cents(item.get("total"))))
    for item in order.get("fee_lines") or []:
        lines.append(_extra_line(item.get("name"), "fee", cents(item.get("total"))))
    for item in order.get("coupon_lines") or []:
        lines.append(_extra_line(item.get("code"), "coupon", -cents(item.get("discount"))))
    order_input = OrderInput(
        wp_order_id=str(int(order["id"])),
        wp_user_id=int(order.get("customer_id") or 0),
        payment_method=str(order.get("payment_method") or "")[:100],
        payment_method_title=str(order.get("payment_method_title") or "")[:200],
        ip_address=str(order.get("customer_ip_address") or "")[:45],
        currency=str(order.get("currency") or "")[:3].upper(),
        total_cents=max(0, cents(order.get("total"))),
        date_created=parse_woo_time(order.get("date_created_gmt")),
        date_paid=parse_woo_time(order.get("date_paid_gmt")),
        billing=_billing(order.get("billing") or {}),
        lines=tuple(lines),
        affiliate_code=affiliate_meta(order.get("meta_data")),
    )
    return ShopOrderSnapshot(
        external_id=int(order["id"]),
        status=str(order.get("status") or ""),
        date_modified=parse_woo_time(order.get("date_modified_gmt")),
        order=order_input,
        refunded=refunded_units(refunds or [], mappings),
        unmapped=tuple(unmapped),
    )


AFFILIATE_META_KEY = "_tp_affiliate"


def affiliate_meta(meta_data: Any) -> str:
    """The ``_tp_affiliate`` order meta the shop's page set from a followed tracking link
    (its ``tp_affiliate`` parameter), or "". Meta values may be objects or arrays: only a
    string (or number) is a code; the order's coupon lines are read by the attribution
    itself (tp_api.services.affiliates.attribution), which prefers them."""
    for entry in meta_data if isinstance(meta_data, list) else []:
        if isinstance(entry, dict) and entry.get("key") == AFFILIATE_META_KEY:
            value = entry.get("value")
            if isinstance(value, str | int) and not isinstance(value, bool):
                return _text(value, 100)
    return ""


def _item_lines(
    items: list[dict[str, Any]], mappings: Mappings
) -> tuple[list[OrderLineInput], list[str]]:
    """The order's product lines, and the products among them that map to no ticket type."""
    lines: list[OrderLineInput] = []
    unmapped: list[str] = []
    for item in items:
        product_id, variation_id = (
            int(item.get("product_id") or 0),
            int(item.get("variation_id") or 0),
        )
        quantity = max(0, int(item.get("quantity") or 0))
        type_id = ticket_type_for(mappings, product_id, variation_id, item.get("sku"))
        if type_id is None:
            unmapped.append(f"{product_id}/{variation_id}" if variation_id else str(product_id))
        lines.append(
            OrderLineInput(
                name=_text(item.get("name"), 300) or f"Product {product_id}",
                quantity=quantity,
                product_id=product_id or None,
                order_item_type="line_item",
                unit_price_cents=cents(item.get("price")),
                ticket_type_id=type_id if quantity else None,
            )
        )
    return lines, unmapped


def _billing(billing: dict[str, Any]) -> BillingInput:
    street = " ".join(str(p) for p in (billing.get("address_1"), billing.get("address_2")) if p)
    return BillingInput(
        first_name=_text(billing.get("first_name"), 200),
        last_name=_text(billing.get("last_name"), 200),
        address=_text(street, 300),
        city=_text(billing.get("city"), 200),
        postal_code=_text(billing.get("postcode"), 40),
        country=str(billing.get("country") or "")[:2].upper(),
        email=str(billing.get("email") or "")[:254],
        phone=_text(billing.get("phone"), 50),
    )


def refunded_units(refunds: list[dict[str, Any]], mappings: Mappings) -> dict[int, int]:
    """Units refunded per ticket type, from ``GET /orders/{id}/refunds``."""
    units: dict[int, int] = {}
    for refund in refunds:
        for item in refund.get("line_items") or []:
            type_id = ticket_type_for(
                mappings,
                int(item.get("product_id") or 0),
                int(item.get("variation_id") or 0),
                item.get("sku"),
            )
            quantity = abs(int(item.get("quantity") or 0))  # refund quantities are negative
            if type_id is not None and quantity:
                units[type_id] = units.get(type_id, 0) + quantity
    return units


def _extra_line(name: Any, item_type: str, amount_cents: int) -> OrderLineInput:
    return OrderLineInput(
        name=_text(name, 300) or item_type,
        quantity=1,
        product_id=None,
        order_item_type=item_type,
        unit_price_cents=amount_cents,
    )
