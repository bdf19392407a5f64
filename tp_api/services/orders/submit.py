"""Where an order is created, updated and paid.

:func:`submit_order` serves ``POST /tp-api/orders/create``: a shop that retries, or that
pushes the same ``wp_order_id`` again when the order is paid, updates the existing order
instead of creating a second one. Shop snapshots (webhook, poll, reconcile, outbox refresh)
reach it through ``ingest.ingest_shop_order``, which creates new orders with it and pays
known ones with :func:`pay_order`. Both name what they did with one type,
:class:`~tp_api.services.orders.outcomes.OrderChange`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import peewee

from tp_api.db import insert_rows, lock_rows, utcnow, write_transaction
from tp_api.models import Order, OrderLine, OrderStatus
from tp_api.models.base import new_public_number
from tp_api.services.affiliates.attribution import record_attribution
from tp_api.services.errors import Conflict, Forbidden, NotFound, Said, TicketingError
from tp_api.services.fraud import reports as fraud_reports
from tp_api.services.fraud import scoring as fraud_scoring
from tp_api.services.orders import holds, issue, shop_bindings, stock
from tp_api.services.orders.order_input import BillingInput, OrderInput, OrderLineInput
from tp_api.services.orders.outcomes import OrderChange
from tp_api.services.queue import order_gate
from tp_api.services.queue.waiting_room import WaitingRooms
from tp_api.services.webhooks import notify

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrderOutcome:
    """What :func:`submit_order` did."""

    order_id: int
    number: int
    reference: str
    created: bool
    status: str
    tickets_issued: int
    change: OrderChange


def submit_order(
    account_id: int,
    order_input: OrderInput,
    *,
    hold_seconds: int = holds.DEFAULT_UNPAID_HOLD_SECONDS,
    partner_key_id: int | None = None,
    rooms: WaitingRooms | None = None,
) -> OrderOutcome:
    """Create the order, or update the one it refers to (``tp_order_id`` or ``wp_order_id``).

    A new order reserves its stock atomically (sold if ``date_paid`` is set, else reserved)
    and, when paid, gets one ticket (status 1, Created) per unit of each ticket line.
    An unpaid order's hold lapses after ``hold_seconds`` (holds.py); paying an expired order
    takes its units again, or raises OutOfStock and it stays expired.
    A new order pushed with ``partner_key_id`` is bound to its shop's order when the key
    names a shop (shop_bindings.bind_pushed_order).
    With ``rooms`` (a checkout), a new order for ticket types behind a waiting room spends
    the place its ``queue_token`` names (services.queue.order_gate).
    Raises NotFound, Forbidden, InvalidInput or OutOfStock; on any error nothing changes.
    """
    stock_plan = _plan_for_new_order(account_id, order_input)
    admission = None
    if rooms is not None and stock_plan is not None:
        admission = _admission(rooms, account_id, order_input, stock_plan)
    try:
        return _write(account_id, order_input, stock_plan, hold_seconds, partner_key_id, admission)
    except BaseException as failed:
        if admission is not None:
            order_gate.give_back(admission)
        if isinstance(failed, TicketingError):  # after the rollback: the refusal is kept
            fraud_scoring.record_refusal(account_id, order_input, failed)
        raise


def _write(
    account_id: int,
    order_input: OrderInput,
    stock_plan: stock.StockPlan | None,
    hold_seconds: int,
    partner_key_id: int | None,
    admission: order_gate.Admission | None,
) -> OrderOutcome:
    try:
        with write_transaction():
            return _submit(
                account_id,
                order_input,
                stock_plan,
                hold_seconds,
                assume_new=stock_plan is not None,
                partner_key_id=partner_key_id,
                admission=admission,
            )
    except peewee.IntegrityError:
        # The account has this wp_order_id already: a repeated push, or a concurrent push of
        # the same order that committed first. Either way it is an update of that order.
        # (Or, once in a blue moon, the random order number was taken: the second attempt
        # draws another.)
        log.debug("order %s exists; applying the push as an update", order_input.wp_order_id)
    with write_transaction():
        return _submit(
            account_id,
            order_input,
            None,
            hold_seconds,
            assume_new=False,
            partner_key_id=partner_key_id,
            admission=admission,
        )


def _admission(
    rooms: WaitingRooms, account_id: int, order_input: OrderInput, stock_plan: stock.StockPlan
) -> order_gate.Admission | None:
    """The waiting-room place a new checkout order spends (None: no line covers it)."""
    try:
        return order_gate.check(rooms, stock_plan.quantities, order_input.queue_token)
    except TicketingError:
        # A repeated push of an order already placed (paid now, say) is an update: it
        # bought nothing new, so it needs no turn. Looked up only when refused.
        if _known(account_id, order_input):
            return None
        raise


def _plan_for_new_order(account_id: int, order_input: OrderInput) -> stock.StockPlan | None:
    """Look up the ticket types before the write transaction, when the push looks new.

    Reading outside the transaction shortens it: on SQLite it holds the database's write
    lock, on PostgreSQL the ticket type's row lock. A new order is then inserted without
    looking for an existing one first; the unique (account, wp_order_id) index catches a
    repeat, which is retried as an update.
    """
    if order_input.tp_order_id is not None or not order_input.lines:
        return None
    try:
        return stock.plan(
            account_id,
            order_input.ticket_quantities(),
            sale_rules=order_input.enforce_sale_rules,
        )
    except TicketingError as refused:
        # A repeated push of a known order is an update: its lines are not applied, so a
        # ticket type closed since then must not refuse it.
        if _known(account_id, order_input):
            return None
        fraud_scoring.record_refusal(account_id, order_input, refused)
        raise


def _submit(
    account_id: int,
    order_input: OrderInput,
    stock_plan: stock.StockPlan | None,
    hold_seconds: int,
    *,
    assume_new: bool,
    partner_key_id: int | None,
    admission: order_gate.Admission | None = None,
) -> OrderOutcome:
    if order_input.tp_order_id is not None:
        order = _locked_order_by_number(order_input.tp_order_id)
        if order is None:
            raise NotFound("Ticket Pulse order does not exist", code="order_not_found")
        if order.account_id != account_id:
            raise Forbidden("You do not have access to this order", code="order_forbidden")
        return _update(order, order_input, force_processing=True)
    if order_input.wp_order_id is not None and not assume_new:
        existing = _locked_order_by_wp_id(account_id, order_input.wp_order_id)
        if existing is not None:
            return _update(existing, order_input, force_processing=False)
    if not order_input.lines:
        raise NotFound("No order lines specified", code="order_lines_missing")
    if stock_plan is None:
        stock_plan = stock.plan(
            account_id, order_input.ticket_quantities(), sale_rules=order_input.enforce_sale_rules
        )
    outcome = _create(account_id, order_input, stock_plan, hold_seconds)
    if admission is not None:
        order_gate.use(admission, outcome.order_id)
    if partner_key_id is not None:
        shop_bindings.bind_pushed_order(
            account_id, partner_key_id, outcome.order_id, order_input.wp_order_id
        )
    return outcome


def _known(account_id: int, order_input: OrderInput) -> bool:
    """Whether the account already has an order with this wp_order_id (a plain read)."""
    if order_input.wp_order_id is None:
        return False
    return bool(
        Order.select(Order.id)
        .where(Order.account == account_id, Order.wp_order_id == order_input.wp_order_id)
        .exists()
    )


def _locked_order_by_number(number: int) -> Order | None:
    query = Order.select().where(Order.number == number)
    return lock_rows(query).first()


def _locked_order_by_wp_id(account_id: int, wp_order_id: str) -> Order | None:
    query = Order.select().where(Order.account == account_id, Order.wp_order_id == wp_order_id)
    return lock_rows(query).first()


def _create(
    account_id: int, order_input: OrderInput, stock_plan: stock.StockPlan, hold_seconds: int
) -> OrderOutcome:
    paid = order_input.date_paid is not None
    now = utcnow()
    total = order_input.total_cents
    if total is None:
        # Coupons are negative lines; an order never totals less than nothing.
        total = max(0, sum(line.unit_price_cents * line.quantity for line in order_input.lines))
    # Scored before the INSERT, so the signals' "earlier orders" never include this one.
    risk = fraud_scoring.assess(account_id, order_input, now)
    row: dict[str, object] = {
        "account": account_id,
        "number": new_public_number(),
        "wp_order_id": order_input.wp_order_id,
        "wp_user_id": order_input.wp_user_id,
        "status": OrderStatus.PROCESSING if paid else OrderStatus.PENDING,
        "payment_method": order_input.payment_method,
        "payment_method_title": order_input.payment_method_title,
        "currency": order_input.currency or "EUR",
        "total_cents": total,
        "locale": order_input.locale,
        "my_tickets_url": order_input.my_tickets_url,
        "ip_address": order_input.ip_address,
        "date_created": order_input.date_created or now,
        "date_paid": order_input.date_paid,
        "created_at": now,
        "updated_at": now,
        "refunded_cents": 0,
        "hold_expires_at": None if paid else holds.hold_deadline(now, hold_seconds),
        **_billing_fields(order_input, BillingInput()),
        **risk.order_fields(),
    }
    order = Order(id=insert_rows(Order, [row]), **row)
    lines = [_insert_line(order.id, line) for line in order_input.lines]
    record_attribution(account_id, order.id, order_input, stock_plan.ticket_types)
    issued = (
        issue.issue_tickets(order, lines, stock_plan.event_of_type(), announce=False) if paid else 0
    )
    # Stock last: on PostgreSQL the UPDATE locks the ticket type's row until COMMIT, and every
    # other order for that ticket type waits on it, so the lock is taken as late as possible.
    holds.take(stock_plan, paid=paid, now=now, wait_for_lapsed=True)
    notify.order_created(account_id, order.id, paid=paid)
    if issued:
        notify.tickets_created(account_id, order.id)  # after the order's own events
    if risk.held:
        notify.fraud_alert(account_id, order.id, lambda: fraud_reports.report_data(order))
    notify.sold_out_after_sale(account_id, stock_plan.quantities)
    return OrderOutcome(
        order.id, order.number, order.reference, True, order.status, issued, OrderChange.CREATED
    )


def _insert_line(order_id: int, line: OrderLineInput) -> OrderLine:
    row: dict[str, object] = {
        "order": order_id,
        "line_type": line.line_type,
        "order_item_type": line.order_item_type,
        "name": line.name,
        "product_id": line.product_id,
        "ticket_type": line.ticket_type_id if line.issues_tickets else None,
        "unit_price_cents": line.unit_price_cents,
        "quantity": line.quantity,
        "refunded_quantity": 0,
    }
    return OrderLine(id=insert_rows(OrderLine, [row]), **row)


def _update(order: Order, order_input: OrderInput, *, force_processing: bool) -> OrderOutcome:
    """Apply a repeated push: fill in details and, when it says so, mark the order paid."""
    wants_paid = force_processing or order_input.date_paid is not None
    if wants_paid:
        _refuse_if_closed(order)
    filled = _fill_details(order, order_input)
    if wants_paid and not order.is_paid:
        return pay_order(order, order_input.date_paid)
    order.updated_at = utcnow()
    order.save()
    change = OrderChange.CHANGED if filled else OrderChange.SKIPPED
    return OrderOutcome(order.id, order.number, order.reference, False, order.status, 0, change)


def pay_order(order: Order, date_paid: datetime | None = None) -> OrderOutcome:
    """Mark a locked, unpaid order paid (now, unless ``date_paid`` says when): its held
    units become sold and its tickets are issued. Raises Conflict for a cancelled or
    refunded order and OutOfStock when an expired order's units are gone (nothing changes).
    The caller holds the write transaction and the order's row lock.
    """
    _refuse_if_closed(order)
    if order.is_paid:
        return OrderOutcome(
            order.id, order.number, order.reference, False, order.status, 0, OrderChange.SKIPPED
        )
    held = stock.held_by_order(order.id)
    if order.status == OrderStatus.EXPIRED:
        # Its units were given back: take them again, or refuse (OutOfStock, nothing
        # changes and the order stays expired).
        holds.take(held, paid=True)
    else:
        # A hold that lapsed but was not released yet still counts in ``reserved``;
        # nobody was sold those units, so they are this order's.
        stock.confirm(held)
    order.status = OrderStatus.PROCESSING
    order.date_paid = date_paid or utcnow()
    order.hold_expires_at = None
    issued = issue.issue_tickets(order, list(order.lines), held.event_of_type(), announce=False)
    order.updated_at = utcnow()
    order.save()
    notify.order_paid(order.account_id, order.id)
    if issued:
        notify.tickets_created(order.account_id, order.id)  # after order.paid
    return OrderOutcome(
        order.id, order.number, order.reference, False, order.status, issued, OrderChange.PAID
    )


def _refuse_if_closed(order: Order) -> None:
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise Conflict(
            Said(
                "Order {reference} is {status} and cannot be set to processing",
                reference=order.reference,
                status=order.status,
            ),
            code="order_closed",
        )


def _fill_details(order: Order, order_input: OrderInput) -> bool:
    # A later push may carry what the first one lacked, but never changes a stored value:
    # otherwise a repeated push could hand the tickets to another wp_user_id or address.
    updates: dict[str, object] = {
        "wp_user_id": order_input.wp_user_id,
        "payment_method": order_input.payment_method,
        "payment_method_title": order_input.payment_method_title,
        "locale": order_input.locale,
        "my_tickets_url": order_input.my_tickets_url,
        "ip_address": order_input.ip_address,
        **_billing_fields(order_input),
    }
    filled = False
    for name, value in updates.items():
        if value not in (None, "") and getattr(order, name) in (None, ""):
            setattr(order, name, value)
            filled = True
    return filled


def _billing_fields(order_input: OrderInput, default: BillingInput | None = None) -> dict[str, str]:
    billing = order_input.billing or default
    if billing is None:
        return {}
    return {
        "billing_first_name": billing.first_name,
        "billing_last_name": billing.last_name,
        "billing_address": billing.address,
        "billing_city": billing.city,
        "billing_postal_code": billing.postal_code,
        "billing_country": billing.country,
        "billing_email": billing.email,
        "billing_phone": billing.phone,
    }
