"""What affiliates earned: sums per affiliate (or per link) and currency, in SQL.

An attributed order counts while it is paid (``processing`` or ``completed``): its revenue
is what the customer paid less what was refunded (``total_cents - refunded_cents``), and
its commission that revenue times the rate the order was attributed at, rounded half up
to whole cents per order: ``(revenue * rate_bps + 5000) / 10000`` in integer arithmetic,
the same on SQLite and PostgreSQL. A fully refunded or cancelled order counts nothing.
Currencies are never added together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from peewee import Case, ColumnBase, Node, fn

from tp_api.db import tuples
from tp_api.models import AffiliateLink, AffiliateOrder, Order, OrderStatus


@dataclass(frozen=True)
class Earnings:
    """One currency's figures: paid orders, revenue and commission in cents."""

    currency: str
    orders: int
    revenue_cents: int
    commission_cents: int


def _revenue() -> ColumnBase:
    paid_less_refunds = Order.total_cents - Order.refunded_cents
    return Case(None, [(Order.total_cents > Order.refunded_cents, paid_less_refunds)], 0)


def _sums(group: ColumnBase, where: Node) -> dict[int, list[Earnings]]:
    """``{group value: [Earnings per currency]}`` over the paid attributed orders."""
    revenue = _revenue()
    commission = (revenue * AffiliateOrder.rate_bps + 5000) / 10000
    query = (
        AffiliateOrder.select(
            group,
            Order.currency,
            fn.COUNT(Order.id),
            fn.SUM(revenue),
            fn.SUM(commission),
        )
        .join(Order)
        .where(where, Order.status.in_(sorted(OrderStatus.PAID)))
        .group_by(group, Order.currency)
        .order_by(group, Order.currency)
    )
    found: dict[int, list[Earnings]] = {}
    for key, currency, orders, revenue_sum, commission_sum in tuples(query):
        found.setdefault(int(key), []).append(
            Earnings(currency, int(orders), int(revenue_sum or 0), int(commission_sum or 0))
        )
    return found


def by_affiliate(account_id: int, affiliate_ids: Iterable[int]) -> dict[int, list[Earnings]]:
    """Each affiliate's earnings per currency (affiliates without paid orders are absent)."""
    ids = sorted(set(affiliate_ids))
    if not ids:
        return {}
    where = (AffiliateOrder.account == account_id) & AffiliateOrder.affiliate.in_(ids)
    return _sums(AffiliateOrder.affiliate, where)


def by_event(affiliate_id: int) -> dict[int, list[Earnings]]:
    """One affiliate's earnings per event (its links) and currency."""
    where = (AffiliateOrder.affiliate == affiliate_id) & AffiliateOrder.event.is_null(False)
    return _sums(AffiliateOrder.event, where)


def clicks_by_affiliate(affiliate_ids: Iterable[int]) -> dict[int, int]:
    """Clicks on each affiliate's links, all links together."""
    ids = sorted(set(affiliate_ids))
    if not ids:
        return {}
    query = (
        AffiliateLink.select(AffiliateLink.affiliate, fn.SUM(AffiliateLink.clicks))
        .where(AffiliateLink.affiliate.in_(ids))
        .group_by(AffiliateLink.affiliate)
    )
    return {int(a): int(c or 0) for a, c in tuples(query)}


def unattributed_orders(account_id: int) -> int:
    """Orders that named an affiliate code no enabled affiliate of the account had."""
    return int(
        AffiliateOrder.select()
        .where(AffiliateOrder.account == account_id, AffiliateOrder.affiliate.is_null())
        .count()
    )


def orders_of(earnings: Iterable[Earnings]) -> int:
    """Paid orders over every currency."""
    return sum(e.orders for e in earnings)
