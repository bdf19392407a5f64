"""One path for every shop order, whoever sees it first: webhook, poll or partner push.

A shop order is bound to our order once, by (shop, shop order id). A snapshot older than
the one stored is ignored, and one identical to it (a duplicate delivery, our own write's
echo) changes nothing. Status changes are applied as changes, in any direction:

- paid (``processing``/``completed``): the order is paid, its tickets issued (once);
- ``pending``/``on-hold``: the order holds a reservation;
- ``cancelled``/``refunded``/``failed``/``trash``: unused tickets are cancelled and units
  released; scanned tickets are reported, never cancelled silently;
- back to paid after a cancellation (late payment): units are taken again and new tickets
  issued, if the stock allows; otherwise the order is reported;
- refunded quantities (partial refunds keep the order's status) cancel exactly that many
  tickets, unpersonalised ones first.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

import peewee

from tp_api.db import lock_rows, utcnow, write_transaction
from tp_api.models import Order, OrderStatus, ShopOrder
from tp_api.schemas.text_rules import email_problem
from tp_api.services.errors import TicketingError
from tp_api.services.orders import (
    cancellation,
    holds,
    issue,
    shop_bindings,
    stock,
    submit,
    unsellable_orders,
)
from tp_api.services.orders.order_input import OrderInput
from tp_api.services.orders.outcomes import OrderChange

log = logging.getLogger(__name__)

PAID_STATUSES = frozenset({"processing", "completed"})
HELD_STATUSES = frozenset({"pending", "on-hold"})
CLOSED_STATUSES = frozenset({"cancelled", "refunded", "failed", "trash"})


@dataclass(frozen=True)
class ShopOrderSnapshot:
    """A shop order as the adapter read it, mapped to our terms."""

    external_id: int
    status: str
    date_modified: datetime | None
    order: OrderInput
    # Units refunded so far per ticket type (from the shop's refund records).
    refunded: dict[int, int] = field(default_factory=dict)
    # Product ids (with variation) in the order that map to no ticket type.
    unmapped: tuple[str, ...] = ()

    def content_hash(self) -> str:
        """What we use of the order, hashed: an identical snapshot changes nothing."""
        data = {
            "status": self.status,
            "lines": [
                (line.ticket_type_id, line.quantity, line.order_item_type, line.unit_price_cents)
                for line in self.order.lines
            ],
            "refunded": sorted(self.refunded.items()),
            "paid": self.order.date_paid.isoformat() if self.order.date_paid else None,
            "user": self.order.wp_user_id,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def deleted_snapshot(external_id: int) -> ShopOrderSnapshot:
    """A shop order that no longer exists in the shop: ingested like the trash."""
    return ShopOrderSnapshot(
        external_id=external_id,
        status="trash",
        date_modified=None,
        order=OrderInput(wp_order_id=str(external_id)),
    )


@dataclass
class IngestOutcome:
    """What one shop order snapshot did: its change, our order (if any) and what to report."""

    change: OrderChange
    order_id: int | None
    problems: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        """``new``, ``changed`` or ``skipped``: the sync run's counters, the webhook's answer."""
        return self.change.counted_as


def ingest_shop_order(
    shop_id: int,
    account_id: int,
    snapshot: ShopOrderSnapshot,
    *,
    hold_seconds: int = holds.DEFAULT_UNPAID_HOLD_SECONDS,
) -> IngestOutcome:
    """Bring one shop order into our store, exactly once, in one transaction.

    A pending or on-hold order's units are held for ``hold_seconds`` (TP_UNPAID_HOLD_SECONDS),
    as a partner push's are.
    """
    try:
        return _ingest(shop_id, account_id, snapshot, hold_seconds)
    except peewee.IntegrityError:
        # PostgreSQL: a webhook and the poller brought the same new order at once and the
        # other one committed its binding first. Run again: now the binding is found.
        return _ingest(shop_id, account_id, snapshot, hold_seconds)


def _ingest(
    shop_id: int, account_id: int, snapshot: ShopOrderSnapshot, hold_seconds: int
) -> IngestOutcome:
    with write_transaction():
        binding = shop_bindings.locked_binding(shop_id, snapshot.external_id)
        if binding is not None and _stale_or_same(binding, snapshot):
            return IngestOutcome(OrderChange.SKIPPED, binding.order_id)
        order = _our_order(account_id, binding, snapshot)
        problems: list[str] = [f"unmapped product {p}" for p in snapshot.unmapped]
        problems.extend(_address_problems(snapshot.order))
        refused = False
        unsellable = _unsellable(order, snapshot)
        if unsellable:
            # Recorded, but no ticket is issued and no stock taken (unsellable_orders).
            problems.extend(unsellable)
            _save_binding(shop_id, binding, snapshot, order, problems)
            if snapshot.status in PAID_STATUSES:
                unsellable_orders.flag_needs_refund(
                    account_id, shop_id, snapshot.external_id, unsellable
                )
            change = OrderChange.CHANGED if binding else OrderChange.CREATED
            return IngestOutcome(change, order.id if order else None, problems)
        try:
            with write_transaction():  # a savepoint: a refusal keeps the binding's record
                order, change = _apply(account_id, order, snapshot, problems, hold_seconds)
        except TicketingError as error:
            problems.append(error.message)
            change = OrderChange.CHANGED if binding is not None else OrderChange.CREATED
            refused = True
        # A refused snapshot (no stock for a late payment, say) is stored with a hash that
        # never matches, so the next poll or reconcile tries it again.
        _save_binding(shop_id, binding, snapshot, order, problems, retry=refused)
    for problem in problems:
        log.warning("shop %s order %s: %s", shop_id, snapshot.external_id, problem)
    return IngestOutcome(change, order.id if order else None, problems)


def _address_problems(order: OrderInput) -> list[str]:
    # The shop took the money, so the order is recorded; but its tickets are never mailed to
    # an address that is not one address (ticket_mail refuses it), and this says why.
    email = order.billing.email if order.billing else ""
    if email and email_problem(email):
        return [f"billing e-mail {email!r} is not an e-mail address: tickets are not mailed"]
    return []


def _unsellable(order: Order | None, snapshot: ShopOrderSnapshot) -> list[str]:
    """Why the snapshot would issue or hold tickets that cannot be sold: a new paid or held
    order, or a late payment of one we cancelled (an event's cancellation refunds it)."""
    if snapshot.status in CLOSED_STATUSES:
        return []
    if order is not None and (
        snapshot.status not in PAID_STATUSES
        or (order.is_paid and order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED))
    ):
        return []
    return unsellable_orders.unsellable_reasons(snapshot.order)


def _stale_or_same(binding: ShopOrder, snapshot: ShopOrderSnapshot) -> bool:
    if (
        binding.date_modified
        and snapshot.date_modified
        and (snapshot.date_modified < binding.date_modified)
    ):
        return True
    # The hash covers the mapped ticket types too: mapping a product later re-ingests.
    return bool(binding.content_hash == snapshot.content_hash())


def _our_order(
    account_id: int, binding: ShopOrder | None, snapshot: ShopOrderSnapshot
) -> Order | None:
    if binding is not None and binding.order_id is not None:
        return Order.get_by_id(binding.order_id)
    # A partner-API push that named no shop may have created it already, unbound
    # (shop_bindings); ``wc_456`` is stored as ``456``.
    return Order.get_or_none(
        (Order.account == account_id) & (Order.wp_order_id == snapshot.order.wp_order_id)
    )


def _apply(
    account_id: int,
    order: Order | None,
    snapshot: ShopOrderSnapshot,
    problems: list[str],
    hold_seconds: int,
) -> tuple[Order | None, OrderChange]:
    status = snapshot.status
    if order is None:
        if status in CLOSED_STATUSES or not snapshot.order.ticket_quantities():
            return None, OrderChange.CREATED  # recorded; nothing to hold or issue
        if status not in PAID_STATUSES and status not in HELD_STATUSES:
            return None, OrderChange.CREATED  # drafts and unknown statuses hold nothing yet
        outcome = submit.submit_order(
            account_id, _as_paid_or_not(snapshot), hold_seconds=hold_seconds
        )
        order = Order.get_by_id(outcome.order_id)
        _apply_refunds(order, snapshot, problems)
        return order, OrderChange.CREATED
    _report_changed_lines(order, snapshot, problems)
    change = OrderChange.CHANGED
    if status in CLOSED_STATUSES:
        was_open = order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        result = cancellation.cancel_order(order, status=_closed_status(status))
        problems.extend(result.needs_attention)
        if was_open:
            change = OrderChange(_closed_status(status))
    elif status in PAID_STATUSES:
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            _reopen(order, snapshot.refunded)
            change = OrderChange.PAID
        elif not order.is_paid:
            locked = lock_rows(Order.select().where(Order.id == order.id)).get()
            submit.pay_order(locked, snapshot.order.date_paid)
            change = OrderChange.PAID
        order = Order.get_by_id(order.id)
        if _apply_refunds(order, snapshot, problems) and change is OrderChange.CHANGED:
            change = OrderChange.REFUNDED
    return order, change


def _report_changed_lines(order: Order, snapshot: ShopOrderSnapshot, problems: list[str]) -> None:
    """Lines of an existing order are not rewritten by a later snapshot (a product mapped
    after the order was ingested, items edited in the shop): that is reported instead."""
    held = stock.held_by_order(order.id).quantities
    wanted = snapshot.order.ticket_quantities()
    if wanted != held:
        problems.append(
            f"ticket lines differ from order {order.reference} (shop {wanted}, ours {held}); "
            "not applied: change the order in the admin"
        )


def _as_paid_or_not(snapshot: ShopOrderSnapshot) -> OrderInput:
    data = snapshot.order
    if snapshot.status in PAID_STATUSES and data.date_paid is None:
        return _replace(data, date_paid=snapshot.date_modified or utcnow())
    if snapshot.status not in PAID_STATUSES and data.date_paid is not None:
        return _replace(data, date_paid=None)
    return data


def _replace(data: OrderInput, **changes: object) -> OrderInput:
    return replace(data, **changes)  # type: ignore[arg-type]


def _closed_status(status: str) -> str:
    return OrderStatus.REFUNDED if status == "refunded" else OrderStatus.CANCELLED


def _reopen(order: Order, refunded: dict[int, int]) -> None:
    """A cancelled order was paid after all: take its units again and issue new tickets.

    Raises OutOfStock when the units were sold to someone else meanwhile (reported).
    """
    order.status = OrderStatus.PROCESSING
    order.date_paid = order.date_paid or utcnow()
    order.updated_at = utcnow()
    order.save()
    stock.reserve(issue.issue_missing_tickets(order, refunded), paid=True)


def _apply_refunds(order: Order, snapshot: ShopOrderSnapshot, problems: list[str]) -> bool:
    """Cancel the tickets of units refunded in the shop; whether any were."""
    if not order.is_paid or not snapshot.refunded:
        return False
    cancelled = False
    bought = stock.held_by_order(order.id).quantities
    live = cancellation.live_tickets_by_type(order.id)
    for type_id, refunded in sorted(snapshot.refunded.items()):
        should_live = max(0, bought.get(type_id, 0) - refunded)
        extra = live.get(type_id, 0) - should_live
        if extra > 0:
            result = cancellation.cancel_units(order, type_id, extra)
            problems.extend(result.needs_attention)
            cancelled = cancelled or result.cancelled > 0
    return cancelled


def _save_binding(
    shop_id: int,
    binding: ShopOrder | None,
    snapshot: ShopOrderSnapshot,
    order: Order | None,
    problems: list[str],
    *,
    retry: bool = False,
) -> None:
    content_hash = snapshot.content_hash()
    shop_bindings.save_binding(
        shop_id,
        snapshot.external_id,
        binding,
        order_id=order.id if order else (binding.order_id if binding else None),
        status=snapshot.status,
        date_modified=snapshot.date_modified,
        content_hash=("retry:" + content_hash) if retry else content_hash,
        problem="; ".join(problems),
    )
