"""No console page runs a query per row: each list costs the same few queries with 2 rows
as with 12 (the statements are counted on the real database)."""

from __future__ import annotations

import pytest

from config.settings import Settings
from config.shops import secret_box
from config.tickets import scan_public_keys, ticket_tools
from tests.conftest import TEST_SECRET
from tests.query_counter import count_queries
from tests.tp_api.console.support import sign_in
from tp_api.db import utcnow
from tp_api.models import (
    AffiliateLink,
    Event,
    Order,
    OrderLine,
    SyncRun,
    Ticket,
    TicketAnswer,
    TicketType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from tp_api.schemas.questions import QuestionCreate
from tp_api.services import audit_trail, sandbox
from tp_api.services.actors import SYSTEM, Actor
from tp_api.services.affiliates import registry
from tp_api.services.credentials import oauth_clients
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.delivery.ticket_files import ticket_code
from tp_api.services.door import scanners
from tp_api.services.door.checkin import ScanRequest, scan
from tp_api.services.events import questions
from tp_api.services.shops import connections
from tp_api.services.webhooks import webhook_endpoints, webhook_events
from tp_api.services.webhooks.webhook_endpoints import EndpointPolicy

# Signed-in session check (1) plus the page's own reads; generous but far below one per row.
MOST_QUERIES = 10


def _grow(factory, owner, size: int) -> dict[str, int | str]:
    """``size`` of everything a page lists, for one account: events (each with an extra
    date), orders, shops with runs and problems, webhook deliveries with ``size`` attempts
    each; and on the first event one order of ``size`` lines and tickets, admitted at
    ``size`` gates."""
    ids: dict[str, int | str] = {}
    box = SecretBox([TEST_SECRET])
    ticket_types = []
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
        ticket_types.append(ticket_type)
        factory.order(owner, ticket_type, quantity=2)
        ids.setdefault("event", event.id)
        ids.setdefault("date", Event.get(Event.parent == event.id).id)
        change = {"price": [1000, 1000 + i]}
        audit_trail.record(
            owner.id,
            Actor.staff(1, "staff@example.com"),
            "event.updated",
            ("event", event.id, event.name),
            change,
        )
        shop = connections.add_shop(
            box,
            owner.id,
            f"shop {size}-{i}",
            platform="woocommerce",
            base_url=f"https://shop{i}.test",
            consumer_key="ck",
            consumer_secret="cs",
        ).shop
        connections.map_product(shop, product_id=100 + i, ticket_type_id=ticket_type.id)
        for kind in ("orders", "stock", "orders"):
            SyncRun.create(shop=shop.id, kind=kind, finished_at=utcnow(), errors=1, error_text="x")
    ids["affiliate"] = _affiliates(factory, owner, ticket_types)
    ids["order"] = _big_order(factory, owner, ids["event"], size)
    ids["question"] = _questions_answered(owner, ids["event"], ids["order"], size)
    big = Order.get((Order.account == owner.id) & (Order.number == ids["order"]))
    ids["ticket"] = (
        Ticket.select().where(Ticket.order == big.id).order_by(Ticket.id).get().reference
    )
    for i in range(size):  # the keys page and the test-mode page list these
        oauth_clients.create_client(owner.id, label=f"client {i}", allowed_ips=["192.0.2.0/24"])
        sandbox.create_test_partner_key(owner.id, label=f"test {i}")
        sandbox.create_test_api_key(owner.id, label=f"test {i}")
    endpoint = _endpoint_with_failed_deliveries(owner, size)
    ids["endpoint"] = endpoint.id
    return ids


def _affiliates(factory, owner, ticket_types: list[TicketType]) -> int:
    """As many affiliates as events, each with a link per event, clicks and an attributed
    order; the first with an order through every link. The first's id."""
    made = []
    for i, ticket_type in enumerate(ticket_types):
        draft = registry.AffiliateDraft(name=f"Affiliate {i}", rate_bps=1000 + i, code=f"aff-{i}")
        made.append(registry.create_affiliate(owner.id, draft, actor=SYSTEM))
        factory.order(owner, ticket_type, affiliate_code=f"aff-{i}", currency=("EUR", "USD")[i % 2])
        factory.order(owner, ticket_type, affiliate_code="aff-0")
    AffiliateLink.update(clicks=AffiliateLink.id * 3).execute()
    return int(made[0].id)


def _endpoint_with_failed_deliveries(owner, size: int) -> WebhookEndpoint:
    """An endpoint with ``size`` pings, each tried ``size`` times and refused."""
    endpoint = webhook_endpoints.create_endpoint(
        owner.id,
        secret_box(factory_settings()),
        EndpointPolicy(resolver=lambda host, port: ["93.184.216.34"]),
        url="https://hooks.example.com/in",
        event_types=["order.created"],
    ).endpoint
    for _ in range(size):
        webhook_events.emit_ping(owner.id, endpoint)
    for delivery in WebhookDelivery.select().where(WebhookDelivery.endpoint == endpoint.id):
        for number in range(1, size + 1):
            WebhookAttempt.create(
                delivery=delivery.id,
                number=number,
                attempted_at=utcnow(),
                status_code=500,
                duration_ms=12,
            )
    return endpoint


def _questions_answered(owner, event_id: int, order_number: int, size: int) -> int:
    """``size`` questions of the event (half of them for its first ticket type only), each
    answered for every ticket of the big order; the first question's id."""
    ticket_type = TicketType.get(TicketType.event == event_id)
    made = [
        questions.add_question(
            owner.id,
            str(event_id),
            QuestionCreate(
                type="choice" if i % 2 else "text",
                label=f"Question {i}",
                options=[{"label": "A"}, {"label": "B"}] if i % 2 else [],
                ticket_type_ids=[ticket_type.id] if i % 2 else [],
            ),
        )
        for i in range(size)
    ]
    order = Order.get((Order.account == owner.id) & (Order.number == order_number))
    for ticket in Ticket.select().where(Ticket.order == order.id):
        for question in made:
            TicketAnswer.create(
                ticket=ticket.id, question=question.id, value="a", updated_at=utcnow()
            )
    return made[0].id


def _big_order(factory, owner, event_id: int, size: int) -> int:
    """An order of ``size`` lines for the event, its tickets personalised and scanned in at
    ``size`` different gates; its public number (the console's order pages are by number)."""
    ticket_type = TicketType.get(TicketType.event == event_id)
    line = {
        "tp_event_ticket_id": ticket_type.id,
        "name": "General Admission",
        "quantity": 1,
        "product_id": 101,
        "order_item_type": "line_item",
        "unit_price": 29.95,
    }
    outcome = factory.order(
        owner,
        ticket_type,
        order_lines=[line] * size,
        order_total=round(29.95 * size, 2),
    )
    tickets = factory.personalise_all(owner, outcome)
    assert len(tickets) == size
    assert OrderLine.select().where(OrderLine.order == outcome.order_id).count() == size
    settings = factory_settings()
    tools = ticket_tools(settings)
    context = scanners.authenticate_scanner(
        scanners.create_scanner(owner.id, f"kit {size}", [event_id]).secret
    )
    for n, ticket in enumerate(tickets):
        request = ScanRequest(ticket_code(tools, ticket), event_id, gate=f"Gate {n}")
        assert scan(context, request, scan_public_keys(settings)).success
    return outcome.number


def factory_settings() -> Settings:
    return Settings(secret_key=TEST_SECRET)


PAGES = [
    "/console/events",
    "/console/events/{event}",
    "/console/orders",
    "/console/orders?q=jane",
    "/console/orders/{order}",
    "/console/orders/{order}/tickets/{ticket}/transfer",
    "/console/fraud",
    "/console/affiliates",
    "/console/affiliates/{affiliate}",
    "/console/door/{event}",
    "/console/door/{event}/figures.json",
    "/console/shops",
    "/console/webhooks",
    "/console/webhooks/{endpoint}",
    "/console/events/new",
    "/console/events/{event}/edit",
    "/console/events/{event}/cancel",
    "/console/events/{event}/duplicate",
    "/console/events/{event}/dates/new",
    "/console/events/{event}/dates/{date}",
    "/console/events/{event}/queue",
    "/console/events/{event}/attendees",
    "/console/events/{event}/attendees?admitted=yes&q=guest",
    "/console/events/{event}/questions",
    "/console/events/{event}/questions/{question}",
    "/console/audit",
    "/console/keys",
    "/console/test-mode",
    "/console/scanners",
    "/console/staff",
    "/console/audit?action=event&actor=staff",
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
