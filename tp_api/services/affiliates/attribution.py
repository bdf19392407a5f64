"""Which affiliate brought an order: decided once, in the transaction that creates it.

An order can name an affiliate two ways, whatever its source (partner push, shop webhook,
poll, reconcile: they all create orders in ``orders.submit``):

1. a coupon line whose code is an enabled affiliate's code (the customer typed it at the
   checkout of this very order), and, failing that,
2. ``affiliate_code``: the partner push's extension field, which the bridge fills from
   the WooCommerce order's ``_tp_affiliate`` meta (set by the shop's page from the
   ``tp_affiliate`` parameter of a followed tracking link, possibly days ago).

The coupon wins over the code because it is the later and more deliberate of the two.
A code that no enabled affiliate of the account has is kept on the order unattributed
(and counted: ``GET /api/v1/affiliates`` says how many), never refused: the shop has
taken the money already. A coupon that is no affiliate's is an ordinary discount and
records nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from tp_api.db import insert_rows, tuples, utcnow
from tp_api.models import Affiliate, AffiliateOrder, AttributionSource, LineType, TicketType
from tp_api.services.affiliates import codes
from tp_api.services.orders.order_input import OrderInput


def candidate_codes(order_input: OrderInput) -> tuple[list[str], str]:
    """The order's coupon codes (in line order) and its explicit affiliate code, normalised."""
    coupons = [
        codes.normalise(line.name)
        for line in order_input.lines
        if line.line_type == LineType.COUPON and line.name.strip()
    ]
    return coupons, codes.normalise(order_input.affiliate_code)


def record_attribution(
    account_id: int,
    order_id: int,
    order_input: OrderInput,
    ticket_types: Mapping[int, TicketType],
) -> None:
    """Record the affiliate the new order names, if it names one (no query when it names
    none). ``ticket_types`` are the order's, with their events (the stock plan's).
    Call inside the order's write transaction."""
    coupons, explicit = candidate_codes(order_input)
    if not coupons and not explicit:
        return
    wanted = {code for code in [*coupons, explicit] if code}
    found = Affiliate.select(Affiliate.id, Affiliate.code, Affiliate.rate_bps).where(
        Affiliate.account == account_id,
        Affiliate.code.in_(sorted(wanted)),
        Affiliate.enabled == True,  # noqa: E712
    )
    enabled = {code: (affiliate_id, rate) for affiliate_id, code, rate in tuples(found)}
    coupon = next((code for code in coupons if code in enabled), None)
    if coupon is not None:
        code, source = coupon, AttributionSource.COUPON
    elif explicit:
        code, source = explicit, AttributionSource.CODE
    else:
        return
    affiliate_id, rate = enabled.get(code, (None, 0))
    insert_rows(
        AffiliateOrder,
        [
            {
                "order": order_id,
                "account": account_id,
                "affiliate": affiliate_id,
                "event": _first_event(order_input, ticket_types),
                "code": code[: codes.MAX_ORDER_CODE],
                "source": source,
                "rate_bps": rate,
                "created_at": utcnow(),
            }
        ],
    )


def _first_event(order_input: OrderInput, ticket_types: Mapping[int, TicketType]) -> int | None:
    """The top-level event of the order's first ticket line (whose link the order counts
    under; a date counts as its event), or None for an order without tickets."""
    for line in order_input.lines:
        ticket_type = ticket_types.get(line.ticket_type_id or 0) if line.issues_tickets else None
        if ticket_type is not None:
            return int(ticket_type.event.parent_id or ticket_type.event_id)
    return None
