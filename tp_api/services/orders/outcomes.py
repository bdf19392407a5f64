"""What a snapshot of an order did to our store, whichever way it came in (partner push, shop
webhook, poll, reconcile, outbox refresh)."""

from __future__ import annotations

from enum import StrEnum


class OrderChange(StrEnum):
    """The one change an incoming order made, most significant first."""

    CREATED = "created"  # a new order (or a shop order recorded for the first time)
    PAID = "paid"  # an unpaid or cancelled order became paid; its tickets were issued
    CANCELLED = "cancelled"  # closed in the shop: unused tickets cancelled, units released
    REFUNDED = "refunded"  # refunded in full, or some units of it
    CHANGED = "changed"  # details filled in, or a change we only report (see problems)
    SKIPPED = "skipped"  # older than, or the same as, what we have: nothing changed

    @property
    def counted_as(self) -> str:
        """The sync run's three counters and the shop webhook's answer: new, changed or
        skipped (their documented words)."""
        if self is OrderChange.CREATED:
            return "new"
        if self is OrderChange.SKIPPED:
            return "skipped"
        return "changed"
