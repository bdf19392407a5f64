"""No console page runs a query per row: each list costs the same few queries with 2 rows
as with 12 (the statements are counted on the real database)."""

from __future__ import annotations

import pytest

from config.shops import secret_box
from tests.conftest import TEST_SECRET
from tests.query_counter import count_queries
from tests.tp_api.console.support import sign_in
from tp_api.db import utcnow
from tp_api.models import SyncRun
from tp_api.services import shops, webhook_endpoints, webhook_events
from tp_api.services.secret_box import SecretBox
from tp_api.services.webhook_endpoints import EndpointPolicy

# Signed-in session check (1) plus the page's own reads; generous but far below one per row.
MOST_QUERIES = 10


def _grow(factory, owner, size: int) -> dict[str, int]:
    """``size`` events (each with an extra date), orders, shops with runs and problems, and
    webhook deliveries, for one account."""
    ids: dict[str, int] = {}
    box = SecretBox([TEST_SECRET])
    for i in range(size):
        event = factory.event(
            owner,
            name=f"Grow {size}-{i}",
            children=[
                {
                    "name": f"Day {i}",
                    "stock": 50,
                    "tickets": [{"name": "Day pass", "stock": 50, "price": 10}],
                }
            ],
        )
        ticket_type = factory.ticket_type(event)
        outcome = factory.order(owner, ticket_type, quantity=2)
        ids.setdefault("event", event.id)
        ids["order"] = outcome.order_id
        shop = shops.add_shop(
            box,
            owner.id,
            f"shop {size}-{i}",
            platform="woocommerce",
            base_url=f"https://shop{i}.test",
            consumer_key="ck",
            consumer_secret="cs",
        ).shop
        shops.map_product(shop, product_id=100 + i, ticket_type_id=ticket_type.id)
        for kind in ("orders", "stock", "orders"):
            SyncRun.create(shop=shop.id, kind=kind, finished_at=utcnow(), errors=1, error_text="x")
    endpoint = webhook_endpoints.create_endpoint(
        owner.id,
        secret_box(factory_settings()),
        EndpointPolicy(resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/in",
        event_types=["order.created"],
    ).endpoint
    for _ in range(size):
        webhook_events.emit_ping(owner.id, endpoint)
    ids["endpoint"] = endpoint.id
    return ids


def factory_settings():
    from config.settings import Settings

    return Settings(secret_key=TEST_SECRET)


PAGES = [
    "/console/events",
    "/console/events/{event}",
    "/console/orders",
    "/console/orders?q=jane",
    "/console/orders/{order}",
    "/console/door/{event}",
    "/console/door/{event}/figures.json",
    "/console/shops",
    "/console/webhooks",
    "/console/webhooks/{endpoint}",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_costs_the_same_few_queries_whatever_the_rows(app, factory, monkeypatch, page):
    counts = []
    for size in (2, 12):
        owner = factory.seller()
        client = app.test_client()
        sign_in(client, factory.staff(owner).email)
        path = page.format(**_grow(factory, owner, size))
        with count_queries(monkeypatch) as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 2 rows, {counts[1]} for 12"
    assert 2 <= counts[1] <= MOST_QUERIES, f"{page}: {counts[1]} queries"
