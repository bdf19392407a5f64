"""The shipped rate limits leave a shop in a big on-sale alone (docs/admin-api.md)."""

from __future__ import annotations

import time_machine

from tests.factories import order_body
from tests.tp_api.admin_orders.helpers import make_shop

BURST = 2_000


def test_one_key_gets_a_burst_of_2000_checkouts_through_on_the_defaults(client, factory):
    shop = make_shop(factory)
    url = f"/tp-api/orders/create?key={shop.seller.key}"
    # Time stands still: the whole burst lands in one instant, the hardest case for any window.
    with time_machine.travel("2026-06-01T10:00:00Z", tick=False):
        first = client.post(url, json=order_body(shop.ticket_type.id, wp_order_id="burst-1"))
        assert first.status_code == 200, first.get_data(as_text=True)
        limit = int(first.headers["X-RateLimit-Limit"])
        statuses = [first.status_code]
        # Each call is counted before it is read; an order without lines keeps the burst cheap.
        for _ in range(BURST - 1):
            response = client.post(url, json={"wp_user_id": 7})
            statuses.append(response.status_code)
    assert statuses.count(429) == 0
    assert statuses.count(404) == BURST - 1
    assert response.get_data(as_text=True) == "No order lines specified"
    # All of it was counted against the checkout budget, which has room to spare.
    assert int(response.headers["X-RateLimit-Remaining"]) == limit - BURST
    assert limit >= 2 * BURST
