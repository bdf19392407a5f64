"""What an account offers through ``GET /tp-api/events``, counted as it is now."""

from __future__ import annotations

from tp_api.services.events.catalogue import EventNode, event_tree
from tp_api.services.orders import holds


def offered_events(account_id: int) -> list[EventNode]:
    """The account's event tree after releasing lapsed unpaid holds, so the stock a shop reads
    counts them as free with no daemon running.

    Kept apart from events.py: that module is read by the renderers webhooks use, and holds
    (which announces ``order.expired``) depends on those, so importing holds there made a
    cycle that broke any process importing events.py first.
    """
    holds.settle_lapsed()
    return event_tree(account_id)
