"""The account's customers for the admin API: people who ordered, keyed by e-mail address.

There is no customer table: a customer is the set of the account's orders with one billing
e-mail address, aggregated in SQL. Lists and the CSV export page by e-mail (keyset), so an
export of any size runs in flat memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from peewee import Case, fn

from tp_api.db import tuples
from tp_api.models import Order, OrderStatus
from tp_api.services.csv_text import drain, safe_cell
from tp_api.services.cursors import decode_cursor, encode_cursor

HISTORY_PER_CUSTOMER = 10
EXPORT_BATCH = 1000
CSV_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "orders_count",
    "total_spent_cents",
    "first_order_at",
    "last_order_at",
)
_SPENDING = (OrderStatus.PROCESSING, OrderStatus.COMPLETED, OrderStatus.REFUNDED)


@dataclass
class Customer:
    email: str
    orders_count: int
    total_spent: int
    first_order_at: datetime
    last_order_at: datetime
    latest: Order | None = None
    orders: list[Order] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerPage:
    customers: list[Customer]
    next_cursor: str | None


def list_customers(
    account_id: int, *, search: str | None, limit: int, cursor: str | None
) -> CustomerPage:
    """A page of customers by e-mail, each with their latest orders (three queries)."""
    after = decode_cursor(cursor, str)
    rows = _aggregate(account_id, after[0] if after else None, limit + 1, search)
    more = len(rows) > limit
    customers = rows[:limit]
    _attach_latest(customers)
    _attach_history(account_id, customers)
    return CustomerPage(
        customers, encode_cursor(customers[-1].email) if more and customers else None
    )


def export_customers_csv(account_id: int) -> Iterator[str]:
    """The account's customers as CSV text chunks, one batch of rows per chunk."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    yield drain(out)
    after: str | None = None
    while True:
        batch = _aggregate(account_id, after, EXPORT_BATCH, None)
        if not batch:
            return
        _attach_latest(batch)
        for customer in batch:
            latest = customer.latest
            writer.writerow(
                [
                    safe_cell(customer.email),
                    safe_cell(latest.billing_first_name if latest else ""),
                    safe_cell(latest.billing_last_name if latest else ""),
                    safe_cell(latest.billing_phone if latest else ""),
                    customer.orders_count,
                    customer.total_spent,
                    customer.first_order_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    customer.last_order_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ]
            )
        yield drain(out)
        after = batch[-1].email


def _aggregate(
    account_id: int, after: str | None, limit: int, search: str | None
) -> list[Customer]:
    spent = fn.SUM(
        Case(None, [(Order.status.in_(_SPENDING), Order.total_cents - Order.refunded_cents)], 0)
    )
    query = (
        Order.select(
            Order.billing_email,
            fn.COUNT(Order.id),
            spent,
            fn.MIN(Order.created_at),
            fn.MAX(Order.created_at),
            fn.MAX(Order.id),
        )
        .where(Order.account == account_id, Order.billing_email != "")
        .group_by(Order.billing_email)
        .order_by(Order.billing_email)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Order.billing_email > after)
    if search:
        # Match on any order, then aggregate all of the customer's orders.
        matching = Order.select(Order.billing_email).where(
            Order.account == account_id,
            Order.billing_email.contains(search)
            | Order.billing_first_name.contains(search)
            | Order.billing_last_name.contains(search),
        )
        query = query.where(Order.billing_email.in_(matching))
    customers = []
    for email, count, total, first, last, latest_id in tuples(query):
        customer = Customer(email, int(count), int(total or 0), _dt(first), _dt(last))
        customer.latest = Order(id=latest_id)
        customers.append(customer)
    return customers


def _dt(value: Any) -> datetime:
    # Aggregates bypass the field's converter: read it back through the field.
    return cast(datetime, Order.created_at.python_value(value))


def _attach_latest(customers: list[Customer]) -> None:
    """The name and phone of each customer's latest order (only those columns: the export
    reads a thousand of these per batch)."""
    ids = [c.latest.id for c in customers if c.latest is not None]
    rows = (
        tuples(
            Order.select(
                Order.id, Order.billing_first_name, Order.billing_last_name, Order.billing_phone
            ).where(Order.id.in_(ids))
        )
        if ids
        else []
    )
    by_id = {
        order_id: Order(
            id=order_id, billing_first_name=first, billing_last_name=last, billing_phone=phone
        )
        for order_id, first, last, phone in rows
    }
    for customer in customers:
        if customer.latest is not None:
            customer.latest = by_id.get(customer.latest.id)


def _attach_history(account_id: int, customers: list[Customer]) -> None:
    if not customers:
        return
    by_email = {c.email: c for c in customers}
    ranked = Order.select(
        Order,
        fn.ROW_NUMBER()
        .over(partition_by=[Order.billing_email], order_by=[Order.id.desc()])
        .alias("rank"),
    ).where(Order.account == account_id, Order.billing_email.in_(list(by_email)))
    history = Order.select(ranked.c.id).from_(ranked).where(ranked.c.rank <= HISTORY_PER_CUSTOMER)
    rows = Order.select().where(Order.id.in_(history)).order_by(Order.id.desc())
    for order in rows:
        by_email[order.billing_email].orders.append(order)
